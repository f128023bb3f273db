/// Result of the built-in analysis of one tweet: what ``BuiltinAnalyzer``
/// finds without any network, and the baseline every provider result extends.
public struct ContentAnalysis: Sendable, Equatable {
    /// ISO 639-1 code of the text's language, or `und` when unknown.
    public var language: String
    /// The feeling the text expresses.
    public var sentiment: Sentiment
    /// Up to five topics: hashtags (without `#`, lowercased) first, then the
    /// most frequent keywords.
    public var topics: [String]
    /// A short extractive summary of at most 140 characters, never cut inside
    /// a word or grapheme; it ends with `…` when words were cut off.
    public var summary: String
    /// Countable facts about the content.
    public var content: ContentStatistics

    /// Creates an analysis result.
    public init(
        language: String,
        sentiment: Sentiment,
        topics: [String],
        summary: String,
        content: ContentStatistics
    ) {
        self.language = language
        self.sentiment = sentiment
        self.topics = topics
        self.summary = summary
        self.content = content
    }
}
