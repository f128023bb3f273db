import Engine
import Testing

@Suite("Shared budget: the refiller's schedule on a manual clock")
struct RefillScheduleTests {
    private let clock = ManualClock()
    private let interval = Duration.milliseconds(100)
    private let tolerance = Duration.milliseconds(10)

    private func schedule() -> RefillSchedule<ManualClock.Instant> {
        RefillSchedule(interval: interval, tolerance: tolerance)
    }

    /// Asks the schedule every `step` from `from` to `to`; returns when tokens went out.
    private func run(_ schedule: inout RefillSchedule<ManualClock.Instant>, from: Duration, to: Duration, step: Duration) -> [Duration] {
        var tokens: [Duration] = []
        var time = from
        while time <= to {
            if schedule.tokenDue(at: clock.instant(time)) { tokens.append(time) }
            time += step
        }
        return tokens
    }

    @Test("A new refiller starts with no credit: its first token comes one interval after it was elected")
    func startsWithNoCredit() {
        var refill = schedule()
        let early = refill.tokenDue(at: clock.instant(.seconds(5)))
        #expect(!early, "not refilling before it is elected")
        refill.start(at: clock.instant(.seconds(5)))
        let tokens = run(&refill, from: .seconds(5), to: .milliseconds(5350), step: .milliseconds(1))
        #expect(tokens == [.milliseconds(5100), .milliseconds(5200), .milliseconds(5300)])
    }

    @Test("A wake within the tolerance keeps the grid; a late wake (a pause, SIGSTOP) gives one token, never the missed ones")
    func neverCatchesUp() {
        var refill = schedule()
        refill.start(at: clock.instant(.zero))
        let slightlyLate = refill.tokenDue(at: clock.instant(.milliseconds(105)))
        #expect(slightlyLate, "5 ms late: still its slot")
        #expect(refill.nextWake == clock.instant(.milliseconds(200)), "the grid stays")
        // Asleep for ten seconds: ninety-eight slots passed.
        let afterSleep = refill.tokenDue(at: clock.instant(.seconds(10)))
        let again = refill.tokenDue(at: clock.instant(.seconds(10)))
        #expect(afterSleep)
        #expect(!again, "one token, not a flood")
        #expect(refill.nextWake == clock.instant(.milliseconds(10_100)), "a new grid from the wake")
    }

    @Test("A cooldown stops the tokens until it ends; the later of two deadlines wins")
    func pausesForCooldowns() {
        var refill = schedule()
        refill.start(at: clock.instant(.zero))
        refill.pause(until: clock.instant(.seconds(20)))
        refill.pause(until: clock.instant(.seconds(5)))
        let tokens = run(&refill, from: .zero, to: .milliseconds(20_250), step: .milliseconds(1))
        #expect(tokens == [.seconds(20), .milliseconds(20_100), .milliseconds(20_200)])
    }

    @Test("A refiller that lost the election stops; elected again, it starts from no credit")
    func leaderChanges() {
        var refill = schedule()
        refill.start(at: clock.instant(.zero))
        let asLeader = run(&refill, from: .zero, to: .milliseconds(250), step: .milliseconds(1))
        #expect(asLeader.count == 2)
        refill.stop()
        #expect(!refill.isRefilling)
        let asFollower = run(&refill, from: .milliseconds(251), to: .seconds(3), step: .milliseconds(1))
        #expect(asFollower.isEmpty)
        refill.start(at: clock.instant(.seconds(3)))
        let electedAgain = run(&refill, from: .seconds(3), to: .milliseconds(3150), step: .milliseconds(1))
        #expect(electedAgain == [.milliseconds(3100)])
    }

    @Test("However irregular the wakes, no stretch holds more tokens than its slots, counting the tolerance")
    func irregularWakesKeepTheBound() {
        var refill = schedule()
        refill.start(at: clock.instant(.zero))
        var generator = SplitMix64(seed: 7)
        var tokens: [Duration] = []
        var time = Duration.zero
        while time < .seconds(120) {
            // Mostly prompt wakes, sometimes late ones (a busy machine), sometimes long stalls.
            let roll = generator.next() % 1000
            let step: Duration = roll < 800 ? .milliseconds(Int64(generator.next() % 4))
                : roll < 998 ? .milliseconds(Int64(generator.next() % 40)) : .seconds(1)
            time += step + .microseconds(100)
            if refill.tokenDue(at: clock.instant(time)) { tokens.append(time) }
        }
        for window in [Duration.seconds(1), .seconds(60)] {
            let most = Int(((window + tolerance) / interval).rounded(.down)) + 1
            for (index, start) in tokens.enumerated() {
                let inWindow = tokens[index...].prefix { $0 <= start + window }.count
                #expect(inWindow <= most, "\(inWindow) tokens in the \(window) from \(start)")
            }
        }
        #expect(tokens.count > 500, "the schedule kept refilling: \(tokens.count)")
    }

    @Test("A lower limit (a reload) takes effect at once: the tokens published at the old rate still count")
    func lowerLimitCountsEarlierTokens() throws {
        let second = Duration.seconds(1)
        var refill = RefillSchedule<ManualClock.Instant>(interval: interval, tolerance: tolerance, windows: [.init(count: 11, length: second)])
        refill.start(at: clock.instant(.zero))
        var tokens = run(&refill, from: .zero, to: .seconds(2), step: .milliseconds(1))
        #expect(tokens.count == 20)
        refill.update(interval: .milliseconds(500), windows: [.init(count: 2, length: second)])
        let later = run(&refill, from: .milliseconds(2001), to: .seconds(6), step: .milliseconds(1))
        #expect(!later.isEmpty)
        tokens += later
        for token in later {
            let inStretch = tokens.filter { $0 >= token - second && $0 <= token }.count
            #expect(inStretch <= 2, "\(inStretch) tokens in the second up to \(token)")
        }
        // The second-latest token of the old rate (at 1.9 s) had to leave the stretch first.
        #expect(try #require(later.first) > .milliseconds(2900))
    }

    @Test("The windows never bind on the plan's own grid: a minute of a 600 rpm plan publishes on every slot")
    func windowsDoNotSlowThePlan() {
        let plan = SharedBudgetPlan(limit: RateLimit(requestsPerMinute: 600, burst: SharedBudgetPlan.defaultBurst(rpm: 600)))
        var refill = RefillSchedule<ManualClock.Instant>(
            interval: plan.requestInterval, tolerance: plan.publicationTolerance, windows: plan.requestWindows
        )
        refill.start(at: clock.instant(.zero))
        // Wakes a little late now and then, within the tolerance.
        var tokens: [Duration] = []
        var time = Duration.zero
        while time < .seconds(180) {
            time += .milliseconds(3)
            if refill.tokenDue(at: clock.instant(time)) { tokens.append(time) }
        }
        let expected = Int(Duration.seconds(180) / plan.requestInterval)
        #expect(tokens.count >= expected - 1, "\(tokens.count) of \(expected) slots")
    }
}
