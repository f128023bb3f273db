@testable import Engine
import Foundation
import Testing

@Suite("Replaying dead letters without a broker")
struct DeadLetterReplayTests {
    let topology = TopologyConfiguration()
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// A dead letter as the pipeline writes it: the input's properties plus tweetd's failure headers.
    private func deadLetter(
        category: String? = "invalid_input",
        failedSecondsAgo: Double = 60,
        extraHeaders: [String: FieldValue] = [:],
        routingKey: String = "tweet.en"
    ) -> Delivery {
        var headers: [String: FieldValue] = [
            "x-error-message": .string("field \"text\" has 66 characters, over the 10 limit"),
            "x-attempts": .integer(3),
            "x-first-failed-at": .string(Timestamp.rfc3339(now.addingTimeInterval(-failedSecondsAgo - 30))),
            "x-last-failed-at": .string(Timestamp.rfc3339(now.addingTimeInterval(-failedSecondsAgo))),
            "x-original-exchange": .string("tweets"),
            "x-original-routing-key": .string("tweet.en"),
            "x-provider": .string("openai"),
            "x-error-detail": .string("an x-error-* header from a later version"),
            "trace-id": .string("abc"),
        ]
        if let category { headers["x-error-category"] = .string(category) }
        headers.merge(extraHeaders) { $1 }
        return Delivery(
            deliveryTag: 1, connectionGeneration: 1, queue: "tweets.dead", exchange: "tweets.dead", routingKey: routingKey,
            redelivered: false,
            properties: MessageProperties(
                contentType: "application/json", headers: headers, deliveryMode: 2, priority: 7,
                correlationId: "c-1", messageId: "m-1", timestamp: 1_789_999_000, appId: "producer"
            ),
            body: Array(#"{"id":"1","text":"a tweet that was too long"}"#.utf8)
        )
    }

    @Test("A replayed message loses its failure headers, keeps everything else, and counts x-replays = 1")
    func replayRewritesOnlyTheFailureHeaders() {
        let original = deadLetter()
        let message = DeadLetter.replay(original, topology: topology)
        #expect(message.exchange == "tweets")
        #expect(message.routingKey == "tweet.en")
        #expect(message.mandatory, "an unroutable replay must fail, so the dead letter stays")
        #expect(message.body == original.body)
        let headers = message.properties.headers
        for removed in ["x-error-category", "x-error-message", "x-error-detail", "x-attempts", "x-first-failed-at", "x-last-failed-at", "x-provider"] {
            #expect(headers[removed] == nil, "\(removed) is gone")
        }
        #expect(headers["x-replays"] == .integer(1))
        #expect(headers["trace-id"] == .string("abc"))
        #expect(headers["x-original-routing-key"] == .string("tweet.en"))
        var expectedProperties = original.properties
        expectedProperties.headers = headers
        #expect(message.properties == expectedProperties, "priority, message id, timestamp and the rest are untouched")
    }

    @Test("x-replays counts up from its previous value")
    func replaysCountUp() {
        let message = DeadLetter.replay(deadLetter(extraHeaders: ["x-replays": .integer(2)]), topology: topology)
        #expect(message.properties.headers["x-replays"] == .integer(3))
    }

    @Test("Without x-original-* headers the message goes to the input exchange with its dead-letter routing key")
    func fallsBackToTheInputExchange() {
        var delivery = deadLetter(routingKey: "vip.fr")
        delivery.properties.headers["x-original-exchange"] = nil
        delivery.properties.headers["x-original-routing-key"] = nil
        let message = DeadLetter.replay(delivery, topology: topology)
        #expect(message.exchange == topology.exchange)
        #expect(message.routingKey == "vip.fr")
    }

    @Test("The original routing key header wins, but never an exchange other than the configured input exchange")
    func originalRoutingKeyWinsButNotTheExchange() {
        let delivery = deadLetter(extraHeaders: ["x-original-exchange": .string("other"), "x-original-routing-key": .string("a.b")], routingKey: "x")
        let message = DeadLetter.replay(delivery, topology: topology)
        #expect(message.exchange == topology.exchange, "a producer's x-original-exchange must not pick where a replay publishes")
        #expect(message.routingKey == "a.b")
    }

    @Test("A dead letter that names a configured input queue goes back to that queue only, through the default exchange")
    func recordedQueueIsTheDestination() {
        let delivery = deadLetter(extraHeaders: ["x-original-queue": .string("tweets.in"), "x-original-routing-key": .string("a.b")])
        let message = DeadLetter.replay(delivery, topology: topology)
        #expect(message.exchange == "")
        #expect(message.routingKey == "tweets.in")

        let elsewhere = DeadLetter.replay(deadLetter(extraHeaders: ["x-original-queue": .string("someone.elses")]), topology: topology)
        #expect(elsewhere.exchange == topology.exchange, "a queue that is not an input queue is never a destination")
    }

    @Test("Hostile replay headers: x-replays at Int64.max, a 300-byte routing key, user_id and expiration")
    func hostileReplayHeaders() {
        let delivery = deadLetter(
            extraHeaders: ["x-replays": .integer(.max), "x-original-routing-key": .string(String(repeating: "k", count: 300))],
            routingKey: "tweet.en"
        )
        var withProperties = delivery
        withProperties.properties.userId = "someone"
        withProperties.properties.expiration = "1000"
        let message = DeadLetter.replay(withProperties, topology: topology)
        #expect(message.properties.headers["x-replays"] == .integer(1), "a count tweetd could not have written counts as none")
        #expect(message.routingKey == "tweet.en", "a routing key over 255 bytes is not a routing key")
        #expect(message.properties.userId == nil)
        #expect(message.properties.expiration == nil)
        #expect(DeadLetter.replay(deadLetter(extraHeaders: ["x-replays": .string("9999")]), topology: topology).properties.headers["x-replays"] == .integer(10_000))
    }

    @Test("An empty filter matches every dead letter, even one without a category or failure time")
    func emptyFilterMatchesAll() {
        var bare = deadLetter(category: nil)
        bare.properties.headers = [:]
        #expect(DeadLetterFilter().matches(bare, now: now))
        #expect(DeadLetter.category(of: bare) == "unknown")
    }

    @Test("A category filter matches only its categories")
    func categoryFilter() throws {
        let filter = DeadLetterFilter(categories: try DeadLetterFilter.categories(from: ["provider_unavailable,rate_limited", "unknown"]))
        #expect(filter.categories == ["provider_unavailable", "rate_limited", "unknown"])
        #expect(!filter.matches(deadLetter(category: "invalid_input"), now: now))
        #expect(filter.matches(deadLetter(category: "rate_limited"), now: now))
        #expect(filter.matches(deadLetter(category: nil), now: now), "no x-error-category reads as unknown")
    }

    @Test("A misspelt category is refused with the list of known ones")
    func unknownCategoryIsRefused() {
        #expect(throws: DeadLetterFilter.UnknownCategory(name: "invalid")) {
            try DeadLetterFilter.categories(from: ["invalid_input", "invalid"])
        }
        #expect(DeadLetterFilter.UnknownCategory(name: "x").description.contains("provider_unavailable"))
    }

