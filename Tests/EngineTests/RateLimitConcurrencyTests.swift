import Engine
import Synchronization
import Testing

@Suite("Rate limiter: concurrency", .timeLimit(.minutes(1)))
struct RateLimitConcurrencyTests {
    private let clock = ManualClock()

    private func limiter(maxConcurrency: Int) -> RateLimiter<ManualClock> {
        RateLimiter(
            name: "test",
            limit: RateLimit(requestsPerMinute: 1_000_000, burst: 1_000_000, maxConcurrency: maxConcurrency),
            clock: clock
        )
    }

    @Test("Twenty workers never hold more than maxConcurrency permits at once, and every one is served")
    func neverMoreThanMaxConcurrency() async {
        let limiter = limiter(maxConcurrency: 3)
        let counter = InFlightCounter()
        let noDeadline = clock.instant(.seconds(3_600))

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    for _ in 0..<50 {
                        guard let permit = try? await limiter.acquire(deadline: noDeadline) else { return }
                        counter.enter()
                        // Hold the permit across a suspension so that the others pile up behind it.
                        await Task.yield()
                        counter.leave()
                        limiter.complete(permit, actualTokens: nil)
                    }
                }
            }
        }

        #expect(counter.peak <= 3)
        #expect(counter.total == 1_000)
        #expect(limiter.snapshot.totalGranted == 1_000)
        #expect(limiter.snapshot.inFlight == 0)
    }

    @Test("tryAcquire at the concurrency limit says so, with a short poll interval since no time is known")
    func tryAcquireReportsConcurrency() {
        let limiter = limiter(maxConcurrency: 1)
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("the first request must be granted")
            return
        }
        let pollAt = clock.now.advanced(by: RateLimiter<ManualClock>.concurrencyPollInterval)
        #expect(limiter.tryAcquire() == .notBefore(pollAt, reason: .concurrency))
        #expect(RateLimiter<ManualClock>.concurrencyPollInterval == .milliseconds(10))
    }

    @Test("Completing a permit wakes a waiting caller at once, without any time passing")
    func completeWakesAWaiter() async throws {
        let limiter = limiter(maxConcurrency: 1)
        guard case .granted(let held) = limiter.tryAcquire() else {
            Issue.record("the first request must be granted")
            return
        }
        async let waiting = limiter.acquire(deadline: clock.instant(.seconds(60)))
        await clock.sleepers(count: 1)
        #expect(limiter.snapshot.waiting == 1)

        limiter.complete(held, actualTokens: nil)
        let permit = try await waiting
        #expect(permit.grantedAt == clock.instant(.zero))
        #expect(limiter.snapshot.inFlight == 1)
    }

    @Test("Completing the same permit twice frees one slot only")
    func doubleCompletionFreesOneSlot() {
        let limiter = limiter(maxConcurrency: 1)
        guard case .granted(let first) = limiter.tryAcquire() else {
            Issue.record("the first request must be granted")
            return
        }
        limiter.complete(first, actualTokens: nil)
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("the freed slot must be granted")
            return
        }
        limiter.complete(first, actualTokens: nil)
        #expect(limiter.snapshot.inFlight == 1)
        if case .notBefore(_, let reason) = limiter.tryAcquire() {
            #expect(reason == .concurrency)
        } else {
            Issue.record("a second slot was freed")
        }
    }
}

/// Counts permits held at once across worker tasks.
final class InFlightCounter: Sendable {
    private struct Counts {
        var current = 0
        var peak = 0
        var total = 0
    }

    private let counts = Mutex(Counts())

    func enter() {
        counts.withLock { counts in
            counts.current += 1
            counts.total += 1
            counts.peak = max(counts.peak, counts.current)
        }
    }

    func leave() {
        counts.withLock { $0.current -= 1 }
    }

    var peak: Int { counts.withLock { $0.peak } }
    var total: Int { counts.withLock { $0.total } }
}
