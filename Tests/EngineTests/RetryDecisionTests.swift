@testable import Engine
import Foundation
import Testing

@Suite("Retry arithmetic: delay queues, attempts and dead letters")
struct RetryDecisionTests {
    let topology: TopologyConfiguration = {
        var topology = TopologyConfiguration()
        topology.retryDelaysSeconds = [5, 30, 120]
        return topology
    }()
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// A delivery that has already been tried `previousAttempts` times.
    private func prepared(previousAttempts: Int, holdRetries: Int = 0) throws -> PreparedTweet {
        var headers: [String: FieldValue] = [:]
        if previousAttempts > 0 {
            headers[DeadLetter.Header.attempts] = .integer(Int64(previousAttempts))
            headers[DeadLetter.Header.originalRoutingKey] = .string("tweet.en")
            headers[DeadLetter.Header.originalExchange] = .string("tweets")
        }
        if holdRetries > 0 {
            headers[OutcomeBuilder.holdRetriesHeader] = .integer(Int64(holdRetries))
        }
        let body = Array(#"{"id":"42","text":"hello"}"#.utf8)
        // After a retry the message comes back from the input exchange, dead-lettered by the delay queue.
        let delivery = Delivery(
            deliveryTag: 1, connectionGeneration: 1, queue: "tweets.in", exchange: "tweets", routingKey: "tweet.en",
            redelivered: false, properties: MessageProperties(headers: headers, messageId: "m-42"), body: body
        )
        let processor = OutcomeBuilder(decoder: TweetDecoder(), topology: topology)
        return try processor.prepare(delivery, now: now).get()
    }

    private func decide(
        _ prepared: PreparedTweet, category: ErrorCategory = .providerUnavailable,
        permanent: Bool = false, countsAttempt: Bool = true, maxAttempts: Int = 4
    ) -> ProcessingOutcome {
        OutcomeBuilder(decoder: TweetDecoder(), topology: topology).retryOrDeadLetter(
            for: prepared,
            after: ProviderChainFailure(
                category: category, reason: "HTTP 503 from upstream", provider: "openai", permanent: permanent, countsAttempt: countsAttempt
            ),
            maxAttempts: maxAttempts, now: now
        )
    }

    @Test("Attempt n goes to the n-th delay queue, the last delay repeating, with x-attempts = n")
    func delaysFollowTheAttempts() throws {
        for (previous, expectedDelay) in [(0, 5), (1, 30), (2, 120), (5, 120)] {
            let outcome = decide(try prepared(previousAttempts: previous), maxAttempts: 10)
            #expect(outcome.kind == .retry(.providerUnavailable, reason: "HTTP 503 from upstream", countsAttempt: true))
            let message = outcome.message
            #expect(message.exchange == "tweets.retry")
            #expect(message.routingKey == "tweets.in", "keyed by the queue it came from, where the delay queue sends it back")
            #expect(message.properties.headers[DeadLetter.Header.originalRoutingKey] == .string("tweet.en"))
            #expect(message.properties.headers[TopologyConfiguration.retryDelayHeader] == .string(String(expectedDelay)))
            #expect(message.properties.headers[DeadLetter.Header.attempts] == .integer(Int64(previous + 1)))
            #expect(message.properties.headers[DeadLetter.Header.provider] == .string("openai"))
            #expect(message.properties.deliveryMode == MessageProperties.persistent)
        }
    }

    @Test("The attempt that reaches max_attempts becomes a dead letter with the category, the last error and the provider")
    func lastAttemptDeadLetters() throws {
        let outcome = decide(try prepared(previousAttempts: 3), maxAttempts: 4)
        #expect(outcome.kind == .deadLetter(.providerUnavailable, reason: "HTTP 503 from upstream"))
        let headers = outcome.message.properties.headers
        #expect(outcome.message.exchange == "tweets.dead")
        #expect(headers[DeadLetter.Header.category] == .string("provider_unavailable"))
        #expect(headers[DeadLetter.Header.message] == .string("HTTP 503 from upstream"))
        #expect(headers[DeadLetter.Header.attempts] == .integer(4))
        #expect(headers[DeadLetter.Header.provider] == .string("openai"))
        #expect(headers[TopologyConfiguration.retryDelayHeader] == nil, "a dead letter carries no routing header for the delay queues")
    }

    @Test("A permanent failure dead-letters at once, on the first attempt")
    func permanentFailureDeadLettersAtOnce() throws {
        let outcome = decide(try prepared(previousAttempts: 0), category: .providerRejected, permanent: true)
        #expect(outcome.kind == .deadLetter(.providerRejected, reason: "HTTP 503 from upstream"))
        #expect(outcome.message.properties.headers[DeadLetter.Header.attempts] == .integer(1))
    }

    @Test("Holding for rate limits uses no attempt and takes the shortest delay, counted in x-hold-retries")
    func holdingUsesNoAttempt() throws {
        let outcome = decide(try prepared(previousAttempts: 2), category: .rateLimited, countsAttempt: false)
        #expect(outcome.kind == .retry(.rateLimited, reason: "HTTP 503 from upstream", countsAttempt: false))
        let headers = outcome.message.properties.headers
        #expect(headers[DeadLetter.Header.attempts] == .integer(2), "still two attempts used")
        #expect(headers[TopologyConfiguration.retryDelayHeader] == .string("30"), "the delay of the attempts already used")
        #expect(headers[OutcomeBuilder.holdRetriesHeader] == .integer(1))

        let first = decide(try prepared(previousAttempts: 0), category: .rateLimited, countsAttempt: false)
        #expect(first.message.properties.headers[TopologyConfiguration.retryDelayHeader] == .string("5"))
        #expect(first.message.properties.headers[DeadLetter.Header.attempts] == .integer(0))
    }

    @Test("A provider limited for hours cannot cycle forever: more holds than max_attempts dead-letter as rate_limited")
    func endlessHoldingEnds() throws {
        let stillCycling = decide(try prepared(previousAttempts: 0, holdRetries: 3), category: .rateLimited, countsAttempt: false, maxAttempts: 4)
        #expect(stillCycling.kind == .retry(.rateLimited, reason: "HTTP 503 from upstream", countsAttempt: false))
        let done = decide(try prepared(previousAttempts: 0, holdRetries: 4), category: .rateLimited, countsAttempt: false, maxAttempts: 4)
        #expect(done.kind == .deadLetter(.rateLimited, reason: "HTTP 503 from upstream"))
    }

    @Test("A retried tweet's result counts its attempts")
    func resultCountsAttempts() throws {
        let outcome = OutcomeBuilder(decoder: TweetDecoder(), topology: topology)
            .result(for: try prepared(previousAttempts: 2), enrichment: nil, now: now, startedAt: .now)
        let json = try StrictJSONParser().parse(outcome.message.body)
        #expect(json.objectValue?["attempts"] == .integer(3))
    }
}
