import Engine
import Foundation
import Testing

/// Several tweetd processes, one provider budget in the broker (`shared: true`), and a
/// loopback provider that enforces a strict sliding window and records every arrival.
///
/// Each guarantee has a control run without `shared`, which must show the violation: the
/// same three processes then send three times the limit, so the test can fail.
@Suite("Shared provider budget across instances")
struct SharedBudgetTests {
    /// The loopback provider's recorded arrivals, in seconds on its monotonic clock, with their statuses.
    struct Arrivals {
        var times: [Double]
        var statuses: [Int]

        init(_ stats: [String: Any]) {
            let rows = stats["arrivals"] as? [[Any]] ?? []
            let sorted = rows.compactMap { row -> (Double, Int)? in
                guard row.count == 2, let time = (row[0] as? NSNumber)?.doubleValue, let status = (row[1] as? NSNumber)?.intValue else { return nil }
                return (time, status)
            }.sorted { $0.0 < $1.0 }
            times = sorted.map(\.0)
            statuses = sorted.map(\.1)
        }

        /// The most arrivals in any window of `span` seconds.
        func worst(in span: Double) -> Int {
            var best = 0
            var first = 0
            for (last, time) in times.enumerated() {
                while time - times[first] >= span { first += 1 }
                best = max(best, last - first + 1)
            }
            return best
        }

        /// Requests per minute between the first and the last arrival.
        var requestsPerMinute: Double {
            guard let first = times.first, let last = times.last, last > first else { return 0 }
            return Double(times.count - 1) / (last - first) * 60
        }

        var rateLimited: Int { statuses.filter { $0 == 429 }.count }
    }

    /// A budget name of this test run alone: tests running at once must not share a budget.
    static func uniqueBudget(_ label: String) -> String {
        "test-\(label)-\(UUID().uuidString.prefix(8))"
    }

    static func providerYAML(server: FakeLLMServer, rpm: Int, shared: Bool, budget: String) -> String {
        """
        providers:
          llm:
            kind: openai-compatible
            base_url: \(server.baseURL("llm"))
            model: test-model
            rpm: \(rpm)
            timeout_seconds: 10
            cooldown_initial_seconds: 1
            cooldown_max_seconds: 5
            shared: \(shared)
            budget_name: \(budget)
        """
    }

    static func publish(_ count: Int, prefix: String, broker: TestBroker, client: PublisherConnection) async throws -> [String] {
        let ids = (0..<count).map { "\(prefix)-\($0)" }
        try await broker.publish(ids.map { tweetBody(id: $0, text: "I love this great product, \($0)!") }, messageIDs: ids, with: client)
        return ids
    }

    /// The instance whose log says it became the refiller most recently, among those still running.
    static func refiller(among daemons: [DaemonProcess]) -> DaemonProcess? {
        daemons.filter { $0.isRunning }.max { lhs, rhs in
            lhs.standardError.components(separatedBy: "became the refiller").count
                < rhs.standardError.components(separatedBy: "became the refiller").count
        }.flatMap { $0.standardError.contains("became the refiller") ? $0 : nil }
    }

