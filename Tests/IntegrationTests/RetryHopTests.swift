import Engine
import Foundation
import Testing

/// The hop from a delay queue back to the input is the broker's dead-lettering, which
/// tweetd does not confirm itself: it must be at-least-once (quorum delay queues with
/// at-least-once dead-lettering), and it must go back to the queue the retry came from.
@Suite("Retries through the delay queues on a real broker", .serialized)
struct RetryHopTests {
    static func provider(_ server: FakeLLMServer) -> String {
        "providers:\n" + ProviderIntegrationTests.provider("flaky", kind: "openai-compatible", server: server, rpm: 600_000)
    }

    static func publish(_ ids: [String], routingKey: String = "tweet", broker: TestBroker, client: PublisherConnection) async throws {
        let exchange = broker.topology.exchange
        for id in ids {
            try await client.publish(OutgoingMessage(
                exchange: exchange, routingKey: routingKey,
                properties: MessageProperties(contentType: "application/json", deliveryMode: MessageProperties.persistent, messageId: id),
                body: tweetBody(id: id, text: "a retried tweet \(id)")
            ))
        }
    }

    /// Result ids, counted.
    static func resultIDs(_ broker: TestBroker, client: PublisherConnection) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for result in try await broker.takeAll(from: try #require(broker.topology.resultsQueue), with: client) {
            counts[try #require(resultJSON(result)["id"] as? String), default: 0] += 1
        }
        return counts
    }

    @Test("Two input queues whose bindings overlap: each copy's retries go back to its own queue, one dead letter per copy, not 2^attempts")
    func retriesGoBackToTheirQueueOnly() async throws {
        var broker = try TestBroker(retryDelays: [1])
        broker.topology.queues.append(TopologyConfiguration.Queue(name: "\(broker.prefix).vip", bindings: ["vip.#"]))
        try await FakeLLMServer.with(configuration: ["flaky": ["mode": "error500"]]) { server in
            try await TestBroker.with(broker) { broker, client in
                let ids = (0..<10).map { "overlap-\($0)" }
                // "vip.en" matches both "#" and "vip.#": each tweet starts as two copies, one per queue.
                try await Self.publish(ids, routingKey: "vip.en", broker: broker, client: client)
                let yaml = broker.configurationYAML(workers: 4, chain: ["flaky"], maxAttempts: 3, extra: Self.provider(server))
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                #expect(await daemon.waitForExit(timeout: .seconds(90)) == 0, "\(daemon.standardError.suffix(2000))")
                let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
                var copies: [String: Int] = [:]
                for letter in dead {
                    let queue = letter.properties.headers["x-original-queue"]?.stringValue ?? "?"
                    copies["\(letter.properties.messageId ?? "?")@\(queue)", default: 0] += 1
                    #expect(letter.properties.headers["x-attempts"]?.integerValue == 3)
                    #expect(letter.properties.headers["x-original-routing-key"]?.stringValue == "vip.en")
                }
                let requests = try await server.stats("flaky")["requests"] as? Int ?? -1
                print("overlapping bindings: \(ids.count) tweets x 2 queues -> \(dead.count) dead letters, \(requests) provider requests")
                #expect(dead.count == ids.count * 2, "one dead letter per copy")
                #expect(copies.count == ids.count * 2 && copies.values.allSatisfy { $0 == 1 })
                #expect(requests == ids.count * 2 * 3, "three attempts per copy, no more")
            }
        }
    }

    /// The retries tweetd publishes after a first failed attempt at each of `ids`: built by the
    /// engine's own `OutcomeBuilder`, so they are the messages the daemon would send.
    static func firstRetries(_ ids: [String], broker: TestBroker) throws -> [OutgoingMessage] {
        let builder = OutcomeBuilder(decoder: TweetDecoder(), topology: broker.topology)
        let failure = ProviderChainFailure(
            category: .providerUnavailable, reason: "HTTP 500", provider: "flaky", permanent: false, countsAttempt: true
        )
        return try ids.map { id in
            let delivery = Delivery(
                deliveryTag: 1, connectionGeneration: 1, queue: broker.inputQueue, exchange: broker.topology.exchange,
                routingKey: "tweet", redelivered: false,
                properties: MessageProperties(contentType: "application/json", deliveryMode: MessageProperties.persistent, messageId: id),
                body: tweetBody(id: id, text: "a retried tweet \(id)")
            )
            guard case .prepared(let prepared) = builder.prepare(delivery, now: Date()) else {
                throw AMQPError(.libraryError, "test tweet \(id) did not decode")
            }
            let retry = builder.retryOrDeadLetter(for: prepared, after: failure, maxAttempts: 5, now: Date())
            guard case .retry = retry.kind else { throw AMQPError(.libraryError, "a first failure must be a retry") }
            return retry.message
        }
    }

