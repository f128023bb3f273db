/// Why ``RateLimiter/acquire(estimatedTokens:deadline:)`` returned without a permit.
///
/// Neither case is a failed attempt at the provider: no request was sent.
public enum RateLimitWait<C: Clock>: Error, Sendable, Equatable {
    /// The earliest grant the limits allow is after the deadline, so the
    /// caller can move on (another provider, a retry queue) at once.
    ///
    /// `nextChance` is that earliest instant, or `nil` when it is unknown
    /// (only a completing call can free a concurrency slot).
    case deadlineExceeded(nextChance: C.Instant?, reason: WaitReason)
    /// The waiting task was cancelled.
    case cancelled

    /// The earliest instant a grant may be possible, when known.
    public var nextChance: C.Instant? {
        switch self {
        case .deadlineExceeded(let nextChance, _): nextChance
        case .cancelled: nil
        }
    }

    /// The limit that held the request back, or `nil` after a cancellation.
    public var reason: WaitReason? {
        switch self {
        case .deadlineExceeded(_, let reason): reason
        case .cancelled: nil
        }
    }
}
