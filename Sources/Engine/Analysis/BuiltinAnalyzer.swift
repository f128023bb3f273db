/// The analysis every tweet gets, with no network and no model: language,
/// sentiment, topics, summary and content statistics.
///
/// The text is tokenized once and every step works on the same tokens, so
/// the cost is one pass over the text plus work proportional to its words;
/// the summary looks at no more than its limit of characters. Output depends
/// only on the tweet.
public struct BuiltinAnalyzer: Sendable {
    private let languageDetector = LanguageDetector()
    private let sentimentAnalyzer = SentimentAnalyzer()
    private let topicExtractor = TopicExtractor()
    private let summarizer = Summarizer()
    private let statisticsCounter = ContentStatisticsCounter()

    /// Creates an analyzer; its lexicons and word lists are static and built once.
    public init() {}

    /// Analyses one tweet. The tweet's `lang` only breaks ties in language detection.
    public func analyze(_ tweet: Tweet) -> ContentAnalysis {
        let tokens = TweetTokenizer.tokenize(tweet.text)
        let language = languageDetector.detect(tokens, hint: tweet.lang)
        let (sentiment, wordPolarities) = sentimentAnalyzer.analyzeWords(tokens, language: language)
        return ContentAnalysis(
            language: language,
            sentiment: sentiment,
            topics: topicExtractor.topics(from: tokens, language: language, wordPolarities: wordPolarities),
            summary: summarizer.summarize(tweet.text, urlRanges: tokens.urlRanges),
            content: statisticsCounter.statistics(from: tokens, media: tweet.media)
        )
    }
}
