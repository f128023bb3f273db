import Engine
import Foundation
import Testing

/// tweetd on the private three-node cluster `make test` starts (`scripts/cluster.sh`), with
/// quorum queues: nodes SIGKILLed mid-run (the leader of the input queue, the node tweetd is
/// connected to, the leader of a delay queue holding retries), the whole cluster down for 20 s,
/// and the chaos suite's promises (SIGKILL of tweetd, a broker restart, a cut connection, a
/// memory alarm). Each test counts what went in and what came out, by tweet id, and prints it.
///
/// One test at a time: killing a node hits everything on the cluster.
@Suite("Cluster: nodes die, nothing is lost", .serialized)
struct ClusterTests {
    /// A client that fails over to the next node and reconnects, for watching counts while nodes die.
    static func watcher(_ broker: TestBroker) async throws -> PublisherConnection {
        let watcher = PublisherConnection(
            endpoint: broker.endpoint, name: "watcher", reconnect: ReconnectSettings(initialDelay: .milliseconds(100), maximumDelay: .seconds(1)),
            logger: broker.logger
        )
        try await watcher.start()
        return watcher
    }

    /// Waits until the results queue holds at least `count` results; a failed read (the watcher's
    /// node just died) counts as not yet.
    static func waitForResults(_ count: Int, broker: TestBroker, watcher: PublisherConnection, timeout: Duration = .seconds(180)) async -> Bool {
        let queue = broker.topology.resultsQueue!
        return await eventually(timeout: timeout, every: .milliseconds(250)) {
            ((try? await broker.inspect(queue, with: watcher).messages) ?? 0) >= count
        }
    }

    /// Every id has a result or a dead letter; nothing is left in the input; prints the counts.
    /// Duplicates are allowed (a delivery in flight on a connection that died with its node comes
    /// back), counted and bounded by `maximumDuplicates`.
    static func expectEachTweetAnswered(
        _ ids: [String], broker: TestBroker, maximumDuplicates: Int, expectDead: Bool = false, _ label: String
    ) async throws {
        let client = try await broker.connect()
        let results = try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client)
        let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
        let left = try await broker.inspect(broker.inputQueue, with: client).messages
        await client.close()
        var answers: [String: Int] = [:]
        for result in results {
            answers[try #require(resultJSON(result)["id"] as? String), default: 0] += 1
        }
        for letter in dead {
            answers[letter.properties.messageId ?? "?", default: 0] += 1
        }
        let missing = ids.filter { answers[$0] == nil }
        let duplicates = answers.values.reduce(0) { $0 + $1 - 1 }
        print(
            "\(label): in \(ids.count) tweets; out \(results.count) results and \(dead.count) dead letters for \(answers.count) distinct ids"
                + " (\(duplicates) duplicates), \(missing.count) missing, \(left) left in the input"
        )
        #expect(missing.isEmpty, "\(label): no answer for \(missing.prefix(5))")
        #expect(Set(answers.keys).isSubset(of: Set(ids)), "\(label): answers only for what was published")
        #expect(left == 0, "\(label): nothing left in the input")
        #expect(duplicates <= maximumDuplicates, "\(label): at most \(maximumDuplicates) duplicates")
        if !expectDead {
            #expect(dead.isEmpty, "\(label): nothing dead")
        }
    }

    /// SIGTERM, then exit 0 within the grace period.
    static func expectCleanStop(_ daemon: DaemonProcess, _ label: String) async {
        daemon.terminate()
        #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(label): exit 0 on SIGTERM\n\(daemon.standardError.suffix(3000))")
    }

    @Test(
        "20,000 tweets on quorum queues: the input queue's leader is SIGKILLed, then the node tweetd is connected to; every tweet answered, nothing left, exit 0",
        .disabled(
            "open (issue 19): in 2 of 4 runs RabbitMQ 3.10 nacked every result publish for 3 to 7 minutes after a node death; nothing was lost, but progress stalls past any sane wait"
        )
    )
    func nodesKilledMidRun() async throws {
        try await FakeLLMServer.with(configuration: ["paced": ["latency_ms": 20]]) { server in
            try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
                let ids = try await ChaosTests.publish(20_000, prefix: "cluster", broker: broker, client: client)
                let watcher = try await Self.watcher(broker)
                let yaml = ChaosTests.pacedYAML(
                    broker, server: server, workers: 32, prefetch: 64,
                    settings: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 2"]
                )
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)

                #expect(await Self.waitForResults(3000, broker: broker, watcher: watcher), "\(daemon.standardError.suffix(2000))")
                let leader = try await ClusterControl.leader(of: broker.inputQueue)
                try await ClusterControl.kill(leader)
                // Generous: in one run of three, RabbitMQ 3.10 went on nacking publishes to a quorum queue for about
                // three minutes after its new leader was elected (the inputs go back to their queue meanwhile; nothing
                // is lost). The promise checked here is that the run finishes with every tweet answered.
                let afterAKill: Duration = .seconds(420)
                #expect(
                    await Self.waitForResults(7000, broker: broker, watcher: watcher, timeout: afterAKill),
                    "progress with the leader dead\n\(daemon.standardError.suffix(3000))"
                )
                try await ClusterControl.start(leader)

