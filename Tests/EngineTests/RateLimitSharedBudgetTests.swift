import Engine
import Testing

@Suite("Rate limiter: the parts a shared budget uses", .timeLimit(.minutes(1)))
struct RateLimitSharedBudgetTests {
    private let clock = ManualClock()

    private func limiter(rpm: Int = 600, burst: Int = 1, maxConcurrency: Int = .max) -> RateLimiter<ManualClock> {
        RateLimiter(
            name: "shared",
            limit: RateLimit(requestsPerMinute: rpm, burst: burst, tokensPerMinute: 1000, maxConcurrency: maxConcurrency),
            clock: clock,
            jitter: { 1 }
        )
    }

    @Test("A withdrawn permit leaves every window and frees its slot, as if never granted")
    func withdrawnPermitLeavesNoTrace() throws {
        let limiter = limiter(burst: 1, maxConcurrency: 1)
        guard case .granted(let permit) = limiter.tryAcquire(estimatedTokens: 900) else {
            Issue.record("the first permit is granted")
            return
        }
        #expect(limiter.tryAcquire(estimatedTokens: 900) != .notBefore(clock.now, reason: .burst), "sanity: something blocks now")
        limiter.withdraw(permit)
        let snapshot = limiter.snapshot
        #expect(snapshot.totalGranted == 0 && snapshot.inFlight == 0 && snapshot.requestsInLastMinute == 0 && snapshot.tokensInLastMinute == 0)
        guard case .granted(let again) = limiter.tryAcquire(estimatedTokens: 900) else {
            Issue.record("burst, tokens and concurrency all free again at the same instant")
            return
        }
        limiter.withdraw(again)
        limiter.withdraw(again)
        #expect(limiter.snapshot.totalGranted == 0, "a second withdraw changes nothing")
    }

    @Test("A cooldown announced by another instance pauses every caller until the later deadline, without lengthening our own backoff")
    func holdOffMergesByTheLaterDeadline() {
        let limiter = limiter(burst: 10)
        limiter.holdOff(until: clock.instant(.seconds(20)))
        limiter.holdOff(until: clock.instant(.seconds(5)))
        #expect(limiter.tryAcquire() == .notBefore(clock.instant(.seconds(20)), reason: .coolingDown))
        #expect(limiter.snapshot.totalCooldowns == 1)
        clock.advance(by: .seconds(20))
        // Our own first 429 after that still starts the backoff at cooldown_initial (1 s).
        limiter.recordRateLimited(retryAfter: nil)
        #expect(limiter.snapshot.coolingDownUntil == clock.instant(.seconds(21)))
    }
}
