import Engine
import Foundation
import Testing

/// `tweetd subscribe` on a real broker: results as JSON lines while the daemon runs.
@Suite("Subscribing to results on a real broker")
struct SubscribeTests {
    /// Starts `tweetd subscribe ARGUMENTS` and waits until its queue is bound, so no result is missed.
    private func subscribe(_ arguments: [String], broker: TestBroker) async throws -> DaemonProcess {
        let subscriber = try DaemonProcess(arguments: ["subscribe"] + arguments, configuration: broker.configurationYAML(workers: 2))
        let ready = await eventually(timeout: .seconds(30)) { subscriber.standardError.contains("subscribed to") }
        try #require(ready, "subscribe started; stderr:\n\(subscriber.standardError)")
        return subscriber
    }

    @Test("subscribe --count 5 prints five parseable result lines while the daemon runs, then exits 0")
    func countStopsAfterThatManyResults() async throws {
        try await TestBroker.with { broker, client in
            let subscriber = try await subscribe(["--count", "5"], broker: broker)
            let daemon = try DaemonProcess(arguments: ["run"], configuration: broker.configurationYAML(workers: 2))
            let ids = (0..<8).map { "sub-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "subscriber test \($0), what a lovely day") }, with: client)

            let status = await subscriber.waitForExit(timeout: .seconds(30))
            #expect(status == 0, "stderr:\n\(subscriber.standardError)")
            let lines = subscriber.standardOutput.split(separator: "\n")
            #expect(lines.count == 5)
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(ids.contains(object["id"] as? String ?? ""), "a result of ours: \(line.prefix(80))")
                #expect(object["analysis"] is [String: Any])
            }

            daemon.terminate()
            #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
            #expect(try await broker.inspect(broker.topology.resultsQueue!, with: client).messages == ids.count, "the durable results queue still got every result")
        }
    }

    @Test("subscribe --binding '*.negative' --pretty shows only negative results, and SIGINT stops it with exit 0")
    func bindingFiltersAndSigintExitsCleanly() async throws {
        try await TestBroker.with { broker, client in
            let subscriber = try await subscribe(["--binding", "*.negative", "--pretty"], broker: broker)
            let texts = [
                "I love this, what a great day!", "Worst service ever, I hate this awful delay",
                "Terrible, broken and useless again, so angry", "Fantastic news, congratulations to the team!",
            ]
            try await broker.publish(texts.indices.map { tweetBody(id: "mood-\($0)", text: texts[$0]) }, with: client)
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 2))
            #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0)

            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            let negatives = results.filter { $0.routingKey.hasSuffix(".negative") }.count
            try #require(negatives > 0, "the sample has negative tweets: \(results.map(\.routingKey))")
            let shown = await eventually(timeout: .seconds(10)) {
                subscriber.standardOutput.split(separator: "\n").count == negatives
            }
            #expect(shown, "one line per negative result:\n\(subscriber.standardOutput)")
            #expect(subscriber.standardOutput.split(separator: "\n").allSatisfy { $0.contains(" negative -") })

            subscriber.interrupt()
            #expect(await subscriber.waitForExit(timeout: .seconds(10)) == 0, "stderr:\n\(subscriber.standardError)")
        }
    }
}
