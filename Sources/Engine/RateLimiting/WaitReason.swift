/// Which limit keeps a request from being granted now.
///
/// The raw values are stable, lower-case words fit for a log line or a
/// metric label.
public enum WaitReason: String, Sendable, Hashable, CaseIterable {
    /// ``RateLimit/requestsPerMinute`` requests were granted within the last
    /// ``RateLimit/requestWindow``.
    case requestsPerMinute = "requests_per_minute"
    /// ``RateLimit/burst`` requests were granted within the last ``RateLimit/burstWindow``.
    case burst = "burst"
    /// The tokens reserved within the last ``RateLimit/requestWindow`` leave
    /// no room for this request's estimate.
    case tokensPerMinute = "tokens_per_minute"
    /// ``RateLimit/maxConcurrency`` permits are outstanding; one frees when a call completes.
    case concurrency = "concurrency"
    /// The provider is cooling down after a 429 or 529, or because its
    /// server said the request budget is spent.
    case coolingDown = "cooling_down"
    /// The provider was marked unavailable (for example, its quota is exhausted).
    case unavailable = "unavailable"
}