    @Test("--older-than compares x-last-failed-at with now; an unreadable time never matches")
    func ageFilter() {
        let filter = DeadLetterFilter(olderThan: .seconds(600))
        #expect(filter.matches(deadLetter(failedSecondsAgo: 601), now: now))
        #expect(filter.matches(deadLetter(failedSecondsAgo: 600), now: now))
        #expect(!filter.matches(deadLetter(failedSecondsAgo: 599), now: now))
        #expect(!filter.matches(deadLetter(extraHeaders: ["x-last-failed-at": .string("yesterday")]), now: now))
        let both = DeadLetterFilter(categories: ["invalid_input"], olderThan: .seconds(10))
        #expect(both.matches(deadLetter(failedSecondsAgo: 60), now: now))
        #expect(!both.matches(deadLetter(category: "internal", failedSecondsAgo: 60), now: now))
    }

    @Test("The summary says what moved, by category, and what stayed and why")
    func summaryText() {
        var outcome = ReplayOutcome(dryRun: false, queue: "tweets.dead")
        outcome.deadLettersAtStart = 9
        outcome.examinedByCategory = ["invalid_input": 6, "provider_unavailable": 3]
        outcome.selectedByCategory = ["invalid_input": 5]
        outcome.replayedByCategory = ["invalid_input": 4]
        outcome.unmatched = 3
        outcome.beyondLimit = 1
        outcome.failed = 1
        outcome.firstFailure = "no queue is bound"
        #expect(outcome.summary == """
            replayed 4 of 9 dead letters (by category: invalid_input=4)
              3 did not match the filters and stay in tweets.dead
              1 beyond the limit stay in tweets.dead
              1 could not be republished and stay in tweets.dead: no queue is bound
            """)
        #expect(!outcome.succeeded)
    }

    @Test("A dry run's summary counts by category and lists samples")
    func dryRunSummary() {
        var outcome = ReplayOutcome(dryRun: true, queue: "tweets.dead")
        outcome.deadLettersAtStart = 5
        outcome.examinedByCategory = ["invalid_input": 3, "provider_unavailable": 2]
        outcome.selectedByCategory = ["invalid_input": 3, "provider_unavailable": 2]
        outcome.samples = [ReplayOutcome.Sample(id: "m-1", category: "invalid_input", message: "bad JSON")]
        #expect(outcome.summary == """
            dry run: would replay 5 of 5 dead letters (by category: invalid_input=3, provider_unavailable=2); nothing was moved
              examined 5 in tweets.dead (by category: invalid_input=3, provider_unavailable=2)
              samples:
                m-1  invalid_input  bad JSON
            """)
        #expect(outcome.succeeded)
    }
}
