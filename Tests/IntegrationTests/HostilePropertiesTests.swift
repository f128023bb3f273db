import Engine
import Foundation
import Testing

/// Headers and properties are producer input like the body: a fuzzer sends random and
/// adversarial values for every property and every header tweetd reads or copies, on
/// valid and invalid bodies, and the daemon must stay up, finish, and settle each
/// message exactly once: a result for each valid tweet, a dead letter that stays for
/// each invalid one.
@Suite("Hostile headers and properties on a real broker")
struct HostilePropertiesTests {
    /// The second broker user `make test` creates, for messages whose `user_id` names it.
    static let producerUser = "tweetdproducer"

    @Test("5,000 messages with fuzzed properties and headers: exactly one result or one dead letter (without expiration) each, the drain ends")
    func fuzzedPropertiesAndHeaders() async throws {
        try await TestBroker.with { broker, client in
            var fuzzer = HostileProperties(seed: 20261203)
            let messages = (0..<5000).map { fuzzer.next(index: $0, topology: broker.topology) }
            let producer = try await Self.connectAsProducer(broker)
            // Messages whose user_id names the producer user must be published by it (the broker checks).
            let asProducer = messages.filter { $0.message.properties.userId != nil }
            let asGuest = messages.filter { $0.message.properties.userId == nil }
            try await Self.publish(asGuest.map(\.message), with: client)
            try await Self.publish(asProducer.map(\.message), with: producer)
            await producer.close()
            print("fuzzed properties: \(messages.count) messages, \(asProducer.count) with a user_id, \(messages.filter(\.valid).count) valid bodies")

            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 8))
            let status = await daemon.waitForExit(timeout: .seconds(300))
            #expect(status == 0, "the daemon stays up and the drain ends; stderr:\n\(daemon.standardError.suffix(3000))")

            let results = try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client)
            let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
            let left = try await broker.inspect(broker.inputQueue, with: client).messages
            var resultsByID: [String: Int] = [:]
            for result in results {
                resultsByID[try #require(resultJSON(result)["id"] as? String), default: 0] += 1
            }
            var deadByBody: [[UInt8]: Int] = [:]
            for letter in dead {
                deadByBody[letter.body, default: 0] += 1
                #expect(letter.properties.headers["x-error-category"]?.stringValue == "invalid_input", "\(letter.properties.headers.keys.sorted())")
                #expect(letter.properties.expiration == nil, "a dead letter must not expire")
                #expect(letter.properties.userId == nil)
            }
            let valid = messages.filter(\.valid)
            let invalid = messages.filter { !$0.valid }
            let missingResults = valid.filter { resultsByID[$0.id] == nil }
            let missingDead = invalid.filter { deadByBody[$0.message.body] == nil }
            let duplicateResults = resultsByID.values.reduce(0) { $0 + $1 - 1 }
            let duplicateDead = deadByBody.values.reduce(0) { $0 + $1 - 1 }
            print("fuzzed properties: out \(results.count) results for \(valid.count) valid, \(dead.count) dead letters for \(invalid.count) invalid; "
                + "\(missingResults.count) + \(missingDead.count) missing, \(duplicateResults) + \(duplicateDead) duplicates, \(left) left")
            #expect(missingResults.isEmpty, "valid tweets without a result: \(missingResults.prefix(3).map(\.description))")
            #expect(missingDead.isEmpty, "invalid messages without a dead letter: \(missingDead.prefix(3).map(\.description))")
            #expect(duplicateResults == 0 && duplicateDead == 0, "no broker refusal took other publishes down with it")
            #expect(results.count + dead.count == messages.count)
            #expect(left == 0)
            #expect(!daemon.standardError.contains("publish channel closed"), "no publish was refused: \(daemon.standardError.suffix(2000))")
        }
    }

    /// A publisher logged in as the second broker user.
    static func connectAsProducer(_ broker: TestBroker) async throws -> PublisherConnection {
        var components = try #require(URLComponents(string: broker.url))
        components.user = producerUser
        components.password = producerUser
        let configuration = try TweetdConfiguration.load(yaml: nil, environment: [:], overrides: ["broker.url": try #require(components.string)])
        let publisher = PublisherConnection(endpoint: configuration.endpoint, name: "producer", logger: broker.logger)
        try await publisher.start()
        return publisher
    }

    static func publish(_ messages: [OutgoingMessage], with publisher: PublisherConnection) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask { try await publisher.publish(message) }
                if index >= 200 { _ = try await group.next() }
            }
            try await group.waitForAll()
        }
    }
}

/// Seeded messages with hostile properties and headers: every header tweetd reads
/// (`x-attempts`, `x-hold-retries`, `x-replays`, `x-original-…`, `x-first-failed-at`),
/// ones it copies (`x-death`, anything else), and every property, at their edges.
struct HostileProperties {
    struct Fuzzed: CustomStringConvertible {
        var id: String
        var valid: Bool
        var message: OutgoingMessage
        var description: String { "\(id) \(message.properties)" }
    }

    private var generator: SeededRandom

    init(seed: UInt64) {
        generator = SeededRandom(seed: seed)
    }

    private mutating func chance(_ percent: Int) -> Bool {
        generator.below(100) < percent
    }

    private mutating func pick<T>(_ values: [T]) -> T {
        values[generator.below(values.count)]
    }

    /// A count header as a hostile producer writes it.
    private mutating func count() -> FieldValue {
        pick([
            .integer(.max), .integer(.min), .string("9223372036854775807"), .string("-1"), .integer(-1), .string("abc"),
            .integer(2), .string("3"), .double(1e300), .double(-2.5), .bool(true), .table(["a": .integer(1)]), .void, .bytes([0xFF]),
        ])
    }

