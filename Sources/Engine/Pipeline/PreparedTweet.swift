/// A delivery decoded and analysed by the built-in analysis, ready for providers.
public struct PreparedTweet: Sendable {
    /// The delivery it came from.
    public var delivery: Delivery
    /// The decoded tweet.
    public var tweet: Tweet
    /// The built-in analysis.
    public var analysis: ContentAnalysis
    /// The priority score.
    public var priorityScore: Double
    /// This attempt's number (1 for the first), from tweetd's own `x-attempts` header.
    public var attempt: Int
}

/// What preparing a delivery gave: a tweet for the providers, or the dead letter of a body that broke the input contract.
public enum Preparation: Sendable {
    /// Decoded and analysed.
    case prepared(PreparedTweet)
    /// Not a valid tweet: its dead letter (category `invalid_input`), ready to publish.
    case invalid(ProcessingOutcome)
}
