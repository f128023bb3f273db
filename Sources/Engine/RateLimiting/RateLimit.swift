/// The limits one provider enforces, and how carefully the limiter keeps under them.
///
/// Providers count a request when it arrives, so the limiter counts every
/// grant for a little longer than the provider's own window: see
/// ``arrivalMargin``. All values are the caller's; the limiter treats a count
/// below 1 as 1 and a negative duration as zero, so that a bad value slows a
/// provider down instead of crashing the daemon (configuration validation
/// reports such values before they get here).
public struct RateLimit: Sendable, Equatable {
    /// Requests allowed in any sliding 60-second window (`rpm`).
    public var requestsPerMinute: Int
    /// Requests allowed in any 1-second window, which spreads a minute's
    /// budget instead of spending it in its first second.
    public var burst: Int
    /// Tokens (input + output) allowed in any sliding 60-second window, or
    /// `nil` for no token limit. Each grant reserves its estimate; the
    /// reservation is corrected to the reported usage when the call completes.
    public var tokensPerMinute: Int?
    /// Permits outstanding at once: a grant is released by
    /// ``RateLimiter/complete(_:actualTokens:)``.
    public var maxConcurrency: Int
    /// The longest network delay the limiter allows for between granting a
    /// request and the provider counting it.
    ///
    /// A grant stays counted for `60 s + arrivalMargin` (``requestWindow``):
    /// then two requests sent that far apart still arrive at least 60 s apart
    /// however their delays (each up to the margin) differ, so the provider
    /// never sees more than ``requestsPerMinute`` in one of its windows. The
    /// price is throughput: a sustained rate of `60 / (60 + margin)` of the
    /// limit, 98.4 % with the default of 1 second.
    public var arrivalMargin: Duration
    /// The first cooldown after a 429 or 529 that came without a delay from
    /// the server; each further one in a row doubles it, up to ``cooldownMax``.
    public var cooldownInitial: Duration
    /// The longest backoff cooldown (a delay the server asks for is always honoured in full).
    public var cooldownMax: Duration

    /// Creates a limit.
    ///
    /// - Parameters:
    ///   - requestsPerMinute: requests allowed in any 60-second window.
    ///   - burst: requests allowed in any 1-second window; default
    ///     `ceil(requestsPerMinute / 60)`, the steady rate that just reaches the
    ///     minute's budget.
    ///   - tokensPerMinute: tokens allowed in any 60-second window; default no limit.
    ///   - maxConcurrency: permits outstanding at once; default no limit.
    ///   - arrivalMargin: allowance for network delay; default 1 second.
    ///   - cooldownInitial: first backoff cooldown; default 1 second.
    ///   - cooldownMax: longest backoff cooldown; default 60 seconds.
    public init(
        requestsPerMinute: Int,
        burst: Int? = nil,
        tokensPerMinute: Int? = nil,
        maxConcurrency: Int = .max,
        arrivalMargin: Duration = .seconds(1),
        cooldownInitial: Duration = .seconds(1),
        cooldownMax: Duration = .seconds(60)
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.burst = burst ?? (max(requestsPerMinute, 1) + 59) / 60
        self.tokensPerMinute = tokensPerMinute
        self.maxConcurrency = maxConcurrency
        self.arrivalMargin = arrivalMargin
        self.cooldownInitial = cooldownInitial
        self.cooldownMax = cooldownMax
    }

    /// How long a grant counts against ``requestsPerMinute`` and
    /// ``tokensPerMinute``: 60 seconds plus ``arrivalMargin``.
    public var requestWindow: Duration {
        .seconds(60) + max(arrivalMargin, .zero)
    }

    /// How long a grant counts against ``burst``: 1 second plus a sixtieth of
    /// ``arrivalMargin`` (about 17 ms with the default).
    ///
    /// Both windows stretch by the same factor, so neither limit costs more
    /// throughput than the other: the default `burst` of `ceil(rpm / 60)`
    /// still sustains 98.4 % of `rpm`. A full margin here would halve the
    /// sustained rate (a window of 2 s), and even 100 ms would cap it at
    /// 91 % of `rpm`. The price: the provider's 1-second count is protected
    /// only against differences in network delay up to this sixtieth; a
    /// burst is about spreading load, and ``requestsPerMinute`` stays fully
    /// protected.
    public var burstWindow: Duration {
        .seconds(1) + max(arrivalMargin, .zero) / 60
    }

    /// The same limit with every value in its usable range.
    var normalized: RateLimit {
        var limit = self
        limit.requestsPerMinute = max(requestsPerMinute, 1)
        limit.burst = max(burst, 1)
        limit.tokensPerMinute = tokensPerMinute.map { max($0, 1) }
        limit.maxConcurrency = max(maxConcurrency, 1)
        limit.arrivalMargin = max(arrivalMargin, .zero)
        limit.cooldownInitial = max(cooldownInitial, .zero)
        limit.cooldownMax = max(cooldownMax, limit.cooldownInitial)
        return limit
    }
}
