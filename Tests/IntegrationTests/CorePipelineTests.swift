import Engine
import Foundation
import Testing

/// The core promise on a real broker: every tweet gets exactly one result or one dead letter,
/// in priority order, and nothing is acked before its result is safe.
///
/// Graceful shutdown's own logic (in-flight messages finish, buffered ones go back, a later
/// drain has no duplicates) is also specified on the in-memory broker (EngineTests
/// `PipelineTests`); the SIGTERM test here proves what only a real broker can: the last acks
/// reach it before the connection closes, and what was unacked comes back exactly once.
@Suite("Core pipeline on a real broker", .serialized)
struct CorePipelineTests {
    @Test("2,000 tweets with random priorities give exactly 2,000 results, one per tweet")
    func everyTweetGetsExactlyOneResult() async throws {
        try await TestBroker.with { broker, client in
            let count = 2000
            var generator = SystemRandomNumberGenerator()
            let ids = (0..<count).map { "tweet-\($0)" }
            let bodies = ids.enumerated().map { index, id in
                tweetBody(id: id, text: "Tweet number \(index) about #swift and @rabbitmq, great day! https://example.com/\(index)")
            }
            let priorities = (0..<count).map { _ in Int.random(in: 0...10, using: &generator) }
            try await broker.publish(bodies, priorities: priorities, messageIDs: ids, with: client)

            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 15))
            let status = await daemon.waitForExit(timeout: .seconds(120))
            #expect(status == 0, "daemon exit status; stderr:\n\(daemon.standardError.suffix(2000))")

            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            let resultIDs = try results.map { try #require(resultJSON($0)["id"] as? String) }
            print("published \(count), results \(results.count), distinct ids \(Set(resultIDs).count)")
            #expect(results.count == count)
            #expect(Set(resultIDs) == Set(ids), "every tweet's id appears among the results")
            #expect(Set(resultIDs).count == resultIDs.count, "no tweet has two results")
            let input = try await broker.inspect(broker.inputQueue, with: client)
            #expect(input.messages == 0, "the input queue is empty")
            #expect(input.consumers == 0, "the daemon is gone, so nothing can be held unacked")
            let dead = try await broker.inspect(broker.topology.deadLetterQueue, with: client)
            #expect(dead.messages == 0)

            // Spot-check the result contract on one message.
            let sample = try resultJSON(try #require(results.first))
            #expect(sample["provider"] as? String == "builtin")
            #expect(sample["pipeline_version"] as? String == TweetResult.pipelineVersion)
            let source = try #require(sample["source"] as? [String: Any])
            #expect(source["routing_key"] as? String == "tweet")
            let priority = try #require(sample["priority"] as? [String: Any])
            #expect(priority["assigned"] is Int)
            #expect(results.first?.properties.messageId == sample["id"] as? String)
            #expect(results.first?.routingKey.hasPrefix("builtin.") == true)
        }
    }

