/// The right to send one request to a provider, granted by a ``RateLimiter``.
///
/// Hand it back with ``RateLimiter/complete(_:actualTokens:)`` when the call
/// ends, whatever its outcome: that frees its concurrency slot and corrects
/// its token reservation. The request itself stays counted in the sliding
/// windows from ``grantedAt``.
public struct Permit<C: Clock>: Sendable, Hashable {
    // Only a limiter creates permits: the memberwise initialiser stays internal.

    /// Unique within its limiter, increasing in grant order.
    public let id: UInt64
    /// The tokens reserved for the call until it completes.
    public let estimatedTokens: Int
    /// When the permit was granted: the instant the request is counted from.
    public let grantedAt: C.Instant
}