    /// Results by tweet id: every id must have one, and duplicates are counted.
    static func resultCounts(broker: TestBroker, client: PublisherConnection) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for delivery in try await broker.takeAll(from: broker.topology.resultsQueue!, with: client) {
            let id = try resultJSON(delivery)["id"] as? String ?? "?"
            counts[id, default: 0] += 1
        }
        return counts
    }

    @Test("Three instances, one 120 rpm budget, over 2.5 minutes with the refiller SIGKILLed and a fourth joining: never more than rpm in 60 s or burst in 1 s, no 429, at least 85 % of rpm")
    func threeInstancesKeepOneBudget() async throws {
        let rpm = 120
        let burst = SharedBudgetPlan.defaultBurst(rpm: rpm)
        try await FakeLLMServer.with(configuration: ["llm": ["rpm_limit": rpm, "latency_ms": 100, "latency_jitter_ms": 100]]) { server in
            try await TestBroker.with { broker, client in
                let ids = try await Self.publish(300, prefix: "shared", broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], extra: Self.providerYAML(server: server, rpm: rpm, shared: true, budget: Self.uniqueBudget("kill"))
                )
                let daemons = try (0..<3).map { _ in try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml) }
                #expect(await eventually(timeout: .seconds(30)) { Self.refiller(among: daemons) != nil }, "one instance is elected")
                try await Task.sleep(for: .seconds(40))
                let first = try #require(Self.refiller(among: daemons))
                // What an operator sees: three instances in the election, and which one refills.
                let status = try DaemonProcess(arguments: ["status", "--json"], configuration: yaml)
                #expect(await status.waitForExit(timeout: .seconds(30)) == 0, "\(status.standardError)")
                let report = try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any]
                let budget = (report?["shared_budgets"] as? [[String: Any]])?.first
                #expect(budget?["instances"] as? Int == 3, "\(status.standardOutput)")
                #expect((budget?["refiller"] as? String)?.hasSuffix(":\(first.pid)") == true, "\(status.standardOutput)")
                first.kill9()
                var survivors = daemons.filter { $0 !== first }
                #expect(
                    await eventually(timeout: .seconds(15)) { Self.refiller(among: survivors) != nil },
                    "another instance takes over the refill at once"
                )
                // An instance joining mid-run takes from the same budget; the limits still hold.
                try await Task.sleep(for: .seconds(10))
                survivors.append(try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml))
                for daemon in survivors {
                    #expect(await daemon.waitForExit(timeout: .seconds(300)) == 0, "\(daemon.standardError.suffix(2000))")
                }
                let arrivals = Arrivals(try await server.stats("llm"))
                let results = try await Self.resultCounts(broker: broker, client: client)
                print("""
                    shared budget, 3 instances, refiller killed: \(arrivals.times.count) requests, \
                    \(String(format: "%.1f", arrivals.requestsPerMinute)) rpm, worst 60 s \(arrivals.worst(in: 60)), \
                    worst 1 s \(arrivals.worst(in: 1)) (burst \(burst)), 429s \(arrivals.rateLimited), \
                    duplicates \(results.values.reduce(0, +) - results.count)
                    """)
                #expect(arrivals.worst(in: 60) <= rpm)
                #expect(arrivals.worst(in: 1) <= burst)
                #expect(arrivals.rateLimited == 0)
                #expect(arrivals.requestsPerMinute >= 0.85 * Double(rpm))
                #expect(Set(results.keys) == Set(ids), "every tweet has its result")
                // The killed instance's unacked deliveries come back; a result it published before the ack is a duplicate.
                #expect(results.values.reduce(0, +) - results.count <= 8)
                #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0)
            }
        }
    }

    @Test("Control: the same three instances without shared send three times the limit and draw 429s")
    func withoutSharedTheLimitBreaks() async throws {
        let rpm = 120
        try await FakeLLMServer.with(configuration: ["llm": ["rpm_limit": rpm, "latency_ms": 100, "latency_jitter_ms": 100]]) { server in
            try await TestBroker.with { broker, client in
                _ = try await Self.publish(300, prefix: "unshared", broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], extra: Self.providerYAML(server: server, rpm: rpm, shared: false, budget: Self.uniqueBudget("control"))
                )
                let daemons = try (0..<3).map { _ in try DaemonProcess(arguments: ["run"], configuration: yaml) }
                try await Task.sleep(for: .seconds(40))
                for daemon in daemons { daemon.terminate() }
                for daemon in daemons { _ = await daemon.waitForExit(timeout: .seconds(30)) }
                let arrivals = Arrivals(try await server.stats("llm"))
                print("no shared budget, 3 instances: worst 60 s \(arrivals.worst(in: 60)), 429s \(arrivals.rateLimited)")
                #expect(arrivals.worst(in: 60) > rpm, "each instance keeps only its own count")
                #expect(arrivals.rateLimited > 0)
            }
        }
    }

    @Test("A 429 with Retry-After 20 s seen by one instance: no instance sends from a second after it until the 20 s are over", arguments: [true, false])
    func cooldownReachesEveryInstance(shared: Bool) async throws {
        let rpm = 600
        let server429: [String: Any] = ["mode": "throttle_first_n", "n": 1, "retry_after_s": 20, "latency_ms": 50]
        try await FakeLLMServer.with(configuration: ["llm": server429]) { server in
            try await TestBroker.with { broker, client in
                let ids = try await Self.publish(150, prefix: "cooldown", broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], extra: Self.providerYAML(server: server, rpm: rpm, shared: shared, budget: Self.uniqueBudget("cooldown"))
                )
                let daemons = try (0..<3).map { _ in try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml) }
                for daemon in daemons {
                    #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(2000))")
                }
                let arrivals = Arrivals(try await server.stats("llm"))
                let throttled = try #require(zip(arrivals.times, arrivals.statuses).first { $0.1 == 429 }?.0)
                let duringCooldown = arrivals.times.filter { $0 > throttled + 1 && $0 < throttled + 19.5 }.count
                print("cooldown, shared \(shared): \(duringCooldown) requests between 1 s and 19.5 s after the 429")
                if shared {
                    #expect(duringCooldown == 0, "every instance paused within a second")
                    #expect(arrivals.rateLimited == 1)
                    #expect(Set(try await Self.resultCounts(broker: broker, client: client).keys) == Set(ids))
                } else {
                    #expect(duringCooldown > 0, "without shared, only the instance that saw the 429 pauses")
                }
            }
        }
    }

    @Test("A cooldown announced before an instance started still holds it: the refiller SIGKILLed during a 30 s cooldown, a new instance sends nothing until it ends")
    func cooldownOutlivesItsAnnouncer() async throws {
        let server429: [String: Any] = ["mode": "throttle_first_n", "n": 1, "retry_after_s": 30, "latency_ms": 20]
        try await FakeLLMServer.with(configuration: ["llm": server429]) { server in
            try await TestBroker.with { broker, client in
                let ids = try await Self.publish(60, prefix: "late", broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], extra: Self.providerYAML(server: server, rpm: 600, shared: true, budget: Self.uniqueBudget("late"))
                )
                let first = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                #expect(await eventually(timeout: .seconds(30)) {
                    ((try? await server.stats("llm"))?["status_counts"] as? [String: Int])?["429"] == 1
                })
                try await Task.sleep(for: .seconds(2))
                first.kill9()
                let second = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                #expect(await second.waitForExit(timeout: .seconds(120)) == 0, "\(second.standardError.suffix(2000))")
                #expect(second.standardError.contains("announced earlier"), "it read the cooldown it never heard")
                let arrivals = Arrivals(try await server.stats("llm"))
                let throttled = try #require(zip(arrivals.times, arrivals.statuses).first { $0.1 == 429 }?.0)
                let duringCooldown = arrivals.times.filter { $0 > throttled + 1 && $0 < throttled + 29 }.count
                print("cooldown outliving its announcer: \(duringCooldown) requests between 1 s and 29 s after the 429")
                #expect(duringCooldown == 0)
                #expect(Set(try await Self.resultCounts(broker: broker, client: client).keys) == Set(ids))
            }
        }
    }

    @Test("The refiller SIGSTOPped past the heartbeat timeout: another takes over, and after SIGCONT the budget is not refilled twice")
    func stoppedRefillerIsReplacedWithoutDoubleRefill() async throws {
        let rpm = 120
        let burst = SharedBudgetPlan.defaultBurst(rpm: rpm)
        try await FakeLLMServer.with(configuration: ["llm": ["rpm_limit": rpm, "latency_ms": 50]]) { server in
            try await TestBroker.with { broker, client in
                let ids = try await Self.publish(140, prefix: "stopped", broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], heartbeatSeconds: 3,
                    extra: Self.providerYAML(server: server, rpm: rpm, shared: true, budget: Self.uniqueBudget("stop"))
                )
                let daemons = try (0..<2).map { _ in try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml) }
                #expect(await eventually(timeout: .seconds(30)) { Self.refiller(among: daemons) != nil })
                try await Task.sleep(for: .seconds(10))
                let stopped = try #require(Self.refiller(among: daemons))
                let other = try #require(daemons.first { $0 !== stopped })
                kill(stopped.pid, SIGSTOP)
                let tookOver = await eventually(timeout: .seconds(30)) { other.standardError.contains("became the refiller") }
                try await Task.sleep(for: .seconds(5))
                kill(stopped.pid, SIGCONT)
                #expect(tookOver, "the broker closed the stopped refiller's connection and handed the baton on")
                for daemon in daemons {
                    #expect(await daemon.waitForExit(timeout: .seconds(240)) == 0, "\(daemon.standardError.suffix(2000))")
                }
                let arrivals = Arrivals(try await server.stats("llm"))
                print("refiller stopped: worst 60 s \(arrivals.worst(in: 60)), worst 1 s \(arrivals.worst(in: 1)), 429s \(arrivals.rateLimited)")
                #expect(arrivals.worst(in: 60) <= rpm)
                #expect(arrivals.worst(in: 1) <= burst, "one refiller at a time, and no catching up after SIGCONT")
                #expect(arrivals.rateLimited == 0)
                #expect(Set(try await Self.resultCounts(broker: broker, client: client).keys) == Set(ids))
            }
        }
    }

    /// A transport that is never used: only the provider's token estimate is wanted.
    private struct NoTransport: HTTPTransport {
        func send(_ request: ProviderHTTPRequest, timeout: Duration) async throws(ProviderError) -> ProviderHTTPResponse {
            throw ProviderError(kind: .rejected, provider: "none", status: nil, message: "not for sending")
        }
    }

    @Test("Tokens per minute shared by two instances: requests go as fast as the chunks of one tpm budget allow, not twice as fast")
    func tokensPerMinuteAreShared() async throws {
        let rpm = 600
        try await FakeLLMServer.with(configuration: ["llm": ["rpm_limit": rpm, "latency_ms": 50]]) { server in
            try await TestBroker.with { broker, client in
                let budget = Self.uniqueBudget("tpm")
                // The estimate of one of these tweets, as the provider reserves it.
                let probe = broker.configurationYAML(workers: 4, chain: ["llm"], extra: Self.providerYAML(server: server, rpm: rpm, shared: true, budget: budget))
                let provider = try #require(try TweetdConfiguration.load(yaml: probe, environment: [:], overrides: [:]).providers["llm"])
                let client0 = try ProviderFactory.make(configuration: provider, environment: [:], transport: NoTransport())
                let tweet = try TweetDecoder().decode(tweetBody(id: "tpm-100", text: "I love this great product, tpm-100!"))
                let estimate = client0.estimatedTokens(for: ProviderRequest(tweet: tweet, builtin: BuiltinAnalyzer().analyze(tweet)))
                // About two requests a second for the whole budget: the token limit binds, not rpm.
                let tpm = estimate * 120
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"],
                    extra: Self.providerYAML(server: server, rpm: rpm, shared: true, budget: budget) + "\n    tpm: \(tpm)"
                )
                let configured = try #require(try TweetdConfiguration.load(yaml: yaml, environment: [:], overrides: [:]).providers["llm"])
                let plan = SharedBudgetPlan(limit: RateLimit(requestsPerMinute: rpm, burst: configured.burst, tokensPerMinute: tpm))
                let chunkSize = try #require(plan.chunkSize)
                // Whatever the instances' count when a request was reserved, it took at least this many chunks
                // (tweets of one more digit cost at most one chunk more, never fewer).
                let fewestChunks = plan.chunks(forEstimate: estimate, gatherers: 2)
                let mostPerMinute = (tpm / chunkSize) / fewestChunks
                let ids = try await Self.publish(150, prefix: "tpm", broker: broker, client: client)
                let daemons = try (0..<2).map { _ in try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml) }
                for daemon in daemons {
                    #expect(await daemon.waitForExit(timeout: .seconds(240)) == 0, "\(daemon.standardError.suffix(2000))")
                }
                let arrivals = Arrivals(try await server.stats("llm"))
                print("""
                    shared tpm \(tpm) (estimate \(estimate), chunks of \(chunkSize), \(fewestChunks) a request): \
                    worst 60 s \(arrivals.worst(in: 60)) of at most \(mostPerMinute), \
                    \(String(format: "%.1f", arrivals.requestsPerMinute)) requests per minute
                    """)
                #expect(arrivals.worst(in: 60) <= mostPerMinute, "one budget of chunks for both instances")
                let chunkSeconds = try #require(plan.chunkInterval) / .seconds(1)
                let sustained = 60 / (Double(plan.chunks(forEstimate: estimate)) * chunkSeconds)
                #expect(arrivals.requestsPerMinute >= 0.8 * sustained, "and most of it used (\(sustained) a minute when every chunk is)")
                #expect(arrivals.rateLimited == 0)
                #expect(Set(try await Self.resultCounts(broker: broker, client: client).keys) == Set(ids))
            }
        }
    }
}
