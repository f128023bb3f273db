@testable import Engine
import Foundation
import Testing

/// Headers and properties are producer input too: nothing a producer writes there may trap,
/// make a dead letter vanish, or make the broker refuse what tweetd publishes.
@Suite("Hostile headers and properties, without a broker")
struct HostileHeadersTests {
    let topology: TopologyConfiguration = {
        var topology = TopologyConfiguration()
        topology.retryDelaysSeconds = [5, 30]
        return topology
    }()
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    var processor: OutcomeBuilder { OutcomeBuilder(decoder: TweetDecoder(), topology: topology) }

    private func delivery(
        body: String = #"{"id":"42","text":"hello there"}"#,
        headers: [String: FieldValue] = [:],
        properties: (inout MessageProperties) -> Void = { _ in },
        routingKey: String = "tweet.en"
    ) -> Delivery {
        var props = MessageProperties(contentType: "application/json", headers: headers, priority: 3, messageId: "m-42")
        properties(&props)
        return Delivery(
            deliveryTag: 1, connectionGeneration: 1, queue: "tweets.in", exchange: "tweets", routingKey: routingKey,
            redelivered: false, properties: props, body: Array(body.utf8)
        )
    }

    private func retryOrDeadLetter(_ delivery: Delivery, countsAttempt: Bool = true) throws -> ProcessingOutcome {
        let prepared = try processor.prepare(delivery, now: now).get()
        return processor.retryOrDeadLetter(
            for: prepared,
            after: ProviderChainFailure(
                category: .providerUnavailable, reason: "HTTP 503", provider: "openai", permanent: false, countsAttempt: countsAttempt
            ),
            maxAttempts: 4, now: now
        )
    }

    @Test("x-attempts and x-hold-retries at Int64.max, as integers or strings, count as absent instead of trapping", arguments: [
        FieldValue.integer(.max), .string("9223372036854775807"), .integer(-1), .string("many"), .double(3), .integer(10_001),
    ])
    func countersOutOfRangeCountAsAbsent(value: FieldValue) throws {
        let hostile = delivery(headers: ["x-attempts": value, "x-hold-retries": value])
        let prepared = try processor.prepare(hostile, now: now).get()
        #expect(prepared.attempt == 1)
        let outcome = try retryOrDeadLetter(hostile, countsAttempt: false)
        #expect(outcome.message.properties.headers["x-hold-retries"] == .integer(1))
        let ignored = OutcomeBuilder.ignoredHeaders(of: hostile).map(\.name)
        #expect(ignored.contains("x-attempts"))
        #expect(ignored.contains("x-hold-retries"))
    }

    @Test("A count tweetd could have written is still used")
    func plausibleCountsAreUsed() throws {
        let prepared = try processor.prepare(delivery(headers: ["x-attempts": .string("2")]), now: now).get()
        #expect(prepared.attempt == 3)
        #expect(OutcomeBuilder.ignoredHeaders(of: delivery(headers: ["x-attempts": .integer(2)])).isEmpty)
    }

    @Test("A dead letter and a retry never carry expiration or user_id; the other properties travel along")
    func expirationAndUserIDAreDropped() throws {
        let hostile = delivery(body: "not json") { properties in
            properties.expiration = "3000"
            properties.userId = "producer"
            properties.correlationId = "c-1"
            properties.replyTo = "replies"
            properties.type = "tweet"
        }
        let dead = processor.process(hostile, now: now).message
        #expect(dead.properties.expiration == nil, "a dead letter must not expire")
        #expect(dead.properties.userId == nil, "the broker refuses a user_id that is not the publisher's")
        #expect(dead.properties.correlationId == "c-1")
        #expect(dead.properties.replyTo == "replies")
        #expect(dead.properties.type == "tweet")
        #expect(dead.properties.priority == 3)

        let rpc = processor.process(delivery(body: "{") { $0.replyTo = "amq.rabbitmq.reply-to.g1h2AA5yZXBseUAxMjM0" }, now: now).message
        #expect(rpc.properties.replyTo == nil, "direct reply-to is refused from any channel but the producer's")
        let retry = try retryOrDeadLetter(delivery { $0.expiration = "1"; $0.userId = "producer" }).message
        #expect(retry.exchange == topology.retryExchange)
        #expect(retry.properties.expiration == nil)
        #expect(retry.properties.userId == nil)
    }

