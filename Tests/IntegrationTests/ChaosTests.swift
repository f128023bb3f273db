import Engine
import Foundation
import Testing

/// The chaos suite: kills, broker restarts, cut and silent connections, slow
/// providers at shutdown, and hostile bodies. Each test counts what went in
/// and what came out and prints it.
///
/// The broker restart runs on a node of its own (`TWEETD_CHAOS_BROKER_URL`), so
/// the other suites, which run in parallel on the shared node, never notice; the
/// suite runs one test at a time because the memory alarm and the restart hit the whole node.
@Suite("Chaos: nothing lost", .serialized)
struct ChaosTests {
    /// Results by tweet id, and how many results in all.
    static func resultCounts(_ broker: TestBroker, client: PublisherConnection) async throws -> (byID: [String: Int], total: Int) {
        let results = try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client)
        var byID: [String: Int] = [:]
        for result in results {
            if let id = try resultJSON(result)["id"] as? String { byID[id, default: 0] += 1 }
        }
        return (byID, results.count)
    }

    static func waitForResults(_ count: Int, broker: TestBroker, client: PublisherConnection, timeout: Duration = .seconds(60)) async -> Bool {
        let queue = broker.topology.resultsQueue!
        return await eventually(timeout: timeout, every: .milliseconds(50)) {
            ((try? await broker.inspect(queue, with: client).messages) ?? 0) >= count
        }
    }

    /// A configuration whose every message waits 20 ms for a loopback provider, so a run of a few
    /// thousand tweets takes seconds however fast tweetd gets, and a fault lands mid-run.
    static func pacedYAML(
        _ broker: TestBroker, server: FakeLLMServer, workers: Int = 8, prefetch: Int? = nil, brokerURL: String? = nil, settings: [String] = []
    ) -> String {
        broker.configurationYAML(
            workers: workers, prefetch: prefetch, chain: ["paced"], brokerURL: brokerURL, broker: settings,
            extra: "providers:\n" + ProviderIntegrationTests.provider("paced", kind: "openai-compatible", server: server, rpm: 600_000)
        )
    }

    /// Runs `body` with a fresh topology on `node` and the 20 ms loopback provider of ``pacedYAML``.
    static func withPacedRun(
        node: TestBroker.Node = .shared, _ body: (TestBroker, PublisherConnection, FakeLLMServer) async throws -> Void
    ) async throws {
        try await FakeLLMServer.with(configuration: ["paced": ["latency_ms": 20]]) { server in
            try await TestBroker.with(node: node) { broker, client in try await body(broker, client, server) }
        }
    }

    static func publish(_ count: Int, prefix: String, broker: TestBroker, client: PublisherConnection) async throws -> [String] {
        let ids = (0..<count).map { "\(prefix)-\($0)" }
        try await broker.publish(ids.map { tweetBody(id: $0, text: "chaos test tweet \($0), what a day") }, with: client)
        return ids
    }

    /// Every id has at least one result, nothing is dead, nothing is left; prints the counts.
    ///
    /// At-least-once allows duplicates: `maximumDuplicates` bounds them (a publish stored by the
    /// broker whose confirm was lost to the fault), so a fault can never quietly double the work.
    static func expectEverythingAnswered(
        _ ids: [String], broker: TestBroker, client: PublisherConnection, exactlyOnce: Bool = false, maximumDuplicates: Int? = nil,
        _ label: String
    ) async throws {
        let (byID, total) = try await resultCounts(broker, client: client)
        let missing = ids.filter { byID[$0] == nil }
        let dead = try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages
        let left = try await broker.inspect(broker.inputQueue, with: client).messages
        print("\(label): in \(ids.count) tweets; out \(total) results for \(byID.count) distinct ids (\(total - byID.count) duplicates), \(missing.count) missing, \(dead) dead, \(left) left in the queue")
        #expect(missing.isEmpty, "\(label): missing results for \(missing.prefix(5))")
        #expect(Set(byID.keys).isSubset(of: Set(ids)), "\(label): results only for what was published")
        #expect(dead == 0, "\(label): nothing dead")
        #expect(left == 0, "\(label): nothing left")
        if exactlyOnce {
            #expect(total == ids.count, "\(label): exactly one result per tweet")
        }
        if let maximumDuplicates {
            #expect(total - byID.count <= maximumDuplicates, "\(label): at most \(maximumDuplicates) duplicates")
        }
    }

    @Test("SIGKILL three times mid-run, restart, drain: every tweet has a result, nothing dead, nothing left")
    func killedThreeTimes() async throws {
        try await Self.withPacedRun { broker, client, server in
            let ids = try await Self.publish(4000, prefix: "kill", broker: broker, client: client)
            let yaml = Self.pacedYAML(broker, server: server, prefetch: 16)
            try await Self.killThenDrain(yaml, at: [600, 1500, 2500], broker: broker, client: client)
            try await Self.expectEverythingAnswered(ids, broker: broker, client: client, "SIGKILL x3")
        }
    }

    /// Starts `tweetd run` and SIGKILLs it once there are at least `thresholds[i]` results, for each
    /// threshold in turn; then drains what is left with `run --drain`, which must exit 0.
    static func killThenDrain(_ yaml: String, at thresholds: [Int], broker: TestBroker, client: PublisherConnection) async throws {
        for threshold in thresholds {
            let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
            #expect(await waitForResults(threshold, broker: broker, client: client), "\(daemon.standardError.suffix(1000))")
            daemon.kill9()
            _ = await daemon.waitForExit(timeout: .seconds(10))
            print("killed with SIGKILL after at least \(threshold) results")
        }
        let drain = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
        #expect(await drain.waitForExit(timeout: .seconds(120)) == 0, "\(drain.standardError.suffix(2000))")
    }

    /// Runs `rabbitmqctl` on the chaos node through scripts/broker.sh.
    static func chaosBrokerctl(_ arguments: String...) async throws {
        try await brokerctl(arguments, node: .chaos)
    }

    /// Runs `rabbitmqctl` on `node` through scripts/broker.sh.
    static func brokerctl(_ arguments: [String], node which: TestBroker.Node) async throws {
        let environment = ProcessInfo.processInfo.environment
        let prefix = which == .chaos ? "TWEETD_CHAOS_BROKER" : "TWEETD_TEST_BROKER"
        let node = try #require(environment["\(prefix)_NAME"], "make test exports \(prefix)_NAME")
        let port = try #require(environment["\(prefix)_PORT"])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/broker.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, "ctl", "-q"] + arguments
        process.environment = environment.merging(["BROKER_NAME": node, "BROKER_PORT": port]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(process.terminationStatus == 0, "rabbitmqctl \(arguments)")
    }

    @Test("A shared provider budget across a broker restart: the budget is declared again from empty and its limits hold throughout")
    func sharedBudgetSurvivesBrokerRestart() async throws {
        let rpm = 120
        let burst = SharedBudgetPlan.defaultBurst(rpm: rpm)
        try await FakeLLMServer.with(configuration: ["llm": ["rpm_limit": rpm, "latency_ms": 50]]) { server in
            try await TestBroker.with(TestBroker(node: .chaos)) { broker, client in
                let ids = try await SharedBudgetTests.publish(150, prefix: "budget-restart", broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], broker: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"],
                    extra: SharedBudgetTests.providerYAML(server: server, rpm: rpm, shared: true, budget: SharedBudgetTests.uniqueBudget("restart"))
                )
                let daemons = try (0..<2).map { _ in try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml) }
                try await Task.sleep(for: .seconds(20))
                try await Self.chaosBrokerctl("stop_app")
                try await Task.sleep(for: .seconds(3))
                try await Self.chaosBrokerctl("start_app")
                let fresh = try await broker.connect()
                for daemon in daemons {
                    #expect(await daemon.waitForExit(timeout: .seconds(180)) == 0, "\(daemon.standardError.suffix(3000))")
                }
                let arrivals = SharedBudgetTests.Arrivals(try await server.stats("llm"))
                print("shared budget, broker restart: worst 60 s \(arrivals.worst(in: 60)), worst 1 s \(arrivals.worst(in: 1)), 429s \(arrivals.rateLimited)")
                let elections = daemons.map { $0.standardError.components(separatedBy: "became the refiller").count - 1 }.reduce(0, +)
                #expect(elections >= 2, "a refiller is elected again after the restart")
                #expect(arrivals.worst(in: 60) <= rpm)
                #expect(arrivals.worst(in: 1) <= burst)
                #expect(arrivals.rateLimited == 0)
                try await Self.expectEverythingAnswered(ids, broker: broker, client: fresh, "shared budget across a broker restart")
                await fresh.close()
            }
        }
    }

    @Test("The broker's application stops and starts mid-run: the same daemon reconnects on its own and finishes")
    func brokerRestart() async throws {
        func brokerctl(_ command: String) async throws { try await Self.chaosBrokerctl(command) }
        try await Self.withPacedRun(node: .chaos) { broker, client, server in
            let ids = try await Self.publish(3000, prefix: "restart", broker: broker, client: client)
            let yaml = Self.pacedYAML(broker, server: server, settings: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"])
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
            #expect(await Self.waitForResults(500, broker: broker, client: client))
            try await brokerctl("stop_app")
            print("broker application stopped")
            try await Task.sleep(for: .seconds(3))
            #expect(daemon.isRunning, "the daemon does not exit because the broker went away")
            try await brokerctl("start_app")
            print("broker application started")
            // The test's own client does not reconnect: read the results with a new one.
            let fresh = try await broker.connect()
            #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(3000))")
            #expect(daemon.standardError.contains("reconnected to the broker"))
            try await Self.expectEverythingAnswered(ids, broker: broker, client: fresh, "broker restart")
            await fresh.close()
        }
    }

    @Test(
        "A TCP proxy between daemon and broker drops or black-holes the connection mid-run: the daemon reconnects and nothing is lost",
        arguments: [TCPProxy.Mode.close, .blackhole]
    )
    func connectionCut(mode: TCPProxy.Mode) async throws {
        try await Self.withPacedRun { broker, client, server in
            let target = try broker.hostAndPort()
            try await TCPProxy.with(target: target) { proxy in
                let ids = try await Self.publish(3000, prefix: "cut-\(mode.rawValue)", broker: broker, client: client)
                // Heartbeats every 2 s: a silent connection is noticed within a few seconds.
                // A prefetch far above the 8 workers: the deliveries buffered when the connection dies
                // come back from the broker and must not be processed a second time.
                let yaml = Self.pacedYAML(
                    broker, server: server, prefetch: 200, brokerURL: "amqp://guest:guest@127.0.0.1:\(proxy.port)/",
                    settings: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"]
                ).replacingOccurrences(of: "heartbeat_seconds: 10", with: "heartbeat_seconds: 2")
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                #expect(await Self.waitForResults(600, broker: broker, client: client))
                try await proxy.set(mode)
                print("proxy: \(mode.rawValue)")
                try await Task.sleep(for: .seconds(mode == .blackhole ? 8 : 2))
                #expect(daemon.isRunning)
                try await proxy.set(.open)
                print("proxy: open")
                #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(3000))")
                #expect(daemon.standardError.contains("reconnected to the broker"))
                // Only what was in flight at the cut may come twice (8 workers' results whose confirm was lost,
                // and as many acks not yet sent), never the 200 prefetched.
                try await Self.expectEverythingAnswered(ids, broker: broker, client: client, maximumDuplicates: 16, "proxy \(mode.rawValue)")
            }
        }
    }

    @Test("A memory alarm blocks publishing: no result while it lasts, all of them once it clears, nothing lost")
    func memoryAlarmPausesPublishing() async throws {
        try await TestBroker.with(node: .chaos) { broker, client in
            let ids = try await Self.publish(2000, prefix: "alarm", broker: broker, client: client)
            // The alarm goes off before the daemon starts, so the pause does not depend on timing.
            try await Self.chaosBrokerctl("set_vm_memory_high_watermark", "0.000001")
            // A connection that never publishes is never blocked: count the results with it.
            let watcher = try await broker.connect()
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 8))
            do {
                let resultsQueue = try #require(broker.topology.resultsQueue)
                #expect(await eventually(timeout: .seconds(20)) { daemon.standardError.contains("the broker blocked publishing") })
                try await Task.sleep(for: .seconds(2))
                let during = try await broker.inspect(resultsQueue, with: watcher).messages
                let waiting = try await broker.inspect(broker.inputQueue, with: watcher)
                print("memory alarm: \(during) results while blocked; \(waiting.messages) ready in the input, \(waiting.consumers) consumer")
                #expect(during == 0, "no result is published while the broker blocks publishers")
                #expect(daemon.isRunning)
            } catch {
                // Never leave the node in alarm for the tests after this one.
                try await Self.chaosBrokerctl("set_vm_memory_high_watermark", "0.4")
                throw error
            }
            try await Self.chaosBrokerctl("set_vm_memory_high_watermark", "0.4")
            #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(3000))")
            #expect(daemon.standardError.contains("the broker unblocked publishing"))
            try await Self.expectEverythingAnswered(ids, broker: broker, client: watcher, "memory alarm")
            await watcher.close()
        }
    }

    @Test("The input queue deleted under a running daemon: it declares the queue again, consumes, and answers what comes next")
    func inputQueueDeleted() async throws {
        try await TestBroker.with { broker, client in
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 4))
            let before = try await Self.publish(50, prefix: "before", broker: broker, client: client)
            #expect(await Self.waitForResults(before.count, broker: broker, client: client))
            let input = broker.inputQueue
            _ = try await client.perform { admin throws(AMQPError) in try admin.deleteQueue(input) }
            #expect(await eventually(timeout: .seconds(10)) { daemon.standardError.contains("the broker cancelled consuming") })
            #expect(await eventually(timeout: .seconds(10)) { (try? await broker.inspect(input, with: client).consumers) == 1 },
                    "consuming again on a declared queue")
            let after = try await Self.publish(50, prefix: "after", broker: broker, client: client)
            #expect(await Self.waitForResults(before.count + after.count, broker: broker, client: client))
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
            try await Self.expectEverythingAnswered(before + after, broker: broker, client: client, exactlyOnce: true, "queue deleted")
        }
    }

    @Test("SIGTERM while the broker is unreachable at start-up: exit 0 at once, not after the grace period")
    func shutdownBeforeTheBrokerIsReachable() async throws {
        try await TestBroker.with { broker, _ in
            let target = try broker.hostAndPort()
            try await TCPProxy.with(target: target) { proxy in
                try await proxy.set(.close)
                let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(
                    workers: 2, brokerURL: "amqp://guest:guest@127.0.0.1:\(proxy.port)/",
                    broker: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"]
                ))
                #expect(await eventually(timeout: .seconds(20)) { daemon.standardError.contains("broker connection failed; reconnecting") })
                let stopped = ContinuousClock.now
                daemon.terminate()
                #expect(await daemon.waitForExit(timeout: .seconds(15)) == 0, "\(daemon.standardError.suffix(2000))")
                let took = ContinuousClock.now - stopped
                print("SIGTERM with no broker: exit 0 after \(took)")
                #expect(took < .seconds(5), "well within processing.shutdown_grace_seconds (20 s here)")
            }
        }
    }

    @Test("SIGTERM while every worker waits on a slow provider: exit 0 within the grace period; a later drain gives exactly one result per tweet")
    func shutdownDuringSlowCalls() async throws {
        try await FakeLLMServer.with(configuration: ["slow": ["latency_ms": 3000]]) { server in
            try await TestBroker.with { broker, client in
                let ids = try await Self.publish(40, prefix: "slow", broker: broker, client: client)
                let provider = "providers:\n" + ProviderIntegrationTests.provider("slow", kind: "openai-compatible", server: server)
                // Heartbeats every second while every worker waits 3 s: the connection must stay up.
                let daemon = try DaemonProcess(
                    arguments: ["run"],
                    configuration: broker.configurationYAML(workers: 10, chain: ["slow"], extra: provider)
                        .replacingOccurrences(of: "heartbeat_seconds: 10", with: "heartbeat_seconds: 1")
                )
                #expect(await eventually(timeout: .seconds(30)) { (try? await server.stats("slow"))?["in_flight"] as? Int == 10 })
                let stopped = ContinuousClock.now
                daemon.terminate()
                #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0, "\(daemon.standardError.suffix(2000))")
                let took = ContinuousClock.now - stopped
                print("SIGTERM with 10 calls in flight: exit 0 after \(took)")
                #expect(took < .seconds(20), "within processing.shutdown_grace_seconds")
                let finished = try await broker.inspect(broker.topology.resultsQueue!, with: client).messages
                #expect(finished == 10, "the ten calls in flight finished and were published")
                #expect(!daemon.standardError.contains("broker connection failed"), "heartbeats kept the connection while workers waited")

                try await server.control("slow", ["latency_ms": 0])
                let drain = try DaemonProcess(
                    arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 10, chain: ["slow"], extra: provider)
                )
                #expect(await drain.waitForExit(timeout: .seconds(60)) == 0, "\(drain.standardError.suffix(2000))")
                try await Self.expectEverythingAnswered(ids, broker: broker, client: client, exactlyOnce: true, "SIGTERM during slow calls")
            }
        }
    }

    /// Sends SIGTERM and expects exit 0, not a crash (132 is SIGILL from a fatalError, 134 an abort), within
    /// the grace period plus the service group's 5 s of cancellation.
    static func expectCleanExitOnSIGTERM(_ daemon: DaemonProcess, graceSeconds: Int, _ label: String) async {
        let stopped = ContinuousClock.now
        daemon.terminate()
        let status = await daemon.waitForExit(timeout: .seconds(30))
        let took = ContinuousClock.now - stopped
        print("\(label): \(status.map { "status \($0)" } ?? "still running") after \(took)")
        #expect(status == 0, "\(label): a clean exit, not a crash: \(daemon.standardError.suffix(2000))")
        #expect(took < .seconds(graceSeconds + 5), "\(label): within the grace period and the cancellation budget")
    }

    @Test("SIGTERM while the broker is down mid-run: a clean exit 0 within the grace period, no crash; a later drain loses nothing")
    func shutdownDuringAnOutage() async throws {
        try await Self.withPacedRun(node: .chaos) { broker, client, server in
            let ids = try await Self.publish(2000, prefix: "outage", broker: broker, client: client)
            let yaml = Self.pacedYAML(broker, server: server, settings: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"])
                .replacingOccurrences(of: "shutdown_grace_seconds: 20", with: "shutdown_grace_seconds: 3")
            let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
            #expect(await Self.waitForResults(300, broker: broker, client: client))
            try await Self.chaosBrokerctl("stop_app")
            // Nothing below throws before start_app: the node always comes back for the next test.
            #expect(await eventually(timeout: .seconds(20)) { daemon.standardError.contains("broker connection failed; reconnecting") })
            await Self.expectCleanExitOnSIGTERM(daemon, graceSeconds: 3, "SIGTERM during an outage")
            try await Self.chaosBrokerctl("start_app")
            let fresh = try await broker.connect()
            let drain = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
            #expect(await drain.waitForExit(timeout: .seconds(120)) == 0, "\(drain.standardError.suffix(2000))")
            // At most what was in flight when the broker went (8 workers' results and their acks) comes twice.
            try await Self.expectEverythingAnswered(ids, broker: broker, client: fresh, maximumDuplicates: 16, "SIGTERM during an outage")
            await fresh.close()
        }
    }

    @Test("SIGTERM during a memory alarm, publishes blocked: a clean exit 0 within the grace period, no crash; nothing lost")
    func shutdownDuringAMemoryAlarm() async throws {
        try await TestBroker.with(node: .chaos) { broker, client in
            let ids = try await Self.publish(500, prefix: "alarmstop", broker: broker, client: client)
            try await Self.chaosBrokerctl("set_vm_memory_high_watermark", "0.000001")
            let watcher = try await broker.connect()
            let yaml = broker.configurationYAML(workers: 8).replacingOccurrences(of: "shutdown_grace_seconds: 20", with: "shutdown_grace_seconds: 3")
            let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
            do {
                #expect(await eventually(timeout: .seconds(20)) { daemon.standardError.contains("the broker blocked publishing") })
                try await Task.sleep(for: .seconds(1))
                await Self.expectCleanExitOnSIGTERM(daemon, graceSeconds: 3, "SIGTERM during a memory alarm")
            } catch {
                try await Self.chaosBrokerctl("set_vm_memory_high_watermark", "0.4")
                throw error
            }
            try await Self.chaosBrokerctl("set_vm_memory_high_watermark", "0.4")
            let drain = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
            #expect(await drain.waitForExit(timeout: .seconds(120)) == 0, "\(drain.standardError.suffix(2000))")
            try await Self.expectEverythingAnswered(ids, broker: broker, client: watcher, maximumDuplicates: 16, "SIGTERM during a memory alarm")
            await watcher.close()
        }
    }

    @Test("A flood of maximum-size messages keeps resident memory within prefetch x message size plus a fixed base")
    func floodOfLargeMessages() async throws {
        try await TestBroker.with { broker, client in
            // Just under processing.max_message_bytes (262,144): a valid tweet padded with an unknown field.
            let padding = String(repeating: "p", count: 250_000)
            let ids = (0..<400).map { "flood-\($0)" }
            let bodies = ids.map { tweetBody(id: $0, text: "a large message \($0)", extra: #""padding":"\#(padding)""#) }
            try await broker.publish(bodies, with: client)
            let prefetch = 16
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 8, prefetch: prefetch))
            let base = try await daemon.metricsURL()
            let idle = daemon.peakResidentKiB ?? 0
            #expect(await Self.waitForResults(ids.count, broker: broker, client: client, timeout: .seconds(120)))
            #expect(await eventually(timeout: .seconds(30)) {
                (try? await ObservabilityTests.scrape(base).value("tweetd_processing_seconds_count")) == Double(ids.count)
            })
            let peak = daemon.peakResidentKiB ?? 0
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
            let inFlightBytes = prefetch * 262_144
            print("flood: \(ids.count) messages of \(bodies[0].count) bytes (\(bodies.map(\.count).reduce(0, +) / 1_048_576) MiB); RSS at start \(idle / 1024) MiB, peak \(peak / 1024) MiB; prefetch x max size = \(inFlightBytes / 1_048_576) MiB")
            // Each body is held a few times on its way (librabbitmq's frame, the delivery, the result), hence x4.
            #expect(peak < 64 * 1024 + 4 * inFlightBytes / 1024, "peak \(peak) KiB")
            try await Self.expectEverythingAnswered(ids, broker: broker, client: client, exactlyOnce: true, "flood")
        }
    }

    @Test("10,000 seeded random and mutated bodies: each becomes a result or a dead letter, the daemon stays up, memory stays bounded")
    func hostileBodies() async throws {
        try await TestBroker.with { broker, client in
            var generator = HostileBodies(seed: 20261129)
            let bodies = (0..<10_000).map { _ in generator.next() }
            try await broker.publish(bodies, with: client)
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 8))
            let base = try await daemon.metricsURL()
            let settled = await eventually(timeout: .seconds(180), every: .milliseconds(500)) {
                (try? await ObservabilityTests.scrape(base).value("tweetd_processing_seconds_count")) == 10_000
            }
            #expect(settled, "\(daemon.standardError.suffix(2000))")
            #expect(daemon.isRunning, "the daemon stays up")
            let peak = daemon.peakResidentKiB ?? 0
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)

            let results = try await broker.inspect(broker.topology.resultsQueue!, with: client).messages
            let dead = try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages
            let left = try await broker.inspect(broker.inputQueue, with: client).messages
            print("hostile bodies: in \(bodies.count) (\(bodies.map(\.count).reduce(0, +) / 1024) KiB); out \(results) results + \(dead) dead letters, \(left) left; peak RSS \(peak / 1024) MiB")
            #expect(results + dead == bodies.count, "each body became exactly one result or dead letter")
            #expect(left == 0)
            #expect(dead > 1000 && results > 1000, "the mix has both")
            // Debug build: prefetch 8 x 256 KiB of bodies plus the runtime; a leak per message would show at 10,000.
            #expect(peak > 0 && peak < 200 * 1024, "peak resident memory \(peak) KiB")
        }
    }
}

