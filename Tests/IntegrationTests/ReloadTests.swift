import Engine
import Foundation
import Testing

/// `systemctl reload`: SIGHUP re-reads the configuration file while messages flow.
@Suite("Configuration reload on SIGHUP, on a real broker")
struct ReloadTests {
    @Test("SIGHUP with a higher limit speeds the provider up at once; every tweet gets exactly one result; a bad file is refused; fewer workers lose nothing")
    func reloadChangesTheObservedRate() async throws {
        try await FakeLLMServer.with { server in
            try await TestBroker.with { broker, client in
                let ids = ProviderIntegrationTests.ids(40, "reload")
                try await ProviderIntegrationTests.publishTweets(ids, broker: broker, client: client)
                func yaml(rpm: Int, workers: Int, logLevel: String) -> String {
                    broker.configurationYAML(
                        workers: workers, chain: ["gpt"], logLevel: logLevel,
                        extra: "providers:\n" + ProviderIntegrationTests.provider("gpt", kind: "openai-compatible", server: server, rpm: rpm)
                    )
                }
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml(rpm: 10, workers: 4, logLevel: "info"))
                defer { daemon.kill9() }
                let metrics = try await daemon.metricsURL()
                var results: [String] = []
                func collect() async throws {
                    results += try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
                        .map { try resultJSON($0)["id"] as? String ?? "?" }
                }

                // At 10 requests a minute the first ten go, then the limiter holds the rest for a minute.
                #expect(try await eventually(timeout: .seconds(20)) { try await server.stats("gpt")["requests"] as? Int == 10 })
                try await Task.sleep(for: .seconds(2))
                let beforeReload = try await server.stats("gpt")["requests"] as? Int
                try await collect()
                #expect(beforeReload == 10, "the old limit holds: \(beforeReload ?? -1) requests")
                #expect(results.count == 10)

                let reloadedAt = ContinuousClock.now
                try daemon.reload(with: yaml(rpm: 600, workers: 8, logLevel: "trace"))
                let finished = try await eventually(timeout: .seconds(30)) {
                    try await collect()
                    return results.count >= ids.count
                }
                let afterReload = ContinuousClock.now - reloadedAt
                #expect(finished, "\(results.count) results; \(daemon.standardError.suffix(3000))")
                print("reload: 10 requests in the first minute at rpm 10; the other 30 within \(afterReload) of SIGHUP with rpm 600")
                #expect(afterReload < .seconds(30), "the rest did not wait for the old minute to pass")
                #expect(try await server.stats("gpt")["requests"] as? Int == ids.count, "one request per tweet: nothing sent twice")
                #expect(results.sorted() == ids.sorted(), "every tweet exactly once")
                #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0)
                #expect(daemon.standardError.contains("configuration reloaded"))
                #expect(daemon.standardError.contains("result published"), "the new log level (trace) is in force")
                #expect(try await ObservabilityTests.scrape(metrics).value("tweetd_workers") == 8)
                let input = try await broker.inspect(broker.inputQueue, with: client)
                #expect(input.consumers == 1, "the new prefetch re-registered the consumer, none left behind")

                // A file that does not validate is refused and the daemon goes on as it was.
                try daemon.reload(with: yaml(rpm: 600, workers: 0, logLevel: "info"))
                #expect(await eventually(timeout: .seconds(10)) {
                    daemon.standardError.contains("configuration reload rejected")
                })
                #expect(daemon.isRunning)
                #expect(try await ObservabilityTests.scrape(metrics).value("tweetd_workers") == 8)

                // Fewer workers: the idle surplus ones hand their next delivery on and stop.
                try daemon.reload(with: yaml(rpm: 600, workers: 2, logLevel: "info"))
                #expect(try await eventually(timeout: .seconds(10)) {
                    try await ObservabilityTests.scrape(metrics).value("tweetd_workers") == 2
                })
                let later = ProviderIntegrationTests.ids(5, "after-refusal")
                try await ProviderIntegrationTests.publishTweets(later, broker: broker, client: client)
                #expect(try await eventually(timeout: .seconds(20)) {
                    try await collect()
                    return results.count >= ids.count + later.count
                })
                #expect(results.sorted() == (ids + later).sorted())

                daemon.terminate()
                #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0, "\(daemon.standardError.suffix(2000))")
            }
        }
    }
}
