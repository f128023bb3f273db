import Foundation

/// Builds what becomes of each delivery, without I/O: the tweet prepared for the providers
/// (decoded, validated, analysed, scored), then the result, the retry or the dead letter to
/// publish before the delivery is acked.
///
/// The built-in analysis always runs: it is the default chain (`[builtin]`) and
/// the base that provider enrichment adds to.
public struct OutcomeBuilder: Sendable {
    private let decoder: TweetDecoder
    private let analyzer: BuiltinAnalyzer
    private let scorer: PriorityScorer
    private let topology: TopologyConfiguration

    /// Creates a builder for messages of `topology`.
    public init(decoder: TweetDecoder, topology: TopologyConfiguration, analyzer: BuiltinAnalyzer = BuiltinAnalyzer(), scorer: PriorityScorer = PriorityScorer()) {
        self.decoder = decoder
        self.topology = topology
        self.analyzer = analyzer
        self.scorer = scorer
    }

    /// Decodes, validates and analyses; an invalid body comes back as its dead letter.
    public func prepare(_ delivery: Delivery, now: Date) -> Preparation {
        let attempt = Self.previousAttempts(of: delivery) + 1
        do throws(TweetValidationError) {
            let tweet = try decoder.decode(delivery.body)
            return .prepared(PreparedTweet(
                delivery: delivery, tweet: tweet, analysis: analyzer.analyze(tweet),
                priorityScore: scorer.score(tweet, now: now), attempt: attempt
            ))
        } catch {
            return .invalid(deadLetter(
                for: delivery, category: .invalidInput, reason: error.reason, attempts: attempt, provider: nil, now: now, tweetID: nil
            ))
        }
    }

    /// The result for a prepared tweet: the built-in analysis, with what a provider answered when one did.
    public func result(for prepared: PreparedTweet, enrichment: Enrichment?, now: Date, startedAt: ContinuousClock.Instant) -> ProcessingOutcome {
        let delivery = prepared.delivery
        var analysis = prepared.analysis
        if let answer = enrichment?.answer {
            analysis.sentiment = answer.sentiment
            analysis.topics = answer.topics
            analysis.summary = answer.summary
            if let language = answer.language, !language.isEmpty {
                analysis.language = language
            }
        }
        let result = TweetResult(
            tweet: prepared.tweet,
            provider: enrichment?.provider ?? "builtin",
            model: enrichment?.answer.model ?? TweetResult.builtinModel,
            analysis: analysis,
            assignedPriority: delivery.priority,
            priorityScore: prepared.priorityScore,
            attempts: prepared.attempt,
            queuedMilliseconds: Self.queuedMilliseconds(delivery, now: now),
            processingMilliseconds: (ContinuousClock.now - startedAt).seconds * 1000,
            providerMilliseconds: (enrichment?.latency.seconds ?? 0) * 1000,
            usage: enrichment?.answer.usage ?? TokenUsage(inputTokens: 0, outputTokens: 0),
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
    public func retryOrDeadLetter(for prepared: PreparedTweet, after failure: ProviderChainFailure, maxAttempts: Int, now: Date) -> ProcessingOutcome {
        let (category, reason, provider, countsAttempt) = (failure.category, failure.reason, failure.provider, failure.countsAttempt)
        let delivery = prepared.delivery
        let attemptsUsed = countsAttempt ? prepared.attempt : prepared.attempt - 1
        // Waiting for rate limits uses no attempt, but a provider limited for hours must not cycle forever.
        let holdRetries = (ProducerHeaders.count(Self.holdRetriesHeader, in: delivery.properties.headers).value ?? 0) + (countsAttempt ? 0 : 1)
        if failure.permanent || (countsAttempt && attemptsUsed >= maxAttempts) || holdRetries > maxAttempts {
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
