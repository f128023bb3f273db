import Engine
import Foundation
import Testing

/// `tweetd status` on a real broker: the counts it prints are the broker's own.
@Suite("Queue status on a real broker")
struct StatusTests {
    /// Runs `tweetd status --json` once and returns its object.
    private func statusJSON(_ broker: TestBroker) async throws -> [String: Any] {
        let status = try DaemonProcess(arguments: ["status", "--json"], configuration: broker.configurationYAML(workers: 2))
        #expect(await status.waitForExit(timeout: .seconds(30)) == 0, "stderr:\n\(status.standardError)")
        let lines = status.standardOutput.split(separator: "\n")
        #expect(lines.count == 1, "one JSON object on one line")
        return try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
    }

    /// Checks every queue in `report` against a passive declare by the test itself.
    private func expectMatchesBroker(_ report: [String: Any], broker: TestBroker, client: PublisherConnection) async throws {
        let queues = try #require(report["queues"] as? [[String: Any]])
        #expect(queues.map { $0["name"] as? String } == broker.topology.monitoredQueues.map(\.name))
        for queue in queues {
            let name = try #require(queue["name"] as? String)
            let state = try await broker.inspect(name, with: client)
            #expect(queue["messages"] as? Int == state.messages, "\(name) messages")
            #expect(queue["consumers"] as? Int == state.consumers, "\(name) consumers")
            #expect(queue["exists"] as? Bool == true)
        }
    }

    @Test("status --json reports the broker's own message and consumer counts for every queue")
    func countsMatchTheBroker() async throws {
        try await TestBroker.with { broker, client in
            try await broker.publish((0..<7).map { tweetBody(id: "s\($0)", text: "status \($0)") }, with: client)
            for id in ["d0", "d1"] {
                try await broker.publishDeadLetter(id: id, category: "internal", message: "boom", with: client)
            }
            let idle = try await statusJSON(broker)
            try await expectMatchesBroker(idle, broker: broker, client: client)
            #expect(idle["pending"] as? Int == 7)
            #expect(idle["dead_letters"] as? Int == 2)

            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 2))
            let consumed = try await eventually(timeout: .seconds(30)) {
                let input = try await broker.inspect(broker.inputQueue, with: client)
                let results = try await broker.inspect(broker.topology.resultsQueue!, with: client)
                return input.consumers == 1 && input.messages == 0 && results.messages == 7
            }
            try #require(consumed, "stderr:\n\(daemon.standardError)")
            let busy = try await statusJSON(broker)
            try await expectMatchesBroker(busy, broker: broker, client: client)
            let input = try #require((busy["queues"] as? [[String: Any]])?.first)
            #expect(input["consumers"] as? Int == 1, "the daemon's consumer is counted")
            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)

            let resultsQueue = broker.topology.resultsQueue!
            try await client.perform { admin throws(AMQPError) in _ = try admin.deleteQueue(resultsQueue) }
            let missing = try await statusJSON(broker)
            let results = try #require((missing["queues"] as? [[String: Any]])?.last)
            #expect(results["exists"] as? Bool == false, "a deleted queue reads as missing, and status does not create it")
            #expect(results["messages"] is NSNull)
            await #expect(throws: AMQPError.self) { try await broker.inspect(resultsQueue, with: client) }
        }
    }

    @Test("status --watch --json prints one object per sample with rates, and SIGINT stops it with exit 0")
    func watchAddsRates() async throws {
        try await TestBroker.with { broker, client in
            let watcher = try DaemonProcess(arguments: ["status", "--watch", "0.2", "--json"], configuration: broker.configurationYAML(workers: 2))
            let sampled = await eventually(timeout: .seconds(20)) { watcher.standardOutput.split(separator: "\n").count >= 3 }
            #expect(sampled, "stderr:\n\(watcher.standardError)")
            watcher.interrupt()
            #expect(await watcher.waitForExit(timeout: .seconds(10)) == 0, "stderr:\n\(watcher.standardError)")

            let samples = try watcher.standardOutput.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(samples.first?["interval_seconds"] is NSNull, "the first sample has nothing to compare with")
            let later = try #require(samples.last)
            let interval = try #require(later["interval_seconds"] as? Double)
            #expect(interval > 0.1 && interval < 2)
            let rates = try #require(later["queues"] as? [[String: Any]]).map { $0["messages_per_second"] as? Double }
            #expect(rates.allSatisfy { $0 == 0 }, "nothing moves, so every rate is 0: \(rates)")
        }
    }
}
