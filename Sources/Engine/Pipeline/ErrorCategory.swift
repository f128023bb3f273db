/// Why a message became a dead letter: the `x-error-category` header's values.
public enum ErrorCategory: String, Sendable, CaseIterable {
    /// The body broke the input contract; never retried.
    case invalidInput = "invalid_input"
    /// A provider refused the request (4xx other than 429 and 408).
    case providerRejected = "provider_rejected"
    /// A provider failed (5xx, 529, timeouts, connection errors) after every retry.
    case providerUnavailable = "provider_unavailable"
    /// A provider still limited the rate after every retry.
    case rateLimited = "rate_limited"
    /// A model's answer was not the JSON asked for.
    case outputInvalid = "output_invalid"
    /// tweetd itself failed.
    case `internal` = "internal"
}
