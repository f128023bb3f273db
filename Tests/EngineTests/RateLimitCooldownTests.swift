import Engine
import Synchronization
import Testing

@Suite("Rate limiter: cooldowns and server hints", .timeLimit(.minutes(1)))
struct RateLimitCooldownTests {
    private let clock = ManualClock()
    private let noDeadline = Duration.seconds(86_400)

    private func limiter(
        cooldownInitial: Duration = .seconds(1),
        cooldownMax: Duration = .seconds(60),
        maxConcurrency: Int = .max,
        jitter: JitterSource = JitterSource([1])
    ) -> RateLimiter<ManualClock> {
        RateLimiter(
            name: "test",
            limit: RateLimit(
                requestsPerMinute: 600, burst: 10, maxConcurrency: maxConcurrency,
                cooldownInitial: cooldownInitial, cooldownMax: cooldownMax
            ),
            clock: clock,
            jitter: { jitter.next() }
        )
    }

    /// How long the current cooldown still runs, zero when none.
    private func cooldownLeft(_ limiter: RateLimiter<ManualClock>) -> Duration {
        limiter.snapshot.coolingDownUntil.map { clock.now.duration(to: $0) } ?? .zero
    }

    @Test("A 429 pauses every caller, and the callers waiting resume together when it ends")
    func cooldownIsShared() async throws {
        let limiter = limiter()
        limiter.recordRateLimited(retryAfter: .seconds(5))
        let resume = clock.instant(.seconds(5))
        #expect(limiter.tryAcquire() == .notBefore(resume, reason: .coolingDown))

        async let first = limiter.acquire(deadline: clock.instant(noDeadline))
        async let second = limiter.acquire(deadline: clock.instant(noDeadline))
        await clock.sleepers(count: 2)
        // The first in line wakes when the cooldown ends; the other waits for its turn.
        #expect(clock.sleeperDeadlines == [resume, clock.instant(noDeadline)])
        #expect(limiter.snapshot.waiting == 2)
        clock.advance(to: resume)
        #expect(try await first.grantedAt == resume)
        #expect(try await second.grantedAt == resume)
        #expect(limiter.snapshot.totalCooldowns == 1)
    }

    @Test("The server's delay is honoured in full, even beyond cooldownMax")
    func serverDelayIsHonoured() {
        let limiter = limiter(cooldownMax: .seconds(60))
        limiter.recordRateLimited(retryAfter: .seconds(120))
        #expect(limiter.tryAcquire() == .notBefore(clock.instant(.seconds(120)), reason: .coolingDown))
    }

    @Test("Without a server delay the backoff doubles up to cooldownMax, scaled by a jitter kept within 0.5...1")
    func backoffDoublesWithJitterAndCap() {
        let jitter = JitterSource([1, 1, 1, 1, 1, 0.5, 0.75, 0.1, 7])
        let limiter = limiter(cooldownInitial: .seconds(1), cooldownMax: .seconds(8), jitter: jitter)
        var delays: [Duration] = []
        for _ in 0..<9 {
            limiter.recordRateLimited(retryAfter: nil)
            delays.append(cooldownLeft(limiter))
            clock.advance(by: delays.last!)
        }
        #expect(delays == [1, 2, 4, 8, 8, 4, 6, 4, 8].map { Duration.seconds($0) })
    }

    @Test("The default jitter keeps every backoff between half and all of its base")
    func defaultJitterStaysInBounds() {
        let limiter = RateLimiter(
            name: "test", limit: RateLimit(requestsPerMinute: 60, cooldownInitial: .seconds(2), cooldownMax: .seconds(16)),
            clock: clock
        )
        for base in [2, 4, 8, 16, 16, 16].map({ Duration.seconds($0) }) {
            limiter.recordRateLimited(retryAfter: nil)
            let delay = cooldownLeft(limiter)
            #expect(delay >= base / 2 && delay <= base)
            clock.advance(by: delay)
        }
    }

    @Test("A success resets the backoff to cooldownInitial")
    func successResetsBackoff() {
        let limiter = limiter(cooldownInitial: .seconds(1))
        for _ in 0..<3 {
            limiter.recordRateLimited(retryAfter: nil)
            clock.advance(by: cooldownLeft(limiter))
        }
        limiter.recordSuccess()
        limiter.recordRateLimited(retryAfter: nil)
        #expect(cooldownLeft(limiter) == .seconds(1))
    }