    @Test("A retry is keyed by the queue it came from, so it goes back to that queue only")
    func retryGoesBackToItsQueue() throws {
        let retry = try retryOrDeadLetter(delivery(routingKey: "vip.en")).message
        #expect(retry.routingKey == "tweets.in")
        #expect(retry.properties.headers["x-original-routing-key"] == .string("vip.en"))
        #expect(retry.properties.headers["x-original-queue"] == .string("tweets.in"))
    }

    @Test("An x-original-routing-key over 255 bytes, or not a string, is never used as a routing key")
    func oversizedRoutingKeyHeaderIsIgnored() {
        for value in [FieldValue.string(String(repeating: "r", count: 256)), .integer(5), .table([:])] {
            let dead = processor.process(delivery(body: "{", headers: ["x-original-routing-key": value]), now: now).message
            #expect(dead.routingKey == "tweet.en")
            #expect(dead.properties.headers["x-original-routing-key"] == .string("tweet.en"))
        }
        // The delivery's own key repaired from invalid UTF-8 can outgrow a short string too.
        let repaired = String(repeating: "\u{FFFD}", count: 100)
        let dead = processor.process(delivery(body: "{", routingKey: repaired), now: now).message
        #expect(dead.routingKey.utf8.count <= 255)
    }

    @Test("Producer headers that leave no room in one frame are left out, tweetd's own stay, and the count is said")
    func oversizedHeadersAreDropped() {
        let big = String(repeating: "h", count: 130_000)
        let dead = processor.process(delivery(body: "{", headers: ["trace": .string(big), "small": .integer(1)]), now: now).message
        #expect(dead.properties.encodedSize <= DeadLetter.maximumPropertiesBytes)
        #expect(dead.properties.headers["trace"] == nil)
        #expect(dead.properties.headers["x-dropped-headers"] == .integer(2))
        #expect(dead.properties.headers["x-error-category"] == .string("invalid_input"))
        #expect(dead.properties.headers["x-original-routing-key"] == .string("tweet.en"))

        let small = processor.process(delivery(body: "{", headers: ["trace": .string("abc")]), now: now).message
        #expect(small.properties.headers["trace"] == .string("abc"), "headers that fit travel along")
        #expect(small.properties.headers["x-dropped-headers"] == nil)
    }

    @Test("CC, BCC and the broker's x-death history never travel on a retry, a dead letter or a replay")
    func brokerRoutingHeadersAreDropped() throws {
        let hostile: [String: FieldValue] = [
            "CC": .array([.string("tweets.in"), .string("tweets.results")]), "BCC": .array([.string("elsewhere")]),
            // A string count crashes the broker's dead-lettering; an entry naming the input queue makes it see a cycle.
            "x-death": .array([.table(["count": .string("x"), "queue": .string("tweets.retry.5"), "reason": .string("expired")])]),
            "x-first-death-queue": .string("tweets.in"), "x-first-death-reason": .string("expired"), "trace": .string("kept"),
        ]
        let retry = try retryOrDeadLetter(delivery(headers: hostile)).message
        let dead = processor.process(delivery(body: "{", headers: hostile), now: now).message
        var fromDeadLetter = delivery(headers: hostile)
        fromDeadLetter.properties.headers["x-error-category"] = .string("provider_unavailable")
        let replay = DeadLetter.replay(fromDeadLetter, topology: topology)
        for message in [retry, dead, replay] {
            for header in ["CC", "BCC", "x-death", "x-first-death-queue", "x-first-death-reason"] {
                #expect(message.properties.headers[header] == nil, "\(header) on a message to \(message.exchange)")
            }
            #expect(message.properties.headers["trace"] == .string("kept"))
        }
    }

