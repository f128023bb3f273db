import Engine
import Foundation
import Testing

/// Bad input never crashes the daemon and never disappears: the sender gets one dead letter with a reason.
@Suite("Invalid input on a real broker")
struct InvalidInputTests {
    /// Bodies that break the input contract, each with a name for the report.
    static let badBodies: [(name: String, body: [UInt8])] = {
        func text(_ string: String) -> [UInt8] { Array(string.utf8) }
        var cases: [(String, [UInt8])] = [
            ("empty body", []),
            ("whitespace", text("   \n\t ")),
            ("null", text("null")),
            ("array", text("[{\"id\":\"1\",\"text\":\"hi\"}]")),
            ("number", text("42")),
            ("bare string", text("\"hello\"")),
            ("boolean", text("true")),
            ("truncated JSON", text("{\"id\":\"1\",\"text\":\"hel")),
            ("trailing bytes", text("{\"id\":\"1\",\"text\":\"hi\"} extra")),
            ("two objects", text("{\"id\":\"1\",\"text\":\"a\"}{\"id\":\"2\",\"text\":\"b\"}")),
            ("missing id", text("{\"text\":\"hi\"}")),
            ("empty id", text("{\"id\":\"\",\"text\":\"hi\"}")),
            ("id too long", text("{\"id\":\"\(String(repeating: "x", count: 65))\",\"text\":\"hi\"}")),
            ("negative integer id", text("{\"id\":-5,\"text\":\"hi\"}")),
            ("id is an object", text("{\"id\":{},\"text\":\"hi\"}")),
            ("missing text", text("{\"id\":\"1\"}")),
            ("text is a number", text("{\"id\":\"1\",\"text\":7}")),
            ("author is a string", text("{\"id\":\"1\",\"text\":\"hi\",\"author\":\"bob\"}")),
            ("negative followers", text("{\"id\":\"1\",\"text\":\"hi\",\"author\":{\"followers\":-1}}")),
            ("verified is a number", text("{\"id\":\"1\",\"text\":\"hi\",\"author\":{\"verified\":1}}")),
            ("negative likes", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"likes\":-3}}")),
            ("fractional retweets", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"retweets\":1.5}}")),
            ("metrics is an array", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":[1,2]}")),
            ("media is an object", text("{\"id\":\"1\",\"text\":\"hi\",\"media\":{\"type\":\"photo\"}}")),
            ("media without type", text("{\"id\":\"1\",\"text\":\"hi\",\"media\":[{\"url\":\"http://x\"}]}")),
            ("created_at not RFC 3339", text("{\"id\":\"1\",\"text\":\"hi\",\"created_at\":\"yesterday\"}")),
            ("lang is a number", text("{\"id\":\"1\",\"text\":\"hi\",\"lang\":5}")),
            ("invalid UTF-8", [0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]),
            ("overlong UTF-8", text("{\"id\":\"1\",\"text\":\"") + [0xC0, 0xAF] + text("\"}")),
            ("UTF-8 surrogate", text("{\"id\":\"1\",\"text\":\"") + [0xED, 0xA0, 0x80] + text("\"}")),
            ("lone surrogate escape", text("{\"id\":\"1\",\"text\":\"\\ud800\"}")),
            ("duplicate keys", text("{\"id\":\"1\",\"id\":\"2\",\"text\":\"hi\"}")),
            ("nested duplicate keys", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"likes\":1,\"likes\":2}}")),
            ("XML", text("<tweet><id>1</id><text>hi</text></tweet>")),
            ("CSV", text("id,text\n1,hi\n")),
            ("NUL byte", text("{\"id\":\"1\",\"text\":\"hi\"}") + [0]),
            ("single quotes", text("{'id':'1','text':'hi'}")),
            ("comment", text("{\"id\":\"1\",/*c*/\"text\":\"hi\"}")),
            ("NaN", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"likes\":NaN}}")),
            ("number out of range", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"likes\":99999999999999999999999}}")),
            ("huge exponent", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"likes\":1e400}}")),
            ("100,000-deep nesting", Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000)),
            ("text over the length limit", text("{\"id\":\"1\",\"text\":\"\(String(repeating: "a", count: 25_001))\"}")),
            ("body over the size limit", text("{\"id\":\"1\",\"text\":\"hi\",\"pad\":\"\(String(repeating: "b", count: 270_000))\"}")),
        ]
        cases.append(("leading zeros", text("{\"id\":\"1\",\"text\":\"hi\",\"metrics\":{\"likes\":007}}")))
        return cases
    }()

    @Test("Each of 45 kinds of bad input becomes exactly one invalid_input dead letter with its body untouched")
    func badInputBecomesOneDeadLetterEach() async throws {
        try await TestBroker.with { broker, client in
            let bad = Self.badBodies
            let goodIDs = (0..<20).map { "good-\($0)" }
            // Good tweets between the bad ones show the daemon keeps going.
            var bodies: [[UInt8]] = []
            var messageIDs: [String] = []
            for (index, entry) in bad.enumerated() {
                bodies.append(entry.body)
                messageIDs.append("bad-\(index)")
                if index < goodIDs.count {
                    bodies.append(tweetBody(id: goodIDs[index], text: "fine"))
                    messageIDs.append(goodIDs[index])
                }
            }
            try await broker.publish(bodies, messageIDs: messageIDs, with: client)

            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 4))
            let status = await daemon.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "stderr:\n\(daemon.standardError.suffix(3000))")

            let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            print("bad inputs \(bad.count) -> dead letters \(dead.count); good \(goodIDs.count) -> results \(results.count)")
            #expect(dead.count == bad.count, "one dead letter per bad input")
            #expect(results.count == goodIDs.count, "every good tweet still got its result")

            var seen: Set<String> = []
            for letter in dead {
                let messageID = try #require(letter.properties.messageId)
                let index = try #require(Int(messageID.dropFirst("bad-".count)))
                let (name, body) = bad[index]
                seen.insert(messageID)
                let headers = letter.properties.headers
                #expect(headers["x-error-category"]?.stringValue == "invalid_input", "\(name)")
                let reason = headers["x-error-message"]?.stringValue ?? ""
                #expect(!reason.isEmpty, "\(name) has a reason")
                #expect(headers["x-attempts"]?.integerValue == 1, "\(name)")
                #expect(headers["x-original-exchange"]?.stringValue == broker.topology.exchange, "\(name)")
                #expect(headers["x-original-routing-key"]?.stringValue == "tweet", "\(name)")
                #expect(headers["x-first-failed-at"]?.stringValue != nil, "\(name)")
                #expect(headers["x-last-failed-at"]?.stringValue != nil, "\(name)")
                #expect(letter.body == body, "\(name): the body is untouched")
                #expect(letter.routingKey == "tweet")
                print("  \(name): \(reason)")
            }
            #expect(seen.count == bad.count, "no bad input has two dead letters")
        }
    }

    @Test("Bodies declared larger than 4 x max_message_bytes are rejected unread: memory stays flat, the broker dead-letters them whole")
    func hugeBodiesAreRejectedUnread() async throws {
        try await TestBroker.with { broker, client in
            // 24 messages of 4 MiB at prefetch 16: read whole, they would take 64 MiB and more at once.
            let huge = Array(repeating: UInt8(ascii: "x"), count: 4 << 20)
            let ids = (0..<24).map { "huge-\($0)" }
            try await broker.publish(ids.map { _ in huge }, messageIDs: ids, with: client)
            try await broker.publish([tweetBody(id: "small", text: "still fine")], messageIDs: ["small"], with: client)
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 8, prefetch: 16))
            var peak = 0
            while daemon.isRunning {
                peak = max(peak, daemon.peakResidentKiB ?? 0)
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(2000))")
            let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
            let results = try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client)
            print("huge bodies: \(ids.count) x 4 MiB -> \(dead.count) dead letters, \(results.count) results; peak RSS \(peak / 1024) MiB")
            #expect(dead.count == ids.count)
            #expect(results.count == 1, "the small tweet after them still gets its result")
            for letter in dead {
                #expect(letter.body.count == huge.count, "the broker kept the body whole")
                #expect(letter.properties.headers["x-first-death-reason"]?.stringValue == "rejected")
            }
            #expect(peak > 0 && peak < 100 * 1024, "peak resident memory \(peak) KiB: no body over the limit was held whole")
            #expect(daemon.standardError.contains("rejected a body too large to read"))
        }
    }
}