/// Seeded hostile message bodies: valid tweets, and tweets truncated, bit-flipped,
/// with swapped types, nested deeply, with huge strings, or not JSON at all.
struct HostileBodies {
    private var generator: SeededRandom

    init(seed: UInt64) {
        generator = SeededRandom(seed: seed)
    }

    private var counter = 0

    mutating func next() -> [UInt8] {
        counter += 1
        let valid = Array(#"{"id":"h\#(counter)","text":"hostile input \#(counter) is great","lang":"en","author":{"id":"7","username":"u","followers":3,"verified":false},"metrics":{"likes":1,"retweets":2,"replies":0,"quotes":0}}"#.utf8)
        switch generator.below(10) {
        case 0, 1, 2:
            return valid
        case 3:
            // Truncated anywhere.
            return Array(valid.prefix(generator.below(valid.count)))
        case 4:
            // A few bit flips.
            var body = valid
            for _ in 0..<(1 + generator.below(4)) {
                body[generator.below(body.count)] ^= UInt8(1 << generator.below(8))
            }
            return body
        case 5:
            // Fields of the wrong type.
            let swaps = [
                #"{"id":"s\#(counter)","text":5}"#, #"{"id":[1],"text":"x"}"#, #"{"id":null,"text":"x"}"#,
                #"{"id":"s\#(counter)","text":"x","metrics":"many"}"#, #"{"id":"s\#(counter)","text":"x","author":[]}"#,
                #"{"id":"s\#(counter)","text":{"a":1}}"#, #"{"id":-1,"text":"x"}"#, #"{"id":"s\#(counter)","text":"x","created_at":7}"#,
            ]
            return Array(swaps[generator.below(swaps.count)].utf8)
        case 6:
            // Deep nesting, sometimes beyond the limit.
            let depth = 10 + generator.below(200)
            return Array((#"{"id":"d\#(counter)","text":"deep","extra":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}").utf8)
        case 7:
            // A huge string, sometimes over max_message_bytes.
            let size = [1000, 30_000, 200_000, 300_000][generator.below(4)]
            return Array((#"{"id":"big\#(counter)","text":""# + String(repeating: "a", count: size) + #""}"#).utf8)
        case 8:
            // Random bytes.
            return (0..<(1 + generator.below(300))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        default:
            // Valid JSON that is not a tweet, or an empty body.
            let others = ["", "[]", "null", "42", #""text""#, "{}", #"{"id":"","text":"x"}"#, #"{"id":"x","text":"\ud800"}"#]
            return Array(others[generator.below(others.count)].utf8)
        }
    }
}
