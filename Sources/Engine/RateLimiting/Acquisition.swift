/// The answer of ``RateLimiter/tryAcquire(estimatedTokens:)``: a permit now,
/// or the earliest instant asking again can succeed.
public enum Acquisition<C: Clock>: Sendable, Equatable {
    /// Send the request now; complete the permit when the call ends.
    case granted(Permit<C>)
    /// Not before this instant, held back by `reason`.
    ///
    /// For every reason but ``WaitReason/concurrency`` the instant is the
    /// earliest one at which the limits, as they stand, allow a grant. A free
    /// concurrency slot has no known time, so then it is a short poll interval
    /// from now (``RateLimiter/concurrencyPollInterval``);
    /// ``RateLimiter/acquire(estimatedTokens:deadline:)`` waits for the
    /// release itself instead.
    case notBefore(C.Instant, reason: WaitReason)
}
