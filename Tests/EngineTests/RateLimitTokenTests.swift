import Engine
import Testing

@Suite("Rate limiter: tokens per minute", .timeLimit(.minutes(1)))
struct RateLimitTokenTests {
    private let clock = ManualClock()

    private func limiter(tokensPerMinute: Int) -> RateLimiter<ManualClock> {
        RateLimiter(
            name: "test", limit: RateLimit(requestsPerMinute: 10_000, burst: 1_000, tokensPerMinute: tokensPerMinute),
            clock: clock
        )
    }

    private func grant(_ limiter: RateLimiter<ManualClock>, tokens: Int) -> Permit<ManualClock>? {
        if case .granted(let permit) = limiter.tryAcquire(estimatedTokens: tokens) { return permit }
        return nil
    }

    @Test("Each grant reserves its estimate for 61 s; a request that does not fit waits for the oldest to leave")
    func estimatesAreReserved() throws {
        let limiter = limiter(tokensPerMinute: 1_000)
        let first = try #require(grant(limiter, tokens: 400))
        clock.advance(by: .seconds(10))
        _ = try #require(grant(limiter, tokens: 400))

        let oldestLeaves = first.grantedAt.advanced(by: .seconds(61))
        #expect(limiter.tryAcquire(estimatedTokens: 400) == .notBefore(oldestLeaves, reason: .tokensPerMinute))
        #expect(limiter.tryAcquire(estimatedTokens: 200) != .notBefore(oldestLeaves, reason: .tokensPerMinute))
        clock.advance(to: oldestLeaves)
        #expect(grant(limiter, tokens: 400) != nil)
        #expect(limiter.snapshot.tokensInLastMinute == 1_000)
    }

    @Test("An over-estimate frees budget as soon as the call completes")
    func overEstimateFreesBudget() throws {
        let limiter = limiter(tokensPerMinute: 1_000)
        let first = try #require(grant(limiter, tokens: 400))
        _ = try #require(grant(limiter, tokens: 400))
        #expect(grant(limiter, tokens: 400) == nil)

        limiter.complete(first, actualTokens: 100)
        #expect(grant(limiter, tokens: 400) != nil)
        #expect(limiter.snapshot.tokensInLastMinute == 900)
    }

    @Test("An under-estimate uses more budget, still counted from the original grant")
    func underEstimateUsesMore() throws {
        let limiter = limiter(tokensPerMinute: 1_000)
        let first = try #require(grant(limiter, tokens: 100))
        clock.advance(by: .seconds(10))
        limiter.complete(first, actualTokens: 900)

        #expect(limiter.tryAcquire(estimatedTokens: 200) == .notBefore(
            first.grantedAt.advanced(by: .seconds(61)), reason: .tokensPerMinute
        ))
        #expect(grant(limiter, tokens: 100) != nil)
    }

    @Test("A single request estimated above tpm is granted when the window is empty, and only then")
    func oversizeRequestNeedsAnEmptyWindow() throws {
        let limiter = limiter(tokensPerMinute: 1_000)
        let small = try #require(grant(limiter, tokens: 10))
        #expect(limiter.tryAcquire(estimatedTokens: 5_000) == .notBefore(
            small.grantedAt.advanced(by: .seconds(61)), reason: .tokensPerMinute
        ))

        clock.advance(by: .seconds(61))
        let large = try #require(grant(limiter, tokens: 5_000))
        #expect(limiter.tryAcquire(estimatedTokens: 1) == .notBefore(
            large.grantedAt.advanced(by: .seconds(61)), reason: .tokensPerMinute
        ))
    }

    @Test("A caller waiting for tokens is granted at once when a completed call used fewer than estimated")
    func correctionWakesTheWaitingCaller() async throws {
        let limiter = limiter(tokensPerMinute: 1_000)
        let first = try #require(grant(limiter, tokens: 900))
        async let waiting = limiter.acquire(estimatedTokens: 500, deadline: clock.instant(.seconds(3_600)))
        await clock.sleepers(count: 1)
        // Its timer is set for the moment the first reservation leaves the window.
        #expect(clock.sleeperDeadlines == [first.grantedAt.advanced(by: .seconds(61))])

        limiter.complete(first, actualTokens: 100)
        let permit = try await waiting
        #expect(permit.grantedAt == first.grantedAt)
        #expect(limiter.snapshot.tokensInLastMinute == 600)
    }
}
