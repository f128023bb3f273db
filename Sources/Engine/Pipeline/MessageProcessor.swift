import Foundation

/// What became of one delivery: the message to publish before the delivery may be acked.
public struct ProcessingOutcome: Sendable {
    /// How the delivery was settled.
    public enum Kind: Sendable, Equatable {
        /// A result from `provider`.
        case result(provider: String)
        /// A dead letter of `category`.
        case deadLetter(ErrorCategory, reason: String)
        /// Sent to a delay queue to be tried again; `countsAttempt` is false when only a limiter kept it waiting.
        case retry(ErrorCategory, reason: String, countsAttempt: Bool)
    }

    /// How the delivery was settled.
    public var kind: Kind
    /// The result, dead letter or retry to publish and have confirmed.
    public var message: OutgoingMessage
    /// The tweet's id, when the body got far enough to have one.
    public var tweetID: String?

    /// Whether the message is a copy of the producer's (a dead letter or a retry), with its properties.
    public var copiesProducerProperties: Bool {
        if case .result = kind { return false }
        return true
    }

    /// The provider that answered, or the one a dead letter or retry names in `x-provider`.
    public var provider: String? {
        if case .result(let provider) = kind { return provider }
        return message.properties.headers[DeadLetter.Header.provider]?.stringValue
    }
}

/// What an LLM provider added to the built-in analysis.
public struct Enrichment: Sendable, Equatable {
    /// The provider's configured name.
    public var provider: String
    /// The model that answered.
    public var model: String
    /// The provider's sentiment.
    public var sentiment: Sentiment
    /// The provider's topics.
    public var topics: [String]
    /// The provider's summary.
    public var summary: String
    /// The language the provider saw, when it said.
    public var language: String?
    /// Tokens the provider counted.
    public var usage: TweetResult.Usage
    /// Time spent waiting for the provider's answer.
    public var providerMilliseconds: Double

    /// Creates an enrichment.
    public init(
        provider: String, model: String, sentiment: Sentiment, topics: [String], summary: String,
        language: String?, usage: TweetResult.Usage, providerMilliseconds: Double
    ) {
        self.provider = provider
        self.model = model
        self.sentiment = sentiment
        self.topics = topics
        self.summary = summary
        self.language = language
        self.usage = usage
        self.providerMilliseconds = providerMilliseconds
    }
}

/// A delivery decoded and analysed by the built-in analysis, ready for providers.
public struct PreparedTweet: Sendable {
    /// The delivery it came from.
    public var delivery: Delivery
    /// The decoded tweet.
    public var tweet: Tweet
    /// The built-in analysis.
    public var analysis: ContentAnalysis
    /// The priority score.
    public var priorityScore: Double
    /// This attempt's number (1 for the first), from tweetd's own `x-attempts` header.
    public var attempt: Int
}

