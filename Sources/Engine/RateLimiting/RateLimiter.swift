import Synchronization

/// Keeps one provider's requests inside its limits, shared by every worker
/// that calls it.
///
/// What callers can rely on (see ``RateLimit`` for the margins):
/// - at most `requestsPerMinute` grants in any ``RateLimit/requestWindow``
///   (60 s plus the arrival margin) and at most `burst` in any
///   ``RateLimit/burstWindow``, so the provider, which counts requests when
///   they arrive, never sees more than its limits;
/// - with `tokensPerMinute`, each grant reserves its estimate in the same
///   window until ``complete(_:actualTokens:)`` corrects it;
/// - at most `maxConcurrency` permits outstanding;
/// - after ``recordRateLimited(retryAfter:)`` the whole provider pauses, for
///   every caller.
///
/// Waiting is never an attempt at the provider. ``acquire(estimatedTokens:deadline:)``
/// waits in line (first come, first served) and gives up at once when the
/// limits cannot grant before its deadline; ``tryAcquire(estimatedTokens:)``
/// never waits.
///
/// Time comes from the clock passed in: the daemon uses `ContinuousClock`,
/// tests a manual clock.
public final class RateLimiter<C: Clock>: Sendable where C.Duration == Duration {
    /// The provider's name, for logs and metrics.
    public let name: String
    private let clock: C
    private let jitter: @Sendable () -> Double
    private let state: Mutex<StateMachine>

    /// What ``tryAcquire(estimatedTokens:)`` suggests when only a free
    /// concurrency slot is missing, which has no known time: ask again after
    /// 10 ms. ``acquire(estimatedTokens:deadline:)`` does not poll; a
    /// completing call wakes it.
    public static var concurrencyPollInterval: Duration { .milliseconds(10) }

