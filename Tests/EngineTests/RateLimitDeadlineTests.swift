import Engine
import Testing

@Suite("Rate limiter: deadlines, cancellation and order", .timeLimit(.minutes(1)))
struct RateLimitDeadlineTests {
    private let clock = ManualClock()

    private func limiter(_ limit: RateLimit) -> RateLimiter<ManualClock> {
        RateLimiter(name: "test", limit: limit, clock: clock)
    }

    @Test("acquire fails at once, with the next chance, when that chance is after the deadline")
    func failsAtOnceWhenTooLate() async {
        let limiter = limiter(RateLimit(requestsPerMinute: 1))
        _ = limiter.tryAcquire()
        await #expect(throws: RateLimitWait<ManualClock>.deadlineExceeded(
            nextChance: clock.instant(.seconds(61)), reason: .requestsPerMinute
        )) {
            try await limiter.acquire(deadline: clock.instant(.seconds(10)))
        }
        // Nothing slept and no time passed: the caller can fall back right away.
        #expect(clock.now == clock.instant(.zero))
        #expect(clock.sleeperDeadlines.isEmpty)
        #expect(limiter.snapshot.waiting == 0)
    }

    @Test("acquire sleeps until the next chance and is granted then, when that is before the deadline")
    func waitsWhenInTime() async throws {
        let limiter = limiter(RateLimit(requestsPerMinute: 1))
        _ = limiter.tryAcquire()
        let chance = clock.instant(.seconds(61))
        async let permit = limiter.acquire(deadline: clock.instant(.seconds(61)))
        await clock.sleepers(count: 1)
        #expect(clock.sleeperDeadlines == [chance])
        clock.advance(to: chance)
        #expect(try await permit.grantedAt == chance)
    }

    @Test("A caller waiting for a concurrency slot gives up at its deadline, the next chance unknown")
    func concurrencyWaitEndsAtDeadline() async {
        let limiter = limiter(RateLimit(requestsPerMinute: 600, burst: 10, maxConcurrency: 1))
        _ = limiter.tryAcquire()
        async let waiting = limiter.acquire(deadline: clock.instant(.seconds(5)))
        await clock.sleepers(count: 1)
        clock.advance(by: .seconds(5))
        do {
            _ = try await waiting
            Issue.record("the waiting caller must give up")
        } catch {
            #expect(error as? RateLimitWait<ManualClock> == .deadlineExceeded(nextChance: nil, reason: .concurrency))
        }
        #expect(limiter.snapshot.waiting == 0)
    }

    @Test("Cancelling a waiting caller ends its wait at once and leaves the line without using a slot")
    func cancellationEndsTheWait() async throws {
        let limiter = limiter(RateLimit(requestsPerMinute: 1))
        _ = limiter.tryAcquire()
        let waiting = Task { try await limiter.acquire(deadline: clock.instant(.seconds(3_600))) }
        await clock.sleepers(count: 1)
        waiting.cancel()
        let result = await waiting.result
        #expect(throws: RateLimitWait<ManualClock>.cancelled) { try result.get() }
        await clock.waitUntil { $0.isEmpty }
        #expect(limiter.snapshot.waiting == 0)

        clock.advance(to: clock.instant(.seconds(61)))
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("the slot the cancelled caller waited for must still be free")
            return
        }
    }

    @Test("acquire in a task already cancelled throws at once, even when a permit is free")
    func cancelledTaskGetsNoPermit() async {
        let limiter = limiter(RateLimit(requestsPerMinute: 600))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.acquire(deadline: clock.instant(.seconds(60)))
        }
        let result = await task.result
        #expect(throws: RateLimitWait<ManualClock>.cancelled) { try result.get() }
        #expect(limiter.snapshot.totalGranted == 0)
    }

    @Test("Waiting callers are served first come, first served; one whose turn would come too late fails at once")
    func firstComeFirstServed() async throws {
        let limiter = limiter(RateLimit(requestsPerMinute: 600, burst: 1))
        let step = limiter.limit.burstWindow
        let noDeadline = clock.instant(.seconds(3_600))
        _ = limiter.tryAcquire()

        async let first = limiter.acquire(deadline: noDeadline)
        await clock.sleepers(count: 1)
        async let second = limiter.acquire(deadline: noDeadline)
        await clock.sleepers(count: 2)
        // Two callers ahead, one burst window each: its turn is three windows away.
        await #expect(throws: RateLimitWait<ManualClock>.deadlineExceeded(
            nextChance: clock.instant(step * 3), reason: .burst
        )) {
            try await limiter.acquire(deadline: clock.instant(step * 2))
        }
        // A newcomer does not overtake the line either.
        #expect(limiter.tryAcquire() == .notBefore(clock.instant(step * 3), reason: .burst))

        clock.advance(to: clock.instant(step))
        #expect(try await first.grantedAt == clock.instant(step))
        await clock.waitUntil { $0.contains(clock.instant(step * 2)) }
        clock.advance(to: clock.instant(step * 2))
        #expect(try await second.grantedAt == clock.instant(step * 2))
    }
}
