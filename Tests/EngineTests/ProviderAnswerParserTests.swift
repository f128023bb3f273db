import Engine
import Testing

@Suite("Providers: model answer parsing")
struct ProviderAnswerParserTests {
    private let object = #"{"sentiment": "negative", "sentiment_score": -0.7, "topics": ["rust"], "summary": "Unhappy with compile times.", "language": "en"}"#

    private func parse(_ text: String) throws(ProviderError) -> ModelAnswer {
        try ModelAnswerParser.parse(text, provider: "test")
    }

    private func failure(_ text: String) -> ProviderError? {
        do throws(ProviderError) {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "the object is found alone, in a fence, or among prose",
        arguments: [
            "OBJECT",
            "  \nOBJECT\n",
            "```json\nOBJECT\n```",
            "```\nOBJECT\n```",
            "```JSON OBJECT```",
            "Here is the analysis:\n\n```json\nOBJECT\n```\nHope this helps!",
            "Here is the analysis: OBJECT",
            "OBJECT\n\nThe tweet is clearly negative {as you can see}.",
        ]
    )
    func acceptedShapes(template: String) throws {
        let answer = try parse(template.replacingOccurrences(of: "OBJECT", with: object))
        #expect(answer == ModelAnswer(
            sentiment: Sentiment(label: .negative, score: -0.7),
            topics: ["rust"],
            summary: "Unhappy with compile times.",
            language: "en"
        ))
    }

    @Test("braces and fences inside strings do not confuse the search")
    func bracesInStrings() throws {
        let answer = try parse(#"Result: {"sentiment": "neutral", "topics": [], "summary": "Code like } and { and ``` in a \"tweet\"."} done"#)
        #expect(answer.summary == #"Code like } and { and ``` in a "tweet"."#)
        #expect(answer.sentiment == .neutral)
    }

    @Test("the label is case-insensitive and the score is clamped to -1…1")
    func labelAndClamp() throws {
        let answer = try parse(#"{"sentiment": " Positive ", "sentiment_score": 3.5, "topics": [], "summary": ""}"#)
        #expect(answer.sentiment == Sentiment(label: .positive, score: 1))
        let low = try parse(#"{"sentiment": "NEGATIVE", "sentiment_score": -9, "topics": [], "summary": ""}"#)
        #expect(low.sentiment.score == -1)
    }

    @Test(
        "a missing or null score comes from the label",
        arguments: [("positive", 0.6), ("negative", -0.6), ("neutral", 0.0), ("mixed", 0.0)]
    )
    func defaultScores(label: String, score: Double) throws {
        let missing = try parse(#"{"sentiment": "\#(label)", "topics": [], "summary": "s"}"#)
        #expect(missing.sentiment.score == score)
        let null = try parse(#"{"sentiment": "\#(label)", "sentiment_score": null, "topics": [], "summary": "s"}"#)
        #expect(null.sentiment.score == score)
    }

    @Test("a sentiment object with label and score is accepted, and a numeric string score is read")
    func sentimentObject() throws {
        let nested = try parse(#"{"sentiment": {"label": "mixed", "score": 0.1}, "topics": [], "summary": "s"}"#)
        #expect(nested.sentiment == Sentiment(label: .mixed, score: 0.1))
        let stringScore = try parse(#"{"sentiment": "positive", "sentiment_score": "0.9", "topics": [], "summary": "s"}"#)
        #expect(stringScore.sentiment.score == 0.9)
    }

    @Test("topics are trimmed, lowercased, stripped of #, deduplicated and cut to five")
    func topics() throws {
        let answer = try parse(
            #"{"sentiment": "neutral", "topics": [" #AI ", "ai", "Machine Learning", "", "llms", "gpu", "rust", "go"], "summary": "s"}"#
        )
        #expect(answer.topics == ["ai", "machine learning", "llms", "gpu", "rust"])
    }

    @Test("the summary is put on one line and cut to 280 characters at a character boundary")
    func summaryCut() throws {
        let long = String(repeating: "👍🏽 ok ", count: 100)
        let answer = try parse(#"{"sentiment": "positive", "topics": [], "summary": "line one\nline two \#(long)"}"#)
        #expect(answer.summary.count == 280)
        #expect(answer.summary.hasPrefix("line one line two 👍🏽 ok"))
        #expect(answer.summary.hasSuffix("…"))
        #expect(answer.summary.unicodeScalars.allSatisfy { $0 != "\n" })
    }

    @Test(
        "language becomes a primary subtag, or nil when unusable",
        arguments: [("en", "en"), ("PT-br", "pt"), ("zh_Hant", "zh"), ("English", nil), ("", nil), ("e1", nil)] as [(String, String?)]
    )
    func language(value: String, expected: String?) throws {
        let answer = try parse(#"{"sentiment": "neutral", "topics": [], "summary": "s", "language": "\#(value)"}"#)
        #expect(answer.language == expected)
    }

    @Test(
        "anything else is output_invalid with a message saying what is wrong",
        arguments: [
            ("", "answer is empty"),
            ("The tweet is positive.", #"answer is not JSON: "The tweet is positive.""#),
            (#"{"sentiment": "positive", "topics": ["a"], "summary": "s""#, #"answer is not JSON: no "}" closes its first "{": "#),
            (#"{"sentiment": "positive", "topics": [], "summary": "s",}"#, "answer is not JSON: "),
            (#"[{"sentiment": "positive"}]"#, "answer is JSON but not an object: got array"),
            (#"{"topics": [], "summary": "s"}"#, #"answer has no "sentiment""#),
            (#"{"sentiment": "happy", "topics": [], "summary": "s"}"#, #""sentiment" must be positive, negative, neutral or mixed, got "happy""#),
            (#"{"sentiment": 1, "topics": [], "summary": "s"}"#, #""sentiment" must be positive, negative, neutral or mixed, got 1"#),
            (#"{"sentiment": "positive", "sentiment_score": "high", "topics": [], "summary": "s"}"#, #""sentiment_score" must be a number"#),
            (#"{"sentiment": "positive", "summary": "s"}"#, #"answer has no "topics""#),
            (#"{"sentiment": "positive", "topics": "ai", "summary": "s"}"#, #""topics" must be an array of strings, got "ai""#),
            (#"{"sentiment": "positive", "topics": [1], "summary": "s"}"#, #""topics" must be an array of strings, got an element 1"#),
            (#"{"sentiment": "positive", "topics": []}"#, #"answer has no "summary""#),
            (#"{"sentiment": "positive", "topics": [], "summary": ["s"]}"#, #""summary" must be a string, got array"#),
            (#"A: {"sentiment": "positive", "topics": [], "summary": "s"} B: {"sentiment": "negative", "topics": [], "summary": "t"}"#,
             "answer holds more than one JSON object"),
        ]
    )
    func invalid(answer: String, message: String) throws {
        let error = try #require(failure(answer))
        #expect(error.kind == .outputInvalid)
        #expect(error.provider == "test")
        #expect(error.status == nil)
        #expect(error.message.hasPrefix(message), "got \(error.message)")
    }
}