    /// Creates a limiter with nothing granted yet.
    ///
    /// - Parameters:
    ///   - name: the provider's name.
    ///   - limit: the limits to enforce.
    ///   - clock: where time comes from; `sleep(until:tolerance:)` is used for waiting.
    ///   - jitter: a factor for backoff cooldowns, drawn once per cooldown;
    ///     values are clamped to 0.5...1 so that workers hit together do not
    ///     come back together, yet never wait less than half the backoff.
    public init(
        name: String,
        limit: RateLimit,
        clock: C,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5...1) }
    ) {
        self.name = name
        self.clock = clock
        self.jitter = jitter
        self.state = Mutex(StateMachine(limit: limit))
    }

    /// The limit in force (after ``updateLimit(_:)``, the new one).
    public var limit: RateLimit {
        state.withLock { $0.limit }
    }

    /// Non-blocking: a permit now, or the earliest instant asking again can succeed.
    ///
    /// Callers parked in ``acquire(estimatedTokens:deadline:)`` come first: while
    /// any wait, this grants nothing and reports an instant that lets them go
    /// ahead.
    ///
    /// - Parameter estimatedTokens: the tokens the call is expected to use
    ///   (input + output); reserved against `tokensPerMinute` until completion.
    public func tryAcquire(estimatedTokens: Int = 0) -> Acquisition<C> {
        let (action, resumptions) = state.withLock { machine in
            machine.tryAcquire(
                estimatedTokens: estimatedTokens, now: clock.now, pollInterval: Self.concurrencyPollInterval
            )
        }
        resumptions.forEach { $0.resume() }
        switch action {
        case .granted(let permit):
            return .granted(permit)
        case .notBefore(let instant, let reason):
            return .notBefore(instant, reason: reason)
        }
    }

    /// Waits in line until a permit is granted, or returns at once when the
    /// limits cannot grant one by `deadline`.
    ///
    /// The check is made up front and again whenever the picture changes (a
    /// cooldown starts, the caller reaches the front of the line), counting
    /// the callers waiting ahead as served first and the token estimates of
    /// calls still running as reserved: a caller never sleeps until its
    /// deadline only to fail then, unless it waits for something with no
    /// known time (a free concurrency slot). A grant exactly at the deadline
    /// counts as in time. A permit granted just as the task is cancelled is
    /// still returned: complete it like any other.
    ///
    /// - Parameters:
    ///   - estimatedTokens: the tokens the call is expected to use, reserved
    ///     against `tokensPerMinute` until completion.
    ///   - deadline: the latest acceptable grant.
    /// - Returns: a permit; complete it when the call ends.
    /// - Throws: ``RateLimitWait/deadlineExceeded(nextChance:reason:)`` when
    ///   the deadline cannot be met, ``RateLimitWait/cancelled`` when the task
    ///   is cancelled.
    public func acquire(estimatedTokens: Int = 0, deadline: C.Instant) async throws(RateLimitWait<C>) -> Permit<C> {
        if Task.isCancelled {
            throw .cancelled
        }
        let (start, resumptions) = state.withLock { machine in
            machine.acquire(estimatedTokens: estimatedTokens, deadline: deadline, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
        let id: UInt64
        switch start {
        case .granted(let permit):
            return permit
        case .failed(let failure):
            throw failure
        case .wait(let waiterID):
            id = waiterID
        }
        while true {
            switch await waitOnce(id: id) {
            case .granted(let permit):
                return permit
            case .failed(let failure):
                throw failure
            case .recheck:
                continue
            }
        }
    }

    /// Hands a permit back when its call ends, successful or not.
    ///
    /// Frees its concurrency slot and, when `actualTokens` is known, replaces
    /// its token reservation with the actual usage (an over-estimate frees
    /// budget, an under-estimate uses more); the request and its tokens stay
    /// counted from the instant it was granted. Completing a permit twice has
    /// no further effect.
    public func complete(_ permit: Permit<C>, actualTokens: Int?) {
        let resumptions = state.withLock { machine in
            machine.complete(permit, actualTokens: actualTokens, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    /// Takes back a permit whose request was never sent, as if it had never
    /// been granted: its slot frees and it leaves the request, burst and
    /// token windows. For a caller that got a local permit but no token from
    /// a shared budget; never for a request that may have reached the provider.
    public func withdraw(_ permit: Permit<C>) {
        let resumptions = state.withLock { machine in
            machine.withdraw(permit, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    /// No grants before `instant`, because an instance sharing this
    /// provider's budget saw a 429 (``SharedRequestBudget``). Merged with a
    /// cooldown already running by the later deadline; unlike
    /// ``recordRateLimited(retryAfter:)`` it does not lengthen the next backoff.
    public func holdOff(until instant: C.Instant) {
        let resumptions = state.withLock { machine in
            machine.holdOff(until: instant, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    /// The provider answered 429 or 529: every caller pauses.
    ///
    /// The pause lasts `retryAfter` when the server gave one, else
    /// `cooldownInitial * 2^(n-1)` capped at `cooldownMax`, times the jitter,
    /// for the n-th cooldown in a row. Answers arriving while a cooldown runs
    /// were sent before it and do not make the run longer; ``recordSuccess()``
    /// ends the run. A longer pause already running is never shortened.
    ///
    /// - Returns: whether this started a cooldown (rather than extending or
    ///   leaving one already running), for counting cooldowns.
    @discardableResult
    public func recordRateLimited(retryAfter: Duration?) -> Bool {
        let factor = retryAfter == nil ? Self.clampedJitter(jitter()) : 1
        let (resumptions, started) = state.withLock { machine in
            let now = clock.now
            let before = machine.totalCooldowns
            let resumptions = machine.recordRateLimited(retryAfter: retryAfter, jitter: factor, now: now)
            return (resumptions, machine.totalCooldowns > before)
        }
        resumptions.forEach { $0.resume() }
        return started
    }

    /// The provider answered: the next 429 starts its backoff from `cooldownInitial` again.
    public func recordSuccess() {
        state.withLock { $0.recordSuccess() }
    }

    /// What the provider's rate-limit headers said about its request budget.
    ///
    /// When the requests still in flight could use up what the server has left
    /// (`remainingRequests` at most the permits outstanding, so always for 0),
    /// new grants wait until the server's window resets, `resetAfter` from now;
    /// this counts as a cooldown. Call it after completing the permit of the
    /// response the headers came with, so that only the other calls count. A
    /// count without a reset time is ignored: it does not say when to resume.
    public func recordServerBudget(remainingRequests: Int?, resetAfter: Duration?) {
        let resumptions = state.withLock { machine in
            machine.recordServerBudget(remainingRequests: remainingRequests, resetAfter: resetAfter, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    /// No grants before `instant` (for example, the account's quota is
    /// exhausted). Replaces an earlier mark: an instant in the past clears it.
    public func markUnavailable(until instant: C.Instant) {
        let resumptions = state.withLock { machine in
            machine.markUnavailable(until: instant, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    /// The counts and pauses as they stand now.
    public var snapshot: RateLimiterSnapshot<C> {
        state.withLock { machine in
            machine.snapshot(name: name, now: clock.now)
        }
    }

    /// Replaces the limit (configuration reload); it applies to the next grants.
    ///
    /// The grants already made keep counting in their windows, so a lower
    /// limit takes effect at once and a higher one may let waiting callers go.
    public func updateLimit(_ limit: RateLimit) {
        let resumptions = state.withLock { machine in
            machine.updateLimit(limit, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    /// One suspension in line: until an outcome is decided for `id`, or its own timer fires.
    private func waitOnce(id: UInt64) async -> WaitOutcome {
        await withTaskCancellationHandler {
            let (prepared, resumptions) = state.withLock { machine in
                machine.prepareWait(id: id, now: clock.now)
            }
            resumptions.forEach { $0.resume() }
            let wake: C.Instant
            switch prepared {
            case .finished(let outcome):
                return outcome
            case .sleep(let instant):
                wake = instant
            }
            return await withTaskGroup(of: Void.self, returning: WaitOutcome.self) { group in
                // The timer is a child task so that a grant, a cancellation or
                // a new front of the line can end the wait before it fires.
                group.addTask { [clock] in
                    do {
                        try await clock.sleep(until: wake, tolerance: nil)
                    } catch {
                        return
                    }
                    self.timerFired(id: id)
                }
                let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<WaitOutcome, Never>) in
                    let immediate = state.withLock { machine in
                        machine.install(continuation, id: id)
                    }
                    immediate?.resume()
                }
                group.cancelAll()
                return outcome
            }
        } onCancel: {
            let resumptions = state.withLock { machine in
                machine.cancel(id: id, now: clock.now)
            }
            resumptions.forEach { $0.resume() }
        }
    }

    private func timerFired(id: UInt64) {
        let resumptions = state.withLock { machine in
            machine.timerFired(id: id, now: clock.now)
        }
        resumptions.forEach { $0.resume() }
    }

    private static func clampedJitter(_ value: Double) -> Double {
        value.isNaN ? 1 : min(max(value, 0.5), 1)
    }
}
