/// A provider's analysis of one tweet, validated, with what the call cost.
public struct ProviderAnswer: Sendable, Equatable {
    /// The sentiment the model found; the score is clamped to -1…1 and, when
    /// the model gave none, derived from the label.
    public var sentiment: Sentiment
    /// At most five short lowercase topics.
    public var topics: [String]
    /// A one-sentence summary of at most 280 characters.
    public var summary: String
    /// The ISO 639-1 code the model gave for the tweet's language, if any.
    public var language: String?
    /// Tokens the provider counted; when the server reported none (some
    /// local servers do not), an estimate marked ``TokenUsage/isEstimate``.
    public var usage: TokenUsage
    /// The model that answered, as the provider named it (for example
    /// `gpt-4o-mini-2024-07-18` when `gpt-4o-mini` was asked for); the
    /// configured model when the answer does not say.
    public var model: String
    /// The request budget the response's headers announced, if any.
    public var serverBudget: ServerBudget?

    /// Creates an answer.
    public init(
        sentiment: Sentiment,
        topics: [String],
        summary: String,
        language: String?,
        usage: TokenUsage,
        model: String,
        serverBudget: ServerBudget?
    ) {
        self.sentiment = sentiment
        self.topics = topics
        self.summary = summary
        self.language = language
        self.usage = usage
        self.model = model
        self.serverBudget = serverBudget
    }
}