    private mutating func name() -> FieldValue {
        pick([
            .string(String(repeating: "k", count: 256)), .string(String(repeating: "é", count: 200)), .string(""), .string("tweet.ok"),
            .integer(5), .string("amq.direct"), .string("no.such.exchange"), .bytes([0xFF, 0xFE]), .string("a\u{0}b"),
        ])
    }

    private mutating func anyValue(depth: Int = 0) -> FieldValue {
        switch generator.below(depth > 3 ? 8 : 10) {
        case 0: return .string(String(repeating: "v", count: generator.below(2000)))
        case 1: return .integer(Int64(bitPattern: generator.next()))
        // RabbitMQ cannot hold NaN or an infinity (it closes the producer's connection), so none reaches tweetd.
        case 2: return .double(pick([-0.0, 1.5, 1e308]))
        case 3: return .bool(chance(50))
        case 4: return .timestamp(generator.next())
        case 5: return .bytes((0..<generator.below(64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        case 6: return .void
        case 7: return .string("ünïcødé ✨ \u{202E}")
        case 8: return .table(["nested": anyValue(depth: depth + 1), "k\(generator.below(9))": anyValue(depth: depth + 1)])
        default: return .array((0..<generator.below(4)).map { _ in anyValue(depth: depth + 1) })
        }
    }

    mutating func next(index: Int, topology: TopologyConfiguration) -> Fuzzed {
        let id = "p\(index)"
        let valid = chance(60)
        let body: String
        if valid {
            body = #"{"id":"\#(id)","text":"fuzzed properties number \#(index) are fine"}"#
        } else {
            body = pick([#"{"id":"\#(id)"}"#, #"{"id":"\#(id)","text":5}"#, "not json \(id)", #"{"id":"\#(id)","text":"x","id":"y"}"#])
        }
        var headers: [String: FieldValue] = [:]
        if chance(40) { headers["x-attempts"] = count() }
        if chance(25) { headers["x-hold-retries"] = count() }
        if chance(15) { headers["x-replays"] = count() }
        if chance(30) { headers["x-original-routing-key"] = name() }
        if chance(20) { headers["x-original-exchange"] = name() }
        if chance(10) { headers["x-original-queue"] = name() }
        if chance(15) { headers["x-first-failed-at"] = pick([.string("yesterday"), .string(String(repeating: "9", count: 3000)), .integer(1), .string("2026-12-03T08:00:00Z")]) }
        if chance(15) {
            headers["x-death"] = pick([
                .string("dead"), .array([.integer(1), .string("x")]), .table([:]),
                .array([.table(["count": .integer(.max), "queue": .string(topology.queues[0].name), "reason": .string("expired")])]),
            ])
        }
        if chance(10) { headers["tweetd-retry-delay"] = pick([.string("5"), .string("-1"), .integer(5)]) }
        if chance(10) { headers["CC"] = .array([.string(topology.queues[0].name), .string("elsewhere")]) }
        if chance(5) {
            headers["x-death"] = .array([.table(["count": .string("x"), "queue": .string(topology.queues[0].name), "reason": .string("expired")])])
        }
        if chance(30) {
            for _ in 0..<(1 + generator.below(5)) {
                headers[pick(["trace", "x-match", "x-error-category", "x-provider", "h\(generator.below(100))", String(repeating: "K", count: 255)])] = anyValue()
            }
        }
        // Now and then, headers that fill the producer's frame almost to the end, or nest 2,000 deep.
        if index % 500 == 7 { headers = ["x-attempts": .integer(1), "padding": .string(String(repeating: "p", count: 130_000))] }
        if index % 500 == 11 {
            var deep = FieldValue.integer(1)
            for _ in 0..<2000 { deep = .array([deep]) }
            headers["deep"] = deep
        }

        var properties = MessageProperties(headers: headers)
        let padded = headers["padding"] != nil
        properties.contentType = chance(80) ? "application/json" : pick(["text/plain", String(repeating: "c", count: 255), ""])
        if chance(20) { properties.contentEncoding = pick(["gzip", "identity", "\u{1F600}"]) }
        properties.deliveryMode = pick([1, 2, 2, nil])
        if chance(70) { properties.priority = UInt8(generator.below(256)) }
        if chance(30) { properties.correlationId = pick(["c-\(index)", String(repeating: "c", count: 255), ""]) }
        if chance(20) { properties.replyTo = pick(["replies.\(index)", "nowhere", ""]) }
        // Long enough never to expire in the input, however loaded the machine: the dead letters are
        // checked for the property itself.
        if chance(25) { properties.expiration = pick(["600000", "900000"]) }
        if chance(60) { properties.messageId = pick([id, String(repeating: "m", count: 255), ""]) }
        if chance(30) { properties.timestamp = pick([0, UInt64.max, 1_790_000_000]) }
        if chance(20) { properties.type = pick(["tweet", String(repeating: "t", count: 255)]) }
        if chance(10) { properties.userId = HostilePropertiesTests.producerUser }
        if padded {
            // The frame is full already: only a short user id fits beside the padding.
            properties = MessageProperties(headers: headers, userId: properties.userId)
        }
        if chance(20) { properties.appId = pick(["producer", String(repeating: "a", count: 255)]) }

        let routingKey = pick(["tweet", "tweet.en", String(repeating: "r", count: 255), "", "ünï.cødé"])
        return Fuzzed(
            id: id, valid: valid,
            message: OutgoingMessage(exchange: topology.exchange, routingKey: routingKey, properties: properties, body: Array(body.utf8))
        )
    }
}
