/// What an LLM provider is asked to analyse: one tweet, with what the
/// built-in analysis already found (its language goes into the prompt as a hint).
public struct ProviderRequest: Sendable {
    /// The tweet.
    public var tweet: Tweet
    /// The built-in analysis of the same tweet.
    public var builtin: ContentAnalysis

    /// Creates a request.
    public init(tweet: Tweet, builtin: ContentAnalysis) {
        self.tweet = tweet
        self.builtin = builtin
    }
}
