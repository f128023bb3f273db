@testable import Engine
import Foundation
import Testing

@Suite("Message processing without a broker")
struct OutcomeBuilderTests {
    let topology = TopologyConfiguration()
    var processor: OutcomeBuilder { OutcomeBuilder(decoder: TweetDecoder(), topology: topology) }
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    private func delivery(_ body: String, headers: [String: FieldValue] = [:], priority: UInt8? = 4) -> Delivery {
        Delivery(
            deliveryTag: 7, connectionGeneration: 1, queue: "tweets.in", exchange: "tweets", routingKey: "tweet.en",
            redelivered: true,
            properties: MessageProperties(contentType: "application/json", headers: headers, priority: priority, messageId: "m-1", timestamp: 1_789_999_999),
            body: Array(body.utf8)
        )
    }

    @Test("A valid tweet becomes a persistent result on the results exchange, keyed provider.sentiment")
    func validTweetBecomesResult() throws {
        let outcome = processor.process(delivery(#"{"id":"123","text":"I love this, what a great day! #happy"}"#), now: now)
        #expect(outcome.kind == .result(provider: "builtin"))
        #expect(outcome.tweetID == "123")
        let message = outcome.message
        #expect(message.exchange == "tweets.results")
        #expect(message.routingKey.hasPrefix("builtin."))
        #expect(message.mandatory)
        #expect(message.properties.deliveryMode == 2)
        #expect(message.properties.messageId == "m-1")
        #expect(message.properties.contentType == "application/json")

        let json = try StrictJSONParser().parse(message.body)
        let object = try #require(json.objectValue)
        #expect(object["id"] == .string("123"))
        #expect(object["provider"] == .string("builtin"))
        #expect(object["attempts"] == .integer(1))
        let source = try #require(object["source"]?.objectValue)
        #expect(source["message_id"] == .string("m-1"))
        #expect(source["routing_key"] == .string("tweet.en"))
        #expect(source["redelivered"] == .bool(true))
        let priority = try #require(object["priority"]?.objectValue)
        #expect(priority["assigned"] == .integer(4))
        let timing = try #require(object["timing"]?.objectValue)
        #expect(timing["queued_ms"] == .double(1000))
        let analysis = try #require(object["analysis"]?.objectValue)
        let label = try #require(analysis["sentiment"]?.objectValue?["label"]?.stringValue)
        #expect(message.routingKey == "builtin.\(label)")
        for key in ["model", "content", "usage", "pipeline_version"] {
            #expect(object[key] != nil, "result has \(key)")
        }
    }

    @Test("An invalid body becomes an invalid_input dead letter with the contract's headers and the body untouched")
    func invalidBodyBecomesDeadLetter() throws {
        let body = #"{"id":"1","text":"hi","metrics":{"likes":-1}}"#
        let input = delivery(body, headers: ["trace": .string("abc")])
        let outcome = processor.process(input, now: now)
        guard case .deadLetter(let category, let reason) = outcome.kind else {
            Issue.record("expected a dead letter, got \(outcome.kind)")
            return
        }
        #expect(category == .invalidInput)
        #expect(reason.contains("metrics.likes"))
        let letter = outcome.message
        #expect(letter.exchange == "tweets.dead")
        #expect(letter.routingKey == "tweet.en")
        #expect(letter.body == Array(body.utf8))
        #expect(letter.properties.priority == 4)
        #expect(letter.properties.messageId == "m-1")
        let headers = letter.properties.headers
        #expect(headers["trace"] == .string("abc"), "the producer's headers survive")
        #expect(headers[DeadLetter.Header.category] == .string("invalid_input"))
        #expect(headers[DeadLetter.Header.message]?.stringValue == reason)
        #expect(headers[DeadLetter.Header.attempts] == .integer(1))
        #expect(headers[DeadLetter.Header.firstFailedAt] == .string("2026-09-21T14:13:20.000Z"))
        #expect(headers[DeadLetter.Header.lastFailedAt] == .string("2026-09-21T14:13:20.000Z"))
        #expect(headers[DeadLetter.Header.originalExchange] == .string("tweets"))
        #expect(headers[DeadLetter.Header.originalRoutingKey] == .string("tweet.en"))
        #expect(headers[DeadLetter.Header.provider] == nil)
    }

    @Test("A retried message keeps its first failure time and original routing, and counts the attempt")
    func retriedMessageKeepsItsHistory() {
        let input = delivery("not json", headers: [
            DeadLetter.Header.attempts: .integer(2),
            DeadLetter.Header.firstFailedAt: .string("2026-01-01T00:00:00.000Z"),
            DeadLetter.Header.originalExchange: .string("tweets"),
            DeadLetter.Header.originalRoutingKey: .string("tweet.pl"),
        ])
        let headers = processor.process(input, now: now).message.properties.headers
        #expect(headers[DeadLetter.Header.attempts] == .integer(3))
        #expect(headers[DeadLetter.Header.firstFailedAt] == .string("2026-01-01T00:00:00.000Z"))
        #expect(headers[DeadLetter.Header.originalRoutingKey] == .string("tweet.pl"))
    }

    @Test("Error messages in headers are one line and bounded")
    func errorMessagesAreOneBoundedLine() {
        let text = DeadLetter.oneLine("first\nsecond\t\tthird\r\n" + String(repeating: "x", count: 5000))
        #expect(!text.contains("\n"))
        #expect(text.hasPrefix("first second third x"))
        #expect(text.count <= 1001)
    }
}
