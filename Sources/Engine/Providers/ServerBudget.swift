/// What a provider's rate-limit headers said about the caller's request
/// budget, so that the rate limiter can slow down before the server says 429.
///
/// Read from `x-ratelimit-remaining-requests` / `x-ratelimit-reset-requests`
/// (OpenAI and most OpenAI-compatible servers) and
/// `anthropic-ratelimit-requests-remaining` /
/// `anthropic-ratelimit-requests-reset` (Anthropic). Gemini sends none.
public struct ServerBudget: Sendable, Equatable {
    /// Requests left in the server's current window.
    public var remainingRequests: Int?
    /// How long until the server's request window resets, from the moment the
    /// response was read.
    public var resetAfter: Duration?

    /// Creates a budget.
    public init(remainingRequests: Int? = nil, resetAfter: Duration? = nil) {
        self.remainingRequests = remainingRequests
        self.resetAfter = resetAfter
    }
}
