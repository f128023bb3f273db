import Engine
import Testing

@Suite("Built-in analysis")
struct BuiltinAnalyzerTests {
    let analyzer = BuiltinAnalyzer()

    @Test("a full tweet yields language, sentiment, topics, summary and statistics")
    func analysesFullTweet() {
        let tweet = Tweet(
            id: "42",
            text: "Just watched the #WWDC keynote with @tim_cook 🍎 The new Swift features look amazing! https://apple.com/wwdc.",
            lang: "en",
            media: [.init(type: "photo")]
        )
        let analysis = analyzer.analyze(tweet)
        #expect(analysis.language == "en")
        #expect(analysis.sentiment.label == .positive)
        #expect(analysis.topics.first == "wwdc")
        #expect(analysis.topics.contains("keynote"))
        #expect(analysis.summary == "Just watched the #WWDC keynote with @tim_cook 🍎 The new Swift features look amazing!")
        #expect(analysis.content.hashtags == ["WWDC"])
        #expect(analysis.content.mentions == ["tim_cook"])
        #expect(analysis.content.urls == ["https://apple.com/wwdc"])
        #expect(analysis.content.emojis == 1)
        #expect(analysis.content.media == ["photo": 1])
        #expect(analysis.content.characters == tweet.text.count)
    }

    @Test("each part agrees with the component that computes it")
    func agreesWithComponents() {
        let text = "Der Zug hat schon wieder Verspätung. Das ist nicht gut, Deutsche Bahn! #bahn 😡"
        let analysis = analyzer.analyze(Tweet(id: "1", text: text))
        let language = LanguageDetector().detect(text)
        #expect(analysis.language == language)
        #expect(analysis.language == "de")
        #expect(analysis.sentiment == SentimentAnalyzer().analyze(text, language: language))
        #expect(analysis.sentiment.label == .negative)
        #expect(analysis.topics == TopicExtractor().topics(in: text, language: language))
        #expect(analysis.summary == Summarizer().summarize(text))
        #expect(analysis.content == ContentStatisticsCounter().statistics(of: text))
    }

    @Test("the tweet's lang does not override what the text says")
    func langFieldIsOnlyAHint() {
        let analysis = analyzer.analyze(Tweet(id: "1", text: "The weather is really nice today", lang: "es"))
        #expect(analysis.language == "en")
        let ambiguous = analyzer.analyze(Tweet(id: "2", text: "東京大学合格", lang: "ja"))
        #expect(ambiguous.language == "ja")
    }

    @Test("an empty tweet gives an empty, neutral analysis")
    func emptyTweet() {
        let analysis = analyzer.analyze(Tweet(id: "1", text: ""))
        #expect(analysis == ContentAnalysis(
            language: "und",
            sentiment: .neutral,
            topics: [],
            summary: "",
            content: ContentStatistics(characters: 0, words: 0, hashtags: [], mentions: [], urls: [], emojis: 0, media: [:])
        ))
    }

    @Test("a long tweet gets a summary within 140 characters")
    func longTweetSummary() {
        let text = String(repeating: "Swift concurrency makes servers safer and faster ", count: 20)
        let analysis = analyzer.analyze(Tweet(id: "1", text: text))
        #expect(analysis.summary.count <= 140)
        #expect(analysis.summary.hasSuffix("…"))
        #expect(analysis.content.words == 140)
    }

    @Test("the analysis is deterministic")
    func deterministic() {
        let tweets = [
            Tweet(id: "1", text: "今日は東京で新しいカフェに行きました。とても美味しかった！#カフェ"),
            Tweet(id: "2", text: "Hoy es un día increíble, ¡gracias a todos! #fiesta @amigos 🎉"),
            Tweet(id: "3", text: "Сегодня отличная погода, идём гулять в парк"),
        ]
        for tweet in tweets {
            let first = analyzer.analyze(tweet)
            for _ in 0..<5 {
                #expect(analyzer.analyze(tweet) == first)
            }
        }
    }

    @Test("a hostile text neither crashes nor stalls")
    func hostileText() {
        let text = String(repeating: "#", count: 5_000) + String(repeating: "@", count: 5_000)
            + String(repeating: "e\u{301}\u{302}\u{303}", count: 2_000) + String(repeating: "https://", count: 1_000)
            + String(repeating: "👨‍👩‍👧‍👦", count: 2_000)
        let analysis = analyzer.analyze(Tweet(id: "1", text: text))
        #expect(analysis.content.emojis == 2_000)
        #expect(analysis.summary.count <= 140)
    }
}
