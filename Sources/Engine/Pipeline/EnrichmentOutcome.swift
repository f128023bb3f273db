/// How one attempt at enrichment ended.
public enum EnrichmentOutcome: Sendable {
    /// A provider answered.
    case enriched(Enrichment)
    /// Every provider failed, refused, or kept the message waiting too long.
    case failed(ProviderChainFailure)
    /// A configuration reload replaced the chain while this message waited for
    /// a limiter: ask the new chain, with nothing used up.
    case superseded
}

/// Why no provider in the chain answered this attempt.
public struct ProviderChainFailure: Sendable, Equatable {
    /// The dead-letter category if this ends the message.
    public var category: ErrorCategory
    /// The last error, one line, never a secret.
    public var reason: String
    /// The provider the reason belongs to.
    public var provider: String?
    /// True when trying again cannot help (every provider refused the request).
    public var permanent: Bool
    /// False when only rate limits kept the message waiting: that never uses up an attempt.
    public var countsAttempt: Bool

    /// Creates a failure.
    public init(category: ErrorCategory, reason: String, provider: String?, permanent: Bool, countsAttempt: Bool) {
        self.category = category
        self.reason = reason
        self.provider = provider
        self.permanent = permanent
        self.countsAttempt = countsAttempt
    }
}

/// What an LLM provider added to the built-in analysis: its answer as the provider client
/// validated it, carried unchanged to the result.
public struct Enrichment: Sendable, Equatable {
    /// The provider's configured name.
    public var provider: String
    /// The answer: sentiment, topics, summary, language, the model that answered and the tokens it counted.
    public var answer: ProviderAnswer
    /// Time spent waiting for the answer.
    public var latency: Duration

    /// Creates an enrichment.
    public init(provider: String, answer: ProviderAnswer, latency: Duration) {
        self.provider = provider
        self.answer = answer
        self.latency = latency
    }
}
