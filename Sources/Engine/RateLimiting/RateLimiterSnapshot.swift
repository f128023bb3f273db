/// A limiter's state at one instant, for metrics, status output and tests.
public struct RateLimiterSnapshot<C: Clock>: Sendable {
    /// The provider's name.
    public var name: String
    /// The limit in force.
    public var limit: RateLimit
    /// When the snapshot was taken.
    public var takenAt: C.Instant
    /// Requests granted in the last 60 seconds.
    public var requestsInLastMinute: Int
    /// Tokens counted in the last 60 seconds: each grant's estimate, or its
    /// reported usage once the call completed.
    public var tokensInLastMinute: Int
    /// Permits granted and not yet completed.
    public var inFlight: Int
    /// Callers parked in ``RateLimiter/acquire(estimatedTokens:deadline:)``.
    public var waiting: Int
    /// The end of the current cooldown, or `nil` when not cooling down.
    public var coolingDownUntil: C.Instant?
    /// The end of an unavailable period set by
    /// ``RateLimiter/markUnavailable(until:)``, or `nil` when available.
    public var unavailableUntil: C.Instant?
    /// Permits granted since the limiter was created.
    public var totalGranted: Int
    /// Cooldowns started since the limiter was created (a cooldown that an
    /// earlier one still covered is not counted again).
    public var totalCooldowns: Int
}