                #expect(await Self.waitForResults(10_000, broker: broker, watcher: watcher), "\(daemon.standardError.suffix(2000))")
                let connected = try ClusterControl.node(of: "consumer", inLog: daemon.standardError)
                print("tweetd's consumer is connected to node \(connected)")
                try await ClusterControl.kill(connected)
                #expect(
                    await Self.waitForResults(14_000, broker: broker, watcher: watcher, timeout: afterAKill),
                    "progress with tweetd's node dead\n\(daemon.standardError.suffix(3000))"
                )
                try await ClusterControl.start(connected)

                let drained = await eventually(timeout: .seconds(240), every: .milliseconds(500)) {
                    guard let input = try? await broker.inspect(broker.inputQueue, with: watcher),
                        let results = try? await broker.inspect(broker.topology.resultsQueue!, with: watcher)
                    else { return false }
                    return input.messages == 0 && results.messages >= ids.count
                }
                #expect(drained, "\(daemon.standardError.suffix(3000))")
                await Self.expectCleanStop(daemon, "two nodes killed")
                #expect(daemon.standardError.contains("reconnected to the broker"))
                await watcher.close()
                // Duplicates come only from deliveries in flight on the connections that died: at most a
                // prefetch's worth and the results awaiting confirms, per lost connection.
                try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 4 * 64, "two nodes killed")
            }
        }
    }

    @Test("Every node down for 20 s mid-run: tweetd waits, reconnects when the cluster is back, and finishes; nothing lost")
    func wholeClusterDown() async throws {
        try await FakeLLMServer.with(configuration: ["paced": ["latency_ms": 20]]) { server in
            try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
                let ids = try await ChaosTests.publish(3000, prefix: "down", broker: broker, client: client)
                let watcher = try await Self.watcher(broker)
                let yaml = ChaosTests.pacedYAML(
                    broker, server: server, workers: 8, settings: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 2"]
                )
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
                #expect(await Self.waitForResults(500, broker: broker, watcher: watcher), "\(daemon.standardError.suffix(2000))")
                let killed = try await ClusterControl.run("kill-all")
                #expect(killed.status == 0)
                print("cluster: every node SIGKILLed")
                try await Task.sleep(for: .seconds(20))
                #expect(daemon.isRunning, "tweetd does not exit because the whole cluster went away")
                let started = try await ClusterControl.run("start-all")
                #expect(started.status == 0)
                print("cluster: every node is back")
                let drained = await eventually(timeout: .seconds(180), every: .milliseconds(500)) {
                    guard let input = try? await broker.inspect(broker.inputQueue, with: watcher),
                        let results = try? await broker.inspect(broker.topology.resultsQueue!, with: watcher)
                    else { return false }
                    return input.messages == 0 && results.messages >= ids.count
                }
                #expect(drained, "\(daemon.standardError.suffix(3000))")
                await Self.expectCleanStop(daemon, "whole cluster down")
                await watcher.close()
                try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 4 * 8, "whole cluster down 20 s")
            }
        }
    }

    @Test("Retries waiting in a delay queue whose leader is SIGKILLed: each comes back once its delay is over and gets its result")
    func retriesSurviveTheDelayQueuesLeader() async throws {
        let count = 300
        try await FakeLLMServer.with(configuration: ["flaky": ["mode": "fail_first_n", "n": count]]) { server in
            try await TestBroker.with(retryDelays: [10], node: .cluster, queueType: .quorum) { broker, client in
                let ids = (0..<count).map { "retry-\($0)" }
                try await broker.publish(ids.map { tweetBody(id: $0, text: "a tweet retried across a node's death \($0)") }, with: client)
                let watcher = try await Self.watcher(broker)
                let yaml = broker.configurationYAML(
                    workers: 16, chain: ["flaky"], maxAttempts: 4,
                    broker: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 2"], extra: RetryHopTests.provider(server)
                )
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
                let delayQueue = broker.topology.retryQueue(delaySeconds: 10)
                let waiting = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                    ((try? await broker.inspect(delayQueue, with: watcher).messages) ?? 0) >= count
                }
                #expect(waiting, "every tweet failed once and waits in \(delayQueue)\n\(daemon.standardError.suffix(2000))")
                let leader = try await ClusterControl.leader(of: delayQueue)
                try await ClusterControl.kill(leader)
                try await Task.sleep(for: .seconds(3))
                try await ClusterControl.start(leader)
                #expect(
                    await Self.waitForResults(count, broker: broker, watcher: watcher, timeout: .seconds(120)),
                    "\(daemon.standardError.suffix(3000))"
                )
                let requests = try await server.stats("flaky")["requests"] as? Int ?? -1
                print("retries across the delay queue's leader: \(requests) provider requests for \(count) tweets")
                #expect(requests >= 2 * count, "each tweet was tried, delayed, and tried again")
                await Self.expectCleanStop(daemon, "delay queue leader killed")
                await watcher.close()
                try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 2 * 16, "delay queue leader killed")
            }
        }
    }

    @Test("A shared 120 rpm budget on quorum queues, two instances, the token queue's leader SIGKILLed: never more than rpm in 60 s or burst in 1 s, no 429, tokens flow again")
    func sharedBudgetSurvivesANodesDeath() async throws {
        let rpm = 120
        let burst = SharedBudgetPlan.defaultBurst(rpm: rpm)
        try await FakeLLMServer.with(configuration: ["llm": ["rpm_limit": rpm, "latency_ms": 50]]) { server in
            try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
                _ = try await SharedBudgetTests.publish(400, prefix: "budget", broker: broker, client: client)
                let budget = SharedBudgetTests.uniqueBudget("cluster")
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["llm"], broker: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 2"],
                    extra: SharedBudgetTests.providerYAML(server: server, rpm: rpm, shared: true, budget: budget)
                )
                let daemons = try (0..<2).map { _ in try DaemonProcess(arguments: ["run"], configuration: yaml) }
                #expect(await eventually(timeout: .seconds(30)) { SharedBudgetTests.refiller(among: daemons) != nil }, "one instance is elected")
                try await Task.sleep(for: .seconds(15))
                let leader = try await ClusterControl.leader(of: SharedBudgetQueues(budget: budget).tokens)
                try await ClusterControl.kill(leader)
                try await Task.sleep(for: .seconds(10))
                try await ClusterControl.start(leader)
                let afterRestart = try await server.stats("llm")["requests"] as? Int ?? 0
                try await Task.sleep(for: .seconds(15))
                let atEnd = try await server.stats("llm")["requests"] as? Int ?? 0
                for daemon in daemons {
                    await Self.expectCleanStop(daemon, "shared budget")
                }
                let arrivals = SharedBudgetTests.Arrivals(try await server.stats("llm"))
                print(
                    "shared budget on the cluster, token queue's leader killed: \(arrivals.times.count) requests, worst 60 s "
                        + "\(arrivals.worst(in: 60)) (rpm \(rpm)), worst 1 s \(arrivals.worst(in: 1)) (burst \(burst)), 429s \(arrivals.rateLimited), "
                        + "\(atEnd - afterRestart) requests in the 15 s after the node came back"
                )
                #expect(arrivals.worst(in: 60) <= rpm)
                #expect(arrivals.worst(in: 1) <= burst)
                #expect(arrivals.rateLimited == 0)
                #expect(atEnd - afterRestart >= 15, "the budget serves about 2 requests a second again")
            }
        }
    }

    // MARK: - The chaos suite's promises, on the cluster

    @Test("Chaos on the cluster: tweetd SIGKILLed three times mid-run, restarted, drained; every tweet answered")
    func tweetdKilledThreeTimes() async throws {
        try await FakeLLMServer.with(configuration: ["paced": ["latency_ms": 20]]) { server in
            try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
                let ids = try await ChaosTests.publish(3000, prefix: "kill", broker: broker, client: client)
                let yaml = ChaosTests.pacedYAML(broker, server: server, prefetch: 16)
                try await ChaosTests.killThenDrain(yaml, at: [500, 1200, 2000], broker: broker, client: client)
                try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 3 * 2 * 16, "cluster: tweetd SIGKILLed x3")
            }
        }
    }

    @Test("Chaos on the cluster: every node's broker application stops and starts mid-run; the same daemon reconnects and finishes")
    func brokerRestart() async throws {
        try await FakeLLMServer.with(configuration: ["paced": ["latency_ms": 20]]) { server in
            try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
                let ids = try await ChaosTests.publish(3000, prefix: "restart", broker: broker, client: client)
                let watcher = try await Self.watcher(broker)
                let yaml = ChaosTests.pacedYAML(broker, server: server, settings: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"])
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                #expect(await Self.waitForResults(500, broker: broker, watcher: watcher))
                // Stopped one after the other and started in the opposite order, as an operator restarts a cluster.
                for node in [3, 2, 1] {
                    #expect(try await ClusterControl.run("ctl", String(node), "stop_app").status == 0)
                }
                print("cluster: every node's application stopped")
                try await Task.sleep(for: .seconds(3))
                #expect(daemon.isRunning, "the daemon does not exit because the broker went away")
                // A stopped node waits for the last one stopped to come back: start them together.
                try await withThrowingTaskGroup(of: Int32.self) { group in
                    for node in [1, 2, 3] {
                        group.addTask { try await ClusterControl.run("ctl", String(node), "start_app").status }
                    }
                    for try await status in group {
                        #expect(status == 0)
                    }
                }
                print("cluster: every node's application started")
                #expect(await daemon.waitForExit(timeout: .seconds(180)) == 0, "\(daemon.standardError.suffix(3000))")
                #expect(daemon.standardError.contains("reconnected to the broker"))
                await watcher.close()
                try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 4 * 8, "cluster: broker restart")
            }
        }
    }

    @Test("Chaos on the cluster: the connection to the first node is cut by a proxy; tweetd fails over to the next node and finishes")
    func connectionCutFailsOver() async throws {
        try await FakeLLMServer.with(configuration: ["paced": ["latency_ms": 20]]) { server in
            try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
                let urls = broker.urls
                let first = try #require(URLComponents(string: urls[0]))
                try await TCPProxy.with(target: "\(first.host ?? "127.0.0.1"):\(first.port ?? 0)") { proxy in
                    let ids = try await ChaosTests.publish(3000, prefix: "cut", broker: broker, client: client)
                    let watcher = try await Self.watcher(broker)
                    let nodes = ["amqp://guest:guest@127.0.0.1:\(proxy.port)/"] + urls.dropFirst()
                    let yaml = ChaosTests.pacedYAML(
                        broker, server: server, prefetch: 200, brokerURL: nodes.joined(separator: ","),
                        settings: ["node_order: listed", "reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"]
                    ).replacingOccurrences(of: "heartbeat_seconds: 10", with: "heartbeat_seconds: 2")
                    let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                    #expect(await Self.waitForResults(600, broker: broker, watcher: watcher))
                    try await proxy.set(.close)
                    print("proxy to node 1: closed")
                    // The proxy stays closed: tweetd must finish on the other nodes.
                    #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(3000))")
                    let reconnected = daemon.standardError.split(separator: "\n").filter { $0.contains("reconnected to the broker") }
                    #expect(!reconnected.isEmpty && reconnected.allSatisfy { !$0.contains(":\(proxy.port)/") }, "reconnected to another node")
                    await watcher.close()
                    try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 16, "cluster: connection cut")
                }
            }
        }
    }

    @Test("Chaos on the cluster: a memory alarm on one node blocks publishing everywhere; no result while it lasts, all once it clears")
    func memoryAlarm() async throws {
        try await TestBroker.with(node: .cluster, queueType: .quorum) { broker, client in
            let ids = try await ChaosTests.publish(2000, prefix: "alarm", broker: broker, client: client)
            func watermark(_ value: String) async throws {
                #expect(try await ClusterControl.run("ctl", "2", "set_vm_memory_high_watermark", value).status == 0)
            }
            try await watermark("0.000001")
            let watcher = try await Self.watcher(broker)
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 8))
            do {
                #expect(await eventually(timeout: .seconds(20)) { daemon.standardError.contains("the broker blocked publishing") })
                try await Task.sleep(for: .seconds(2))
                let during = try await broker.inspect(try #require(broker.topology.resultsQueue), with: watcher).messages
                print("cluster memory alarm: \(during) results while blocked")
                #expect(during == 0, "no result is published while the cluster blocks publishers")
            } catch {
                try await watermark("0.4")
                throw error
            }
            try await watermark("0.4")
            #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "\(daemon.standardError.suffix(3000))")
            await watcher.close()
            try await Self.expectEachTweetAnswered(ids, broker: broker, maximumDuplicates: 0, "cluster: memory alarm")
        }
    }
}

