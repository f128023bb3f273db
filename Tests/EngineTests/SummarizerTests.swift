import Engine
import Testing

@Suite("Summary")
struct SummarizerTests {
    let summarizer = Summarizer()

    @Test("a short tweet is its own summary, without URLs and extra whitespace")
    func shortTweetUnchangedButCleaned() {
        #expect(summarizer.summarize("Hello   world\n\nfrom  Swift") == "Hello world from Swift")
        #expect(summarizer.summarize("Read the docs at https://swift.org. They are great") == "Read the docs at. They are great")
        #expect(summarizer.summarize("Look (https://example.com/a) now") == "Look now")
        #expect(summarizer.summarize("Wow! https://example.com/a.") == "Wow!")
        #expect(summarizer.summarize("(see https://example.com/a)") == "(see)")
        #expect(summarizer.summarize("https://t.co/abc") == "")
        #expect(summarizer.summarize("") == "")
    }

    @Test("exactly 140 characters are kept whole; 141 are shortened")
    func limitBoundary() {
        let exact = String(repeating: "abcd ", count: 27) + "abcde"
        #expect(exact.count == 140)
        #expect(summarizer.summarize(exact) == exact)
        let over = exact + "f"
        let summary = summarizer.summarize(over)
        #expect(summary.count <= 140)
        #expect(summary.hasSuffix("…"))
    }

    @Test("whole leading sentences are used when they fit, without an ellipsis")
    func leadingSentences() {
        let text = "This is the first sentence of a fairly long tweet that goes on. "
            + "And here is a second sentence which is also fairly long and descriptive. "
            + "Third sentence won't fit at all in the limit."
        #expect(summarizer.summarize(text)
            == "This is the first sentence of a fairly long tweet that goes on. And here is a second sentence which is also fairly long and descriptive.")
    }

    @Test("a tiny first sentence is not a summary; the text is cut between words instead")
    func tinySentenceIsNotEnough() {
        let text = "Wow. " + String(repeating: "longer words here ", count: 12)
        let summary = summarizer.summarize(text)
        #expect(summary.hasPrefix("Wow. longer words"))
        #expect(summary.hasSuffix("…"))
    }

    @Test("a cut never splits a word and ends with an ellipsis")
    func cutsAtWordBoundary() {
        let text = String(repeating: "extraordinary ", count: 20)
        let summary = summarizer.summarize(text)
        #expect(summary.count <= 140)
        #expect(summary.hasSuffix("…"))
        let words = summary.dropLast().split(separator: " ")
        #expect(words.allSatisfy { $0 == "extraordinary" })
    }

    @Test("dangling punctuation before the cut is dropped")
    func dropsDanglingPunctuation() {
        let text = String(repeating: "word, ", count: 40)
        let summary = summarizer.summarize(text)
        #expect(summary.hasSuffix("word…"))
    }

    @Test("a word longer than the limit is cut between graphemes, never inside one")
    func neverSplitsGraphemes() {
        let text = String(repeating: "👍🏽", count: 200)
        let summary = summarizer.summarize(text)
        #expect(summary.count == 140)
        #expect(summary.dropLast().allSatisfy { $0 == "👍🏽" })
        #expect(summary.last == "…")
        let flags = String(repeating: "🇵🇱", count: 150)
        #expect(summarizer.summarize(flags).dropLast().allSatisfy { $0 == "🇵🇱" })
    }

    @Test("Chinese and Japanese text is cut between characters")
    func cutsUnspacedScripts() {
        let text = String(repeating: "日本語の文章です", count: 30)
        let summary = summarizer.summarize(text)
        #expect(summary.count == 140)
        #expect(summary.hasSuffix("…"))
        #expect(text.hasPrefix(summary.dropLast()))
    }

    @Test("Japanese sentences end at 。 without a following space")
    func fullwidthSentenceEnd() {
        let first = String(repeating: "今日はとても良い天気でした", count: 5) + "。"
        let text = first + String(repeating: "明日も晴れるといいですね", count: 10)
        #expect(summarizer.summarize(text) == first)
    }

    @Test("a long URL does not count against the limit")
    func urlsDoNotCount() {
        let text = "Big news https://example.com/" + String(repeating: "x", count: 300) + " today"
        #expect(summarizer.summarize(text) == "Big news today")
    }

    @Test("a custom limit is honoured")
    func customLimit() {
        let summary = Summarizer(limit: 20).summarize("The quick brown fox jumps over the lazy dog")
        #expect(summary == "The quick brown fox…")
    }
}