    @Test("429s that arrive during a cooldown neither lengthen the backoff run nor count as new cooldowns")
    func simultaneous429sCountOnce() {
        let limiter = limiter(cooldownInitial: .seconds(1))
        for _ in 0..<15 {
            limiter.recordRateLimited(retryAfter: nil)
        }
        #expect(cooldownLeft(limiter) == .seconds(1))
        #expect(limiter.snapshot.totalCooldowns == 1)
        clock.advance(by: .seconds(1))
        limiter.recordRateLimited(retryAfter: nil)
        #expect(cooldownLeft(limiter) == .seconds(2))
        #expect(limiter.snapshot.totalCooldowns == 2)
    }

    @Test("A longer cooldown already running is never shortened")
    func longerCooldownIsKept() {
        let limiter = limiter()
        limiter.recordRateLimited(retryAfter: .seconds(30))
        limiter.recordRateLimited(retryAfter: .seconds(5))
        limiter.recordRateLimited(retryAfter: nil)
        limiter.recordServerBudget(remainingRequests: 0, resetAfter: .seconds(10))
        #expect(limiter.snapshot.coolingDownUntil == clock.instant(.seconds(30)))
        limiter.recordRateLimited(retryAfter: .seconds(45))
        #expect(limiter.snapshot.coolingDownUntil == clock.instant(.seconds(45)))
    }

    @Test("A server budget of 0 pauses the provider until the server's reset")
    func exhaustedBudgetPausesUntilReset() {
        let limiter = limiter()
        limiter.recordServerBudget(remainingRequests: 0, resetAfter: .seconds(20))
        #expect(limiter.tryAcquire() == .notBefore(clock.instant(.seconds(20)), reason: .coolingDown))
        clock.advance(by: .seconds(20))
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("the reset must end the pause")
            return
        }
    }

    @Test("A remaining budget the calls in flight could use up holds new grants until the reset; a larger one does not")
    func smallBudgetHoldsGrants() {
        let holding = limiter()
        for _ in 0..<3 { _ = holding.tryAcquire() }
        holding.recordServerBudget(remainingRequests: 3, resetAfter: .seconds(10))
        #expect(holding.tryAcquire() == .notBefore(clock.instant(.seconds(10)), reason: .coolingDown))

        let free = limiter()
        for _ in 0..<3 { _ = free.tryAcquire() }
        free.recordServerBudget(remainingRequests: 4, resetAfter: .seconds(10))
        free.recordServerBudget(remainingRequests: 0, resetAfter: nil)
        free.recordServerBudget(remainingRequests: nil, resetAfter: .seconds(10))
        guard case .granted = free.tryAcquire() else {
            Issue.record("a budget above the calls in flight, or without a reset time, must not hold grants")
            return
        }
    }

    @Test("markUnavailable stops grants until its instant; an acquire with an earlier deadline fails at once")
    func unavailableUntilInstant() async {
        let limiter = limiter()
        let back = clock.instant(.seconds(3_600))
        limiter.markUnavailable(until: back)
        #expect(limiter.tryAcquire() == .notBefore(back, reason: .unavailable))
        await #expect(throws: RateLimitWait<ManualClock>.deadlineExceeded(nextChance: back, reason: .unavailable)) {
            try await limiter.acquire(deadline: clock.instant(.seconds(600)))
        }
        #expect(clock.now == clock.instant(.zero))
        #expect(limiter.snapshot.unavailableUntil == back)

        limiter.markUnavailable(until: clock.now)
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("an instant in the past must clear the mark")
            return
        }
    }

    @Test("A cooldown that outlasts a waiting caller's deadline fails it at once, without waiting for the deadline")
    func cooldownFailsHopelessWaiters() async throws {
        let limiter = limiter(maxConcurrency: 1)
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("the first request must be granted")
            return
        }
        async let waiting = limiter.acquire(deadline: clock.instant(.seconds(10)))
        await clock.sleepers(count: 1)
        limiter.recordRateLimited(retryAfter: .seconds(60))
        do {
            _ = try await waiting
            Issue.record("the waiting caller must fail")
        } catch {
            #expect(error as? RateLimitWait<ManualClock> == .deadlineExceeded(
                nextChance: clock.instant(.seconds(60)), reason: .coolingDown
            ))
        }
        #expect(clock.now == clock.instant(.zero))
    }
}

/// Jitter factors handed out in order, the last one repeating.
final class JitterSource: Sendable {
    private let values: Mutex<[Double]>

    init(_ values: [Double]) {
        self.values = Mutex(values)
    }

    func next() -> Double {
        values.withLock { values in
            values.count > 1 ? values.removeFirst() : values[0]
        }
    }
}