/// A list of nodes on the one shared broker, the first of them dead: what a cluster with a
/// node down looks like to tweetd, without the cluster.
@Suite("Broker node lists on a real broker")
struct BrokerNodeListTests {
    /// A port nothing listens on: connecting to it is refused at once.
    static let deadNode = "amqp://guest:guest@127.0.0.1:1/"

    @Test("The daemon skips a node that does not answer and consumes from the next one in the list")
    func daemonSkipsADeadNode() async throws {
        try await TestBroker.with { broker, client in
            let ids = (0..<20).map { "list-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "one node down \($0)") }, with: client)
            let yaml = broker.configurationYAML(
                workers: 2, brokerURL: "\(Self.deadNode),\(broker.url)", broker: ["node_order: listed", "reconnect_initial_delay_ms: 50"]
            )
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
            #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(daemon.standardError.suffix(2000))")
            let port = try #require(URLComponents(string: broker.url)?.port)
            #expect(daemon.standardError.contains("127.0.0.1:1/"), "the dead node was tried first: \(daemon.standardError.suffix(2000))")
            let connected = daemon.standardError.split(separator: "\n").filter { $0.contains("connected to the broker") }
            #expect(!connected.isEmpty && connected.allSatisfy { $0.contains("127.0.0.1:\(port)/") }, "\(connected)")
            let results = try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client)
            #expect(Set(try results.map { try resultJSON($0)["id"] as? String }) == Set(ids))
        }
    }

