import Engine
import Synchronization
import Testing

@Suite("Rate limiter: requests per minute and burst", .timeLimit(.minutes(1)))
struct RateLimitWindowTests {
    @Test(
        "A greedy caller never gets more than rpm grants in any 60 s window nor burst in any 1 s window, and keeps 97 % of rpm",
        arguments: [
            RateLimit(requestsPerMinute: 600, burst: 10),
            RateLimit(requestsPerMinute: 3500),
            RateLimit(requestsPerMinute: 1),
        ]
    )
    func greedyCallerStaysInsideBothWindows(limit: RateLimit) {
        let grants = Self.greedyGrants(limit: limit, for: .seconds(600))

        #expect(Self.mostInAnyWindow(grants, width: .seconds(60)) == limit.requestsPerMinute)
        #expect(Self.mostInAnyWindow(grants, width: .seconds(1)) == limit.burst)
        // The steady state, once the first minute's head start is spent: the last five minutes.
        let steady = grants.filter { $0 >= .seconds(300) }.count
        #expect(Double(steady) >= 0.97 * Double(limit.requestsPerMinute) * 5)
    }

    @Test("rpm 1 grants one request per 61 s: the provider never sees two in a minute")
    func oneRequestPerMinute() {
        let grants = Self.greedyGrants(limit: RateLimit(requestsPerMinute: 1), for: .seconds(600))
        #expect(grants == (0..<10).map { Duration.seconds(61 * $0) })
    }

    @Test("Network delay up to the arrival margin never puts more than rpm arrivals in a 60 s window")
    func arrivalsStayInsideTheMinute() {
        let limit = RateLimit(requestsPerMinute: 600, burst: 10, arrivalMargin: .seconds(1))
        let grants = Self.greedyGrants(limit: limit, for: .seconds(300))
        var random = SplitMix64(seed: 42)
        let delayPatterns: [(Int) -> Duration] = [
            // Any delay up to the margin.
            { _ in .milliseconds(Int(random.next() % 1001)) },
            // The worst case: one minute's requests arrive late, the next minute's at once.
            { index in (index / 600) % 2 == 0 ? .seconds(1) : .zero },
            { index in (index / 600) % 2 == 1 ? .seconds(1) : .zero },
        ]
        for delay in delayPatterns {
            let arrivals = grants.enumerated().map { index, grant in grant + delay(index) }
            #expect(Self.mostInAnyWindow(arrivals, width: .seconds(60)) <= 600)
        }

        // Without the margin the same worst case does overfill a provider's minute: the margin is what prevents it.
        let unprotected = Self.greedyGrants(
            limit: RateLimit(requestsPerMinute: 600, burst: 10, arrivalMargin: .zero), for: .seconds(300)
        )
        let lateThenPrompt = unprotected.enumerated().map { index, grant in
            grant + ((index / 600) % 2 == 0 ? .seconds(1) : .zero)
        }
        #expect(Self.mostInAnyWindow(lateThenPrompt, width: .seconds(60)) > 600)
    }

    @Test("Delay differences up to the burst margin (a sixtieth of the arrival margin) never overfill a 1 s window")
    func arrivalsStayInsideTheSecond() {
        let limit = RateLimit(requestsPerMinute: 600, burst: 10, arrivalMargin: .seconds(1))
        #expect(limit.burstWindow == .seconds(1) + .seconds(1) / 60)
        let burstMargin = limit.burstWindow - .seconds(1)
        let grants = Self.greedyGrants(limit: limit, for: .seconds(120))
        var random = SplitMix64(seed: 7)
        let delayPatterns: [(Int) -> Duration] = [
            { _ in burstMargin * (Double(random.next() % 1001) / 1000) },
            { index in (index / 10) % 2 == 0 ? burstMargin : .zero },
        ]
        for delay in delayPatterns {
            let arrivals = grants.enumerated().map { index, grant in grant + delay(index) }
            #expect(Self.mostInAnyWindow(arrivals, width: .seconds(1)) <= 10)
        }
    }

