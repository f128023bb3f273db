/// What a model said about a tweet, once its answer is validated.
public struct ModelAnswer: Sendable, Equatable {
    /// The sentiment label and a score in -1…1.
    public var sentiment: Sentiment
    /// At most five topics, trimmed, lowercased, without `#`, without duplicates.
    public var topics: [String]
    /// At most 280 characters on one line.
    public var summary: String
    /// An ISO 639-1 code (or another short primary language subtag), if the
    /// model gave a usable one.
    public var language: String?

    /// Creates an answer.
    public init(sentiment: Sentiment, topics: [String], summary: String, language: String?) {
        self.sentiment = sentiment
        self.topics = topics
        self.summary = summary
        self.language = language
    }
}