/// Turns one delivery into its result, retry or dead letter; no I/O, so it is tested without a broker.
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

    /// Processes `delivery` with the built-in analysis only.
    public func process(_ delivery: Delivery, now: Date, startedAt: ContinuousClock.Instant = .now) -> ProcessingOutcome {
        switch prepare(delivery, now: now) {
        case .failure(let invalid):
            return invalid.outcome
        case .success(let prepared):
            return result(for: prepared, enrichment: nil, now: now, startedAt: startedAt)
        }
    }

    /// Decodes, validates and analyses; an invalid body comes back as its dead letter.
    public func prepare(_ delivery: Delivery, now: Date) -> Result<PreparedTweet, InvalidInput> {
        let attempt = Self.previousAttempts(of: delivery) + 1
        do throws(TweetValidationError) {
            let tweet = try decoder.decode(delivery.body)
            return .success(PreparedTweet(
                delivery: delivery, tweet: tweet, analysis: analyzer.analyze(tweet),
                priorityScore: scorer.score(tweet, now: now), attempt: attempt
            ))
        } catch {
            return .failure(InvalidInput(outcome: deadLetter(
                for: delivery, category: .invalidInput, reason: error.reason, attempts: attempt, provider: nil, now: now, tweetID: nil
            )))
        }
    }

    /// The result for a prepared tweet, enriched by a provider when there was one.
    public func result(for prepared: PreparedTweet, enrichment: Enrichment?, now: Date, startedAt: ContinuousClock.Instant) -> ProcessingOutcome {
        let delivery = prepared.delivery
        var analysis = prepared.analysis
        if let enrichment {
            analysis.sentiment = enrichment.sentiment
            analysis.topics = enrichment.topics
            analysis.summary = enrichment.summary
            if let language = enrichment.language, !language.isEmpty {
                analysis.language = language
            }
        }
        let result = TweetResult(
            tweet: prepared.tweet,
            provider: enrichment?.provider ?? "builtin",
            model: enrichment?.model ?? TweetResult.builtinModel,
            analysis: analysis,
            assignedPriority: delivery.priority,
            priorityScore: prepared.priorityScore,
            attempts: prepared.attempt,
            queuedMilliseconds: Self.queuedMilliseconds(delivery, now: now),
            processingMilliseconds: (ContinuousClock.now - startedAt).seconds * 1000,
            providerMilliseconds: enrichment?.providerMilliseconds ?? 0,
            usage: enrichment?.usage ?? TweetResult.Usage(inputTokens: 0, outputTokens: 0),
            source: TweetResult.Source(
                messageID: delivery.properties.messageId,
                // A retry or a replay comes back through the default exchange, keyed by its queue.
                routingKey: delivery.exchange.isEmpty ? DeadLetter.originalRoutingKey(of: delivery) : delivery.routingKey,
                redelivered: delivery.redelivered
            )
        )
        // The producer's ids only when they fit in a short string (decoding repairs invalid UTF-8, which can lengthen them).
        var properties = MessageProperties(
            contentType: "application/json",
            deliveryMode: MessageProperties.persistent,
            messageId: MessageProperties.shortString(delivery.properties.messageId) ?? prepared.tweet.id,
            timestamp: UInt64(max(0, now.timeIntervalSince1970)),
            appId: "tweetd"
        )
        properties.correlationId = MessageProperties.shortString(delivery.properties.correlationId)
        return ProcessingOutcome(
            kind: .result(provider: result.provider),
            message: OutgoingMessage(
                exchange: topology.resultsExchange,
                routingKey: "\(result.provider).\(analysis.sentiment.label.rawValue)",
                mandatory: true,
                properties: properties,
                body: result.encoded()
            ),
            tweetID: prepared.tweet.id
        )
    }

    /// What to do after every provider failed this attempt: retry through a delay queue,
    /// or dead-letter once `maxAttempts` are used (or at once for a permanent failure).
    public func failure(
        for prepared: PreparedTweet,
        category: ErrorCategory,
        reason: String,
        provider: String?,
        permanent: Bool,
        countsAttempt: Bool,
        maxAttempts: Int,
        now: Date
    ) -> ProcessingOutcome {
        let delivery = prepared.delivery
        let attemptsUsed = countsAttempt ? prepared.attempt : prepared.attempt - 1
        // Waiting for rate limits uses no attempt, but a provider limited for hours must not cycle forever.
        let holdRetries = (ProducerHeaders.count(Self.holdRetriesHeader, in: delivery.properties.headers).value ?? 0) + (countsAttempt ? 0 : 1)
        if permanent || (countsAttempt && attemptsUsed >= maxAttempts) || holdRetries > maxAttempts {
            return deadLetter(
                for: delivery, category: category, reason: reason, attempts: attemptsUsed,
                provider: provider, now: now, tweetID: prepared.tweet.id
            )
        }
        var message = DeadLetter.message(
            for: delivery, category: category, reason: reason, attempts: attemptsUsed, provider: provider, now: now, topology: topology
        )
        // The delay grows with each counted attempt; a wait that used no attempt takes the shortest delay.
        let delays = topology.retryDelaysSeconds
        let delay = delays[min(max(attemptsUsed - 1, 0), delays.count - 1)]
        message.exchange = topology.retryExchange
        // The delay queue dead-letters to the default exchange with this key: back to the queue it came from, only.
        message.routingKey = delivery.queue
        message.properties.headers[TopologyConfiguration.retryDelayHeader] = .string(String(delay))
        message.properties.headers[Self.holdRetriesHeader] = .integer(Int64(holdRetries))
        return ProcessingOutcome(
            kind: .retry(category, reason: reason, countsAttempt: countsAttempt),
            message: message,
            tweetID: prepared.tweet.id
        )
    }

    private func deadLetter(
        for delivery: Delivery, category: ErrorCategory, reason: String, attempts: Int, provider: String?, now: Date, tweetID: String?
    ) -> ProcessingOutcome {
        var message = DeadLetter.message(
            for: delivery, category: category, reason: reason, attempts: attempts, provider: provider, now: now, topology: topology
        )
        message.properties.headers[TopologyConfiguration.retryDelayHeader] = nil
        return ProcessingOutcome(kind: .deadLetter(category, reason: reason), message: message, tweetID: tweetID)
    }

    /// How many times a message went to a retry queue only because rate limits held it too long.
    public static let holdRetriesHeader = "x-hold-retries"

    /// Attempts already made, from tweetd's own header (never from `x-death`, which the broker owns);
    /// a value tweetd could not have written counts as none.
    static func previousAttempts(of delivery: Delivery) -> Int {
        ProducerHeaders.count(DeadLetter.Header.attempts, in: delivery.properties.headers).value ?? 0
    }

    /// The headers tweetd reads from `delivery` that hold values it could not have written, with why.
    public static func ignoredHeaders(of delivery: Delivery) -> [(name: String, reason: String)] {
        let headers = delivery.properties.headers
        guard !headers.isEmpty else { return [] }
        var ignored: [(name: String, reason: String)] = []
        for name in [DeadLetter.Header.attempts, holdRetriesHeader] {
            if case .ignored(let reason) = ProducerHeaders.count(name, in: headers) { ignored.append((name, reason)) }
        }
        for name in [DeadLetter.Header.originalExchange, DeadLetter.Header.originalRoutingKey] {
            if case .ignored(let reason) = ProducerHeaders.name(name, in: headers) { ignored.append((name, reason)) }
        }
        if case .ignored(let reason) = ProducerHeaders.timestamp(DeadLetter.Header.firstFailedAt, in: headers) {
            ignored.append((DeadLetter.Header.firstFailedAt, reason))
        }
        return ignored
    }

    /// Time from the producer's timestamp (whole seconds on the wire) to now; nil when it set none.
    private static func queuedMilliseconds(_ delivery: Delivery, now: Date) -> Double? {
        guard let timestamp = delivery.properties.timestamp else { return nil }
        return max(0, (now.timeIntervalSince1970 - Double(timestamp)) * 1000)
    }
}

/// A body that broke the input contract, with its dead letter ready.
public struct InvalidInput: Error, Sendable {
    /// The dead letter to publish.
    public var outcome: ProcessingOutcome
}

/// The version of tweetd.
public enum TweetdVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
