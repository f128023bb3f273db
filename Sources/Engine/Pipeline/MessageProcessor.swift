import Foundation

/// What became of one delivery: the message to publish before the delivery may be acked.
public struct ProcessingOutcome: Sendable {
    /// How the delivery was settled.
    public enum Kind: Sendable, Equatable {
        /// A result from `provider`.
        case result(provider: String)
        /// A dead letter of `category`.
        case deadLetter(ErrorCategory, reason: String)
    }

    /// How the delivery was settled.
    public var kind: Kind
    /// The result or dead letter to publish and have confirmed.
    public var message: OutgoingMessage
    /// The tweet's id, when the body got far enough to have one.
    public var tweetID: String?
}

/// Turns one delivery into its result or its dead letter; no I/O, so it is tested without a broker.
///
/// The built-in analysis always runs: it is the default chain (`[builtin]`) and
/// the base that provider enrichment adds to.
public struct MessageProcessor: Sendable {
    /// The `pipeline_version` field of every result.
    public static let pipelineVersion = "tweetd/\(TweetdVersion.current)"

    private let decoder: TweetDecoder
    private let analyzer: BuiltinAnalyzer
    private let scorer: PriorityScorer
    private let topology: TopologyConfiguration

    /// Creates a processor.
    public init(decoder: TweetDecoder, topology: TopologyConfiguration, analyzer: BuiltinAnalyzer = BuiltinAnalyzer(), scorer: PriorityScorer = PriorityScorer()) {
        self.decoder = decoder
        self.topology = topology
        self.analyzer = analyzer
        self.scorer = scorer
    }

    /// Processes `delivery` at wall-clock time `now`; `startedAt` is when its worker picked it up.
    public func process(_ delivery: Delivery, now: Date, startedAt: ContinuousClock.Instant = .now) -> ProcessingOutcome {
        let attempt = Int(delivery.properties.headers[DeadLetter.Header.attempts]?.integerValue ?? 0) + 1
        let tweet: Tweet
        do throws(TweetValidationError) {
            tweet = try decoder.decode(delivery.body)
        } catch {
            let reason = error.reason
            return ProcessingOutcome(
                kind: .deadLetter(.invalidInput, reason: reason),
                message: DeadLetter.message(
                    for: delivery, category: .invalidInput, reason: reason, attempts: attempt, now: now, topology: topology
                ),
                tweetID: nil
            )
        }
        let analysis = analyzer.analyze(tweet)
        let priorityScore = scorer.score(tweet, now: now)
        let result = TweetResult(
            tweet: tweet,
            provider: "builtin",
            model: TweetResult.builtinModel,
            analysis: analysis,
            assignedPriority: delivery.priority,
            priorityScore: priorityScore,
            attempts: attempt,
            queuedMilliseconds: Self.queuedMilliseconds(delivery, now: now),
            processingMilliseconds: (ContinuousClock.now - startedAt).seconds * 1000,
            providerMilliseconds: 0,
            usage: TweetResult.Usage(inputTokens: 0, outputTokens: 0),
            source: TweetResult.Source(
                messageID: delivery.properties.messageId,
                routingKey: delivery.routingKey,
                redelivered: delivery.redelivered
            )
        )
        var properties = MessageProperties(
            contentType: "application/json",
            deliveryMode: MessageProperties.persistent,
            messageId: delivery.properties.messageId ?? tweet.id,
            timestamp: UInt64(max(0, now.timeIntervalSince1970)),
            appId: "tweetd"
        )
        properties.correlationId = delivery.properties.correlationId
        return ProcessingOutcome(
            kind: .result(provider: result.provider),
            message: OutgoingMessage(
                exchange: topology.resultsExchange,
                routingKey: "\(result.provider).\(analysis.sentiment.label.rawValue)",
                mandatory: true,
                properties: properties,
                body: result.encoded()
            ),
            tweetID: tweet.id
        )
    }

    /// Time from the producer's timestamp (whole seconds on the wire) to now; nil when it set none.
    private static func queuedMilliseconds(_ delivery: Delivery, now: Date) -> Double? {
        guard let timestamp = delivery.properties.timestamp else { return nil }
        return max(0, (now.timeIntervalSince1970 - Double(timestamp)) * 1000)
    }
}

/// The version of tweetd.
public enum TweetdVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