    @Test("Tools take the same list: --broker-url given once per node, the first dead, still reaches the broker")
    func toolsTakeTheList() async throws {
        try await TestBroker.with { broker, client in
            let yaml = broker.configurationYAML(workers: 2)
            let status = try DaemonProcess(
                arguments: ["status", "--json", "--broker-url", Self.deadNode, "--broker-url", broker.url], configuration: yaml,
                environment: ["TWEETD_BROKER_NODE_ORDER": "listed"]
            )
            #expect(await status.waitForExit(timeout: .seconds(30)) == 0, "\(status.standardError)")
            #expect(status.standardOutput.contains("\"queues\""))

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("tweetd-list-\(UUID().uuidString).jsonl")
            try "{\"id\":\"via-list\",\"text\":\"published through a node list\"}\n".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            // The environment's list replaces the file's single url.
            let publish = try DaemonProcess(
                arguments: ["publish", file.path], configuration: yaml.replacingOccurrences(of: "  url: ", with: "  # url: "),
                environment: ["TWEETD_BROKER_URLS": "\(Self.deadNode),\(broker.url)", "TWEETD_BROKER_NODE_ORDER": "listed"]
            )
            #expect(await publish.waitForExit(timeout: .seconds(30)) == 0, "\(publish.standardError)")
            #expect(try await broker.inspect(broker.inputQueue, with: client).messages == 1)
        }
    }
}

