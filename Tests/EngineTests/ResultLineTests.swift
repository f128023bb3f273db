import Engine
import Foundation
import Testing

@Suite("Printing results for tweetd subscribe")
struct ResultLineTests {
    /// A real result body, as the pipeline publishes it.
    private func resultBody(text: String) -> [UInt8] {
        let delivery = Delivery(
            deliveryTag: 1, connectionGeneration: 1, queue: "tweets.in", exchange: "tweets", routingKey: "tweet",
            redelivered: false, properties: MessageProperties(priority: 7, messageId: "1001"),
            body: Array(#"{"id":"1001","text":"\#(text)"}"#.utf8)
        )
        return OutcomeBuilder(decoder: TweetDecoder(), topology: TopologyConfiguration()).process(delivery, now: Date()).message.body
    }

    @Test("A result body passes through as one JSON line, unchanged")
    func resultPassesThrough() throws {
        let body = resultBody(text: "I love this, what a great day! #swift")
        let line = try #require(ResultLine.json(body))
        #expect(Array(line.utf8) == body)
        #expect(!line.contains("\n"))
    }

    @Test("A body spread over lines is re-serialized onto one, and a body that is not JSON is refused")
    func otherBodies() {
        #expect(ResultLine.json(Array("{\n  \"id\": \"1\",\n  \"text\": \"a\\nb\"\n}".utf8)) == #"{"id":"1","text":"a\nb"}"#)
        #expect(ResultLine.json(Array("not json".utf8)) == nil)
    }

    @Test("The human line shows id, language, sentiment, priority, provider, topics and summary")
    func humanLine() {
        let line = ResultLine.human(resultBody(text: "I love this, what a great day! #swift"))
        #expect(line.hasPrefix("1001  en  positive +"), "\(line)")
        #expect(line.contains("  priority 7  builtin/tweetd-builtin-1  topics: "), "\(line)")
        #expect(line.hasSuffix(#""I love this, what a great day! #swift""#), "\(line)")
        #expect(ResultLine.human(Array("[1]".utf8)) == "(not a JSON object: 3 bytes)")
    }
}