    @Test("Headers nested deeper than 32 levels decode as unsupported instead of recursing on")
    func deepNestingIsCut() {
        var value = FieldValue.integer(1)
        for _ in 0..<200 { value = .array([value]) }
        let decoded = FieldTableEncoder.withTable(["deep": value, "flat": .string("x")]) { FieldTableEncoder.decode($0) }
        #expect(decoded["flat"] == .string("x"))
        var depth = 0
        var cursor = decoded["deep"]
        while case .array(let inner)? = cursor {
            depth += 1
            cursor = inner.first
        }
        #expect(depth == FieldTableEncoder.maximumDepth)
        if case .unsupported? = cursor {} else { Issue.record("the level past the limit is unsupported, got \(String(describing: cursor))") }
    }

    @Test("Readiness reports publishing as failing only after failures for 2 s with no success, and forgets after 30 s")
    func publishHealth() {
        let health = PublishHealth()
        let start = ContinuousClock.now
        let error = AMQPError(.publishReturned, "no queue")
        health.failed(error, at: start)
        #expect(health.failure(now: start + .seconds(5)) == nil, "one failure is not a failing pipeline")
        health.failed(error, at: start + .seconds(2))
        #expect(health.failure(now: start + .seconds(3)) != nil)
        #expect(health.failure(now: start + .seconds(40)) == nil, "an idle daemon is ready again")
        health.succeeded()
        health.failed(error, at: start + .seconds(41))
        #expect(health.failure(now: start + .seconds(42)) == nil, "a success starts over")
    }

    @Test("x-first-failed-at that is not an RFC 3339 time is replaced by now")
    func firstFailedAtIsChecked() {
        let dead = processor.process(delivery(body: "{", headers: ["x-first-failed-at": .string(String(repeating: "9", count: 5000))]), now: now).message
        #expect(dead.properties.headers["x-first-failed-at"] == .string(Timestamp.rfc3339(now)))
    }

    @Test("Properties too long for a short string (invalid UTF-8 repaired) are dropped from results and dead letters")
    func overlongShortStringsAreDropped() {
        let long = String(repeating: "\u{FFFD}", count: 100)
        let hostile = delivery(headers: [long: .string("key too long"), "ok": .table([long: .integer(1)])]) { properties in
            properties.messageId = long
            properties.correlationId = long
            properties.contentEncoding = long
        }
        let result = processor.process(hostile, now: now).message
        #expect(result.properties.messageId == "42", "falls back to the tweet id")
        #expect(result.properties.correlationId == nil)

        var invalid = hostile
        invalid.body = Array("{".utf8)
        let dead = processor.process(invalid, now: now).message
        #expect(dead.properties.messageId == nil)
        #expect(dead.properties.contentEncoding == nil)
        #expect(dead.properties.headers[long] == nil)
        #expect(dead.properties.headers["ok"] == .table([:]))
    }

    @Test("The minimal form keeps the body and tweetd's headers only")
    func minimalForm() {
        let dead = processor.process(delivery(body: "{", headers: ["trace": .string("abc")]) { $0.type = "tweet" }, now: now).message
        let minimal = DeadLetter.minimal(dead)
        #expect(minimal.body == dead.body)
        #expect(minimal.exchange == dead.exchange)
        #expect(minimal.routingKey == dead.routingKey)
        #expect(minimal.properties.type == nil)
        #expect(minimal.properties.headers["trace"] == nil)
        #expect(minimal.properties.headers["x-dropped-headers"] == .integer(1))
        #expect(minimal.properties.headers["x-error-category"] == .string("invalid_input"))
        #expect(minimal.properties.deliveryMode == MessageProperties.persistent)
    }

    @Test("Ignored header values are reported once per header name")
    func ignoredHeadersAreReportedOnce() {
        let log = IgnoredHeaderLog()
        #expect(log.shouldReport("x-attempts"))
        #expect(!log.shouldReport("x-attempts"))
        #expect(log.shouldReport("x-hold-retries"))
    }
}