    @Test("Waiting tweets come out highest priority first with one worker and prefetch 1")
    func prioritiesComeOutInOrder() async throws {
        try await TestBroker.with { broker, client in
            let priorities = (0..<60).map { ($0 * 7) % 11 }
            let bodies = priorities.indices.map { tweetBody(id: "p\($0)", text: "priority test \($0)") }
            try await broker.publish(bodies, priorities: priorities, with: client)

            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 1, prefetch: 1))
            let status = await daemon.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "stderr:\n\(daemon.standardError.suffix(2000))")

            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            let assigned = try results.map { result -> Int in
                let priority = try #require(try resultJSON(result)["priority"] as? [String: Any])
                return try #require(priority["assigned"] as? Int)
            }
            print("result priorities in order: \(assigned)")
            #expect(assigned.count == priorities.count)
            #expect(assigned == assigned.sorted(by: >), "results leave highest priority first")
        }
    }

    @Test("A result that cannot be published leaves its input unacked and /readyz says why; after the repair it comes back and nothing is lost")
    func inputIsNeverAckedBeforeItsResultIsConfirmed() async throws {
        try await TestBroker.with { broker, client in
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 4))
            let base = try await daemon.metricsURL()
            let consuming = try await eventually(timeout: .seconds(30)) {
                try await broker.inspect(broker.inputQueue, with: client).consumers == 1
            }
            try #require(consuming, "daemon started consuming; stderr:\n\(daemon.standardError)")

            // Break the results exchange in a way tweetd cannot repair: the same name as a direct
            // exchange with no queue bound, so every result is returned unroutable and the daemon's
            // own declaration (a topic exchange) is refused.
            let resultsExchange = broker.topology.resultsExchange
            try await client.perform { admin throws(AMQPError) in
                try admin.deleteExchange(resultsExchange)
                try admin.declareExchange(resultsExchange, type: "direct")
            }
            let ids = (0..<5).map { "unsafe-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "must not be lost") }, with: client)
            #expect(await eventually(timeout: .seconds(10)) { daemon.standardError.contains("could not publish") },
                    "the daemon says why it gave the message back")
            let notReady = await eventually(timeout: .seconds(10)) {
                (try? await LoopbackHTTP.request(base + "/readyz"))?.status == 503
            }
            #expect(notReady, "a pipeline that cannot publish is not ready")
            let reason = (try? await LoopbackHTTP.request(base + "/readyz"))?.body ?? ""
            print("readyz while results cannot be published: \(reason)")
            #expect(reason.contains("publishing fails"))

            let resultsWhileBroken = try await broker.inspect(broker.topology.resultsQueue!, with: client)
            #expect(resultsWhileBroken.messages == 0, "no result could be published")
            let dead = try await broker.inspect(broker.topology.deadLetterQueue, with: client)
            #expect(dead.messages == 0, "nothing was dead-lettered instead")

            // Repair the exchange: the same messages come back and now get their results.
            let topology = broker.topology
            try await client.perform { admin throws(AMQPError) in
                try admin.deleteExchange(resultsExchange)
                try topology.declare(using: admin)
            }
            var collected: [String] = []
            let all = try await eventually(timeout: .seconds(30)) {
                collected += try await broker.takeAll(from: broker.topology.resultsQueue!, with: client).map { try #require(resultJSON($0)["id"] as? String) }
                return Set(collected) == Set(ids)
            }
            #expect(all, "every input got its result after the repair: \(collected)")
            #expect(collected.count == ids.count, "and exactly one each")
            #expect(await eventually(timeout: .seconds(10)) { (try? await LoopbackHTTP.request(base + "/readyz"))?.status == 200 })

            daemon.terminate()
            let status = await daemon.waitForExit(timeout: .seconds(30))
            #expect(status == 0)
        }
    }

    @Test("The results exchange deleted under a running daemon: it declares it again by itself and every tweet gets one result")
    func deletedResultsExchangeIsDeclaredAgain() async throws {
        try await TestBroker.with { broker, client in
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 4))
            let consuming = try await eventually(timeout: .seconds(30)) {
                try await broker.inspect(broker.inputQueue, with: client).consumers == 1
            }
            try #require(consuming, "daemon started consuming; stderr:\n\(daemon.standardError)")
            let resultsExchange = broker.topology.resultsExchange
            try await client.perform { admin throws(AMQPError) in try admin.deleteExchange(resultsExchange) }
            let ids = (0..<200).map { "redeclared-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "the exchange comes back") }, with: client)

            var collected: [String] = []
            let all = try await eventually(timeout: .seconds(30)) {
                collected += try await broker.takeAll(from: broker.topology.resultsQueue!, with: client).map { try #require(resultJSON($0)["id"] as? String) }
                return Set(collected) == Set(ids)
            }
            print("results exchange deleted: \(collected.count) results for \(Set(collected).count) of \(ids.count) ids")
            #expect(all, "nobody repaired the exchange but the daemon")
            #expect(daemon.standardError.contains("declared the topology again"))
            let duplicates = collected.count - Set(collected).count
            // A publish in flight when the channel closed may have been stored before the close: at least once.
            #expect(duplicates <= 4, "at most the publishes in flight at the close come twice")
            #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0)
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
        }
    }

    @Test("SIGTERM mid-run exits 0, finishes what was in flight, and a later drain leaves no duplicates")
    func sigtermFinishesInFlightWork() async throws {
        try await TestBroker.with { broker, client in
            let count = 4000
            let ids = (0..<count).map { "term-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "graceful shutdown test \($0) 🎉 #test") }, with: client)

            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 8))
            let started = try await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
                try await broker.inspect(broker.topology.resultsQueue!, with: client).messages >= 200
            }
            try #require(started, "results started to flow; stderr:\n\(daemon.standardError)")
            daemon.terminate()
            let terminatedAt = ContinuousClock.now
            let status = await daemon.waitForExit(timeout: .seconds(25))
            print("exit after SIGTERM: \(String(describing: status)) in \(ContinuousClock.now - terminatedAt)")
            #expect(status == 0, "stderr:\n\(daemon.standardError.suffix(2000))")

            let firstResults = try await broker.inspect(broker.topology.resultsQueue!, with: client).messages
            let left = try await broker.inspect(broker.inputQueue, with: client).messages
            print("after SIGTERM: results \(firstResults) + left in queue \(left) = \(firstResults + left) of \(count)")
            #expect(firstResults + left == count, "every message either has its result or is back in the queue")

            let drain = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 8))
            #expect(await drain.waitForExit(timeout: .seconds(120)) == 0)
            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            let resultIDs = try results.map { try #require(resultJSON($0)["id"] as? String) }
            print("after drain: results \(results.count), distinct \(Set(resultIDs).count)")
            #expect(results.count == count, "no duplicates and nothing lost")
            #expect(Set(resultIDs) == Set(ids))
        }
    }
}