    /// Publishes the first retries of 30 tweets into the 2-second delay queue once `fault` has
    /// broken the input queue, waits until every one of them fell due against it, then runs `body`.
    ///
    /// The fault comes first: set after the retries, a slow `rabbitmqctl` (seconds on a busy
    /// machine) let some fall due, fail again and use up their attempts before the fault held.
    static func withRetriesFallingDue(
        _ label: String,
        fault: (TestBroker, PublisherConnection) async throws -> Void,
        _ body: (TestBroker, PublisherConnection, [String]) async throws -> Void
    ) async throws {
        try await TestBroker.with(retryDelays: [2]) { broker, client in
            let ids = (0..<30).map { "\(label)-\($0)" }
            try await fault(broker, client)
            for retry in try Self.firstRetries(ids, broker: broker) {
                try await client.publish(retry)
            }
            let retryQueue = broker.topology.retryQueue(delaySeconds: 2)
            let waiting = try await eventually(timeout: .seconds(10), every: .milliseconds(20)) {
                try await broker.inspect(retryQueue, with: client).messages == ids.count
            }
            try #require(waiting, "every retry waits in \(retryQueue)")
            // Past the 2 s delay: every retry has fallen due against the broken input.
            try await Task.sleep(for: .seconds(4))
            try await body(broker, client, ids)
        }
    }

    @Test("The input queue full (reject-publish) when retries fall due: they wait in the delay queue and all arrive once there is room")
    func inputFullWhenRetriesFallDue() async throws {
        var policy = ""
        try await Self.withRetriesFallingDue("full", fault: { broker, _ in
            policy = "\(broker.prefix)-full"
            try await ChaosTests.brokerctl(
                ["set_policy", "--apply-to", "queues", policy, "^\(broker.inputQueue)$", #"{"max-length":0,"overflow":"reject-publish"}"#],
                node: .shared
            )
        }) { broker, client, ids in
            #expect(try await broker.inspect(broker.inputQueue, with: client).messages == 0, "nothing got into the full queue")
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 4))
            try await ChaosTests.brokerctl(["clear_policy", policy], node: .shared)
            var results: [String: Int] = [:]
            let all = try await eventually(timeout: .seconds(40), every: .milliseconds(200)) {
                for (id, count) in try await Self.resultIDs(broker, client: client) { results[id, default: 0] += count }
                return Set(results.keys) == Set(ids)
            }
            let dead = try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages
            print("input full when retries fell due: \(results.count) of \(ids.count) ids have results, \(results.values.reduce(0, +)) results, \(dead) dead")
            #expect(all, "every retry reached the input once it had room: missing \(Set(ids).subtracting(results.keys).sorted().prefix(5))")
            #expect(results.values.allSatisfy { $0 == 1 }, "exactly one result each")
            #expect(dead == 0)
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
        }
    }

    @Test("The input queue deleted when retries fall due: they wait in the delay queue and arrive once it is declared again")
    func inputDeletedWhenRetriesFallDue() async throws {
        try await Self.withRetriesFallingDue("deleted", fault: { broker, client in
            let input = broker.inputQueue
            _ = try await client.perform { admin throws(AMQPError) in try admin.deleteQueue(input) }
        }) { broker, client, ids in
            // A daemon declares the input queue again and consumes what comes back.
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 4))
            var results: [String: Int] = [:]
            let all = try await eventually(timeout: .seconds(40), every: .milliseconds(200)) {
                for (id, count) in try await Self.resultIDs(broker, client: client) { results[id, default: 0] += count }
                return Set(results.keys) == Set(ids)
            }
            print("input deleted when retries fell due: \(results.count) of \(ids.count) ids have results")
            #expect(all, "every retry reached the declared-again input: missing \(Set(ids).subtracting(results.keys).sorted().prefix(5))")
            #expect(results.values.allSatisfy { $0 == 1 }, "exactly one result each")
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
        }
    }

    @Test("A delay queue unbound under load: returned retries are never counted as stored; every tweet gets its result")
    func unboundDelayQueueUnderLoad() async throws {
        // The first 1,500 requests fail: first attempts go to the 1 s queue and some second attempts
        // to the 2 s queue, so retries to both are in flight on one exchange when one queue's binding goes.
        try await FakeLLMServer.with(configuration: ["flaky": ["mode": "fail_first_n", "n": 1500, "latency_ms": 5]]) { server in
            try await TestBroker.with(retryDelays: [1, 2]) { broker, client in
                let ids = (0..<3000).map { "unbound-\($0)" }
                try await broker.publish(ids.map { tweetBody(id: $0, text: "retried under load \($0)") }, with: client)
                let yaml = broker.configurationYAML(workers: 8, chain: ["flaky"], maxAttempts: 6, extra: Self.provider(server))
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                let retryQueue = broker.topology.retryQueue(delaySeconds: 1)
                #expect(await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
                    ((try? await server.stats("flaky"))?["requests"] as? Int ?? 0) >= 600
                })
                let retryExchange = broker.topology.retryExchange
                try await client.perform { admin throws(AMQPError) in
                    try admin.unbindQueue(retryQueue, from: retryExchange, routingKey: "", arguments: [
                        "x-match": .string("all"), TopologyConfiguration.retryDelayHeader: .string("1"),
                    ])
                }
                print("unbound \(retryQueue) under load")
                #expect(await daemon.waitForExit(timeout: .seconds(180)) == 0, "\(daemon.standardError.suffix(2000))")
                let results = try await Self.resultIDs(broker, client: client)
                let dead = try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages
                let missing = ids.filter { results[$0] == nil }
                let duplicates = results.values.reduce(0) { $0 + $1 - 1 }
                print("delay queue unbound under load: \(ids.count) tweets -> \(results.count) with results (\(duplicates) duplicates), \(missing.count) missing, \(dead) dead")
                #expect(missing.isEmpty, "lost: \(missing.prefix(5))")
                #expect(dead == 0)
                #expect(daemon.standardError.contains("declared the topology again"), "the daemon bound its delay queue again: \(daemon.standardError.suffix(1500))")
            }
        }
    }
}
