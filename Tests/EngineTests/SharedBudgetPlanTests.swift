import Engine
import Testing

@Suite("Shared budget: tokens derived from rpm, burst, tpm and the margins")
struct SharedBudgetPlanTests {
    /// The most slots of a grid `interval` apart that fit in a closed stretch of `length`.
    private func mostSlots(in length: Duration, interval: Duration) -> Int {
        Int((length / interval).rounded(.down)) + 1
    }

    @Test("600 rpm with the shared default burst: one token every 101.78 ms, 98.3 % of rpm")
    func defaultsAtSixHundred() {
        let plan = SharedBudgetPlan(limit: RateLimit(requestsPerMinute: 600, burst: SharedBudgetPlan.defaultBurst(rpm: 600)))
        #expect(SharedBudgetPlan.defaultBurst(rpm: 600) == 11)
        // (60 s + 1 s arrival margin + 60 ms lifetime + 10 ms tolerance) / 600, and a microsecond.
        #expect(plan.requestInterval > .microseconds(101_784) && plan.requestInterval < .microseconds(101_786))
        #expect(plan.sustainedRequestsPerMinute > 589 && plan.sustainedRequestsPerMinute < 590)
        #expect(plan.chunkSize == nil && plan.chunkInterval == nil)
    }

    @Test("A single instance's default burst (rpm / 60) binds: one token every 108.7 ms")
    func tightBurstBinds() {
        let plan = SharedBudgetPlan(limit: RateLimit(requestsPerMinute: 600, burst: 10))
        // (1 s + 1 s / 60 + 60 ms + 10 ms) / 10, and a microsecond.
        #expect(plan.requestInterval > .microseconds(108_667) && plan.requestInterval < .microseconds(108_669))
    }

    @Test("For any rpm, burst and arrival margin, a window's possible tokens stay within both limits", arguments: [
        (1, 1, 0), (7, 1, 1), (60, 1, 1), (120, 3, 1), (300, 6, 2), (600, 11, 1), (600, 10, 0), (1000, 19, 1),
        (3500, 63, 1), (3500, 5, 3), (10_000, 180, 1), (1_000_000, 18_000, 1),
    ])
    func windowsHoldTheLimits(rpm: Int, burst: Int, marginSeconds: Int) {
        let limit = RateLimit(requestsPerMinute: rpm, burst: burst, arrivalMargin: .seconds(marginSeconds))
        let plan = SharedBudgetPlan(limit: limit)
        let slack = plan.tokenLifetime + plan.publicationTolerance
        // A request arriving in a window took its token at most the margin earlier, from a slot at most
        // the lifetime and tolerance before that: all such slots lie in one stretch this long.
        #expect(mostSlots(in: .seconds(60) + limit.arrivalMargin + slack, interval: plan.requestInterval) <= rpm)
        #expect(mostSlots(in: limit.burstWindow + slack, interval: plan.requestInterval) <= burst)
    }

    @Test("With the shared default burst, every rpm sustains at least 97.5 % of rpm", arguments: [1, 2, 60, 120, 300, 600, 1000, 3500, 10_000, 100_000])
    func defaultBurstKeepsThroughput(rpm: Int) {
        let plan = SharedBudgetPlan(limit: RateLimit(requestsPerMinute: rpm, burst: SharedBudgetPlan.defaultBurst(rpm: rpm)))
        #expect(plan.sustainedRequestsPerMinute >= 0.975 * Double(rpm), "\(plan.sustainedRequestsPerMinute)")
        #expect(plan.sustainedRequestsPerMinute < Double(rpm))
    }

    @Test("Tokens per minute become chunks: a whole window's chunks, gathered within the hold, stay within tpm")
    func chunksHoldTheTokenLimit() throws {
        let limit = RateLimit(requestsPerMinute: 600, burst: 11, tokensPerMinute: 90_000)
        let plan = SharedBudgetPlan(limit: limit)
        let size = try #require(plan.chunkSize)
        let interval = try #require(plan.chunkInterval)
        #expect(size == 75, "90,000 / 1,200 chunks a minute")
        let stretch = Duration.seconds(60) + limit.arrivalMargin + plan.tokenLifetime + plan.publicationTolerance + plan.chunkHold
        #expect(mostSlots(in: stretch, interval: interval) * size <= 90_000)
        #expect(plan.chunks(forEstimate: 556) == 8, "rounded up to whole chunks")
        #expect(plan.chunks(forEstimate: 0) == 0)
        // More than a hold's worth of chunks would never be gathered: the need is capped, and
        // instances gathering at once share the chunks, so each may need only its share.
        let perHold = plan.chunkHold / interval
        #expect(plan.chunks(forEstimate: 1_000_000) == Int(perHold * 3 / 4))
        #expect(plan.chunks(forEstimate: 1_000_000, gatherers: 3) == Int(perHold / 4))
        let threeGathering: Duration = interval * (plan.chunks(forEstimate: 1_000_000, gatherers: 3) * 3)
        #expect(threeGathering < plan.chunkHold, "three instances each gather their share within the hold")
        #expect(SharedBudgetPlan(limit: RateLimit(requestsPerMinute: 600)).chunks(forEstimate: 556) == 0, "no token limit, no chunks")
    }
}
