import Engine
import Testing

@Suite("Rate limiter: configuration reload", .timeLimit(.minutes(1)))
struct RateLimitReloadTests {
    private let clock = ManualClock()

    @Test("A higher limit lets the next request through at once")
    func higherLimitTakesEffect() {
        let limiter = RateLimiter(name: "test", limit: RateLimit(requestsPerMinute: 1), clock: clock)
        _ = limiter.tryAcquire()
        #expect(limiter.tryAcquire() == .notBefore(clock.instant(.seconds(61)), reason: .requestsPerMinute))
        limiter.updateLimit(RateLimit(requestsPerMinute: 120, burst: 2))
        guard case .granted = limiter.tryAcquire() else {
            Issue.record("the raised limit must grant now")
            return
        }
        #expect(limiter.limit.requestsPerMinute == 120)
    }

    @Test("A lower limit counts the grants already made")
    func lowerLimitCountsPastGrants() {
        let limiter = RateLimiter(name: "test", limit: RateLimit(requestsPerMinute: 600, burst: 10), clock: clock)
        for _ in 0..<5 { _ = limiter.tryAcquire() }
        clock.advance(by: .seconds(2))
        limiter.updateLimit(RateLimit(requestsPerMinute: 5, burst: 5))
        #expect(limiter.tryAcquire() == .notBefore(clock.instant(.seconds(61)), reason: .requestsPerMinute))
    }

    @Test("Raising maxConcurrency grants a waiting caller at once")
    func higherConcurrencyWakesWaiter() async throws {
        let limiter = RateLimiter(
            name: "test", limit: RateLimit(requestsPerMinute: 600, burst: 10, maxConcurrency: 1), clock: clock
        )
        _ = limiter.tryAcquire()
        async let waiting = limiter.acquire(deadline: clock.instant(.seconds(60)))
        await clock.sleepers(count: 1)
        limiter.updateLimit(RateLimit(requestsPerMinute: 600, burst: 10, maxConcurrency: 2))
        #expect(try await waiting.grantedAt == clock.instant(.zero))
        #expect(limiter.snapshot.inFlight == 2)
    }
}