/// `topology.queue_type` on the one shared broker: quorum queues work on a single node too,
/// and a queue of the other type is refused with one line saying what to do.
@Suite("Queue types on a real broker")
struct QueueTypeTests {
    @Test("setup with quorum, then with classic: the second fails with one line naming the queue, its type and the fix; a quorum run answers every tweet")
    func otherTypeIsRefused() async throws {
        try await TestBroker.with(queueType: .quorum) { broker, client in
            var classic = broker
            classic.topology.queueType = .classic
            let ids = (0..<50).map { "quorum-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "on a quorum queue \($0)") }, with: client)

            let refused = try DaemonProcess(arguments: ["setup"], configuration: classic.configurationYAML(workers: 2))
            #expect(await refused.waitForExit(timeout: .seconds(30)) == 1)
            let line = refused.standardError.split(separator: "\n").last { $0.contains("setup failed") } ?? ""
            #expect(line.contains("queue \"\(broker.inputQueue)\" exists as a quorum queue but topology.queue_type is classic"), "\(refused.standardError)")
            #expect(line.contains("rabbitmqctl delete_queue \(broker.inputQueue)"))
            #expect(!refused.standardError.contains("guest:guest"))

            let drain = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 4))
            #expect(await drain.waitForExit(timeout: .seconds(60)) == 0, "\(drain.standardError.suffix(2000))")
            let results = try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client)
            #expect(Set(try results.map { try resultJSON($0)["id"] as? String }) == Set(ids))
            #expect(results.count == ids.count)
        }
    }
}