    @Test("Sixteen workers waiting in acquire share the limits: no window overfills, and 97 % of rpm is used")
    func concurrentWorkersShareTheLimits() async {
        let clock = ManualClock()
        let limiter = RateLimiter(name: "test", limit: RateLimit(requestsPerMinute: 600, burst: 10), clock: clock)
        let recorder = GrantRecorder()
        let workers = 16
        let noDeadline = clock.instant(.seconds(86_400))
        let end = Duration.seconds(180)

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while true {
                        do {
                            let permit = try await limiter.acquire(deadline: noDeadline)
                            recorder.record(permit.grantedAt.offset)
                            limiter.complete(permit, actualTokens: nil)
                        } catch {
                            return
                        }
                    }
                }
            }
            // Every worker waits in line and the first in line has a timer for its next chance: move time there.
            while clock.now.offset < end, !Task.isCancelled {
                await clock.waitUntil { deadlines in deadlines.count >= workers && deadlines[0] < noDeadline }
                guard let next = clock.sleeperDeadlines.first else { break }
                clock.advance(to: next)
            }
            group.cancelAll()
        }

        let grants = recorder.grants.filter { $0 < end }
        #expect(Self.mostInAnyWindow(grants, width: .seconds(60)) <= 600)
        #expect(Self.mostInAnyWindow(grants, width: .seconds(1)) <= 10)
        let steady = grants.filter { $0 >= .seconds(60) }.count
        #expect(Double(steady) >= 0.97 * 600 * 2)
        #expect(limiter.snapshot.waiting == 0)
        #expect(limiter.snapshot.inFlight == 0)
    }

    @Test("The snapshot counts the requests and tokens of the last 60 seconds")
    func snapshotCountsTheLastMinute() {
        let clock = ManualClock()
        let limiter = RateLimiter(name: "openai", limit: RateLimit(requestsPerMinute: 600, burst: 10), clock: clock)
        for _ in 0..<3 {
            if case .granted(let permit) = limiter.tryAcquire(estimatedTokens: 100) {
                limiter.complete(permit, actualTokens: nil)
            }
        }
        clock.advance(by: .seconds(30))
        if case .granted(let permit) = limiter.tryAcquire(estimatedTokens: 50) {
            limiter.complete(permit, actualTokens: 70)
        }
        #expect(limiter.snapshot.requestsInLastMinute == 4)
        #expect(limiter.snapshot.tokensInLastMinute == 370)
        clock.advance(by: .seconds(30))
        #expect(limiter.snapshot.requestsInLastMinute == 1)
        #expect(limiter.snapshot.tokensInLastMinute == 70)
        #expect(limiter.snapshot.totalGranted == 4)
        #expect(limiter.snapshot.name == "openai")
    }

    // MARK: Helpers

    /// The grant instants of a caller that asks again the moment the limiter allows, for `duration` of clock time.
    static func greedyGrants(limit: RateLimit, for duration: Duration) -> [Duration] {
        let clock = ManualClock()
        let limiter = RateLimiter(name: "test", limit: limit, clock: clock)
        var grants: [Duration] = []
        while clock.now.offset < duration {
            switch limiter.tryAcquire() {
            case .granted(let permit):
                grants.append(permit.grantedAt.offset)
                limiter.complete(permit, actualTokens: nil)
            case .notBefore(let instant, _):
                clock.advance(to: instant)
            }
        }
        return grants
    }

    /// The most instants inside one window `[t, t + width)`, over every `t`.
    ///
    /// A fullest window can always start at one of the instants, so those are the only starts to try.
    static func mostInAnyWindow(_ instants: [Duration], width: Duration) -> Int {
        let sorted = instants.sorted()
        var most = 0
        var start = 0
        for end in sorted.indices {
            while sorted[end] - sorted[start] >= width {
                start += 1
            }
            most = max(most, end - start + 1)
        }
        return most
    }
}

/// Grant instants collected from many worker tasks.
final class GrantRecorder: Sendable {
    private let state = Mutex<[Duration]>([])

    func record(_ instant: Duration) {
        state.withLock { $0.append(instant) }
    }

    var grants: [Duration] {
        state.withLock { $0 }
    }
}

/// A small seeded generator, so that "random" delays are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
