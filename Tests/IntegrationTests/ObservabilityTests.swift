import Engine
import Foundation
import Testing

/// What an operator watches: `/metrics`, `/healthz`, `/readyz`, metric snapshots
/// on the metrics exchange, and JSON logs, on a real broker.
@Suite("Observability on a real broker")
struct ObservabilityTests {
    /// The families `/metrics` promises once an LLM provider is configured.
    static let families = [
        "tweetd_messages_total", "tweetd_processing_seconds", "tweetd_queue_wait_seconds", "tweetd_publish_confirm_seconds",
        "tweetd_provider_requests_total", "tweetd_provider_latency_seconds", "tweetd_provider_tokens_total",
        "tweetd_rate_limit_wait_seconds", "tweetd_rate_limit_cooldowns_total", "tweetd_in_flight", "tweetd_workers",
        "tweetd_queue_messages", "tweetd_broker_connected",
    ]

    static func scrape(_ base: String) async throws -> PrometheusText {
        let reply = try await LoopbackHTTP.request(base + "/metrics")
        #expect(reply.status == 200)
        return try PrometheusText(reply.body)
    }

    @Test("/metrics during a run lists every family with counts that match what was processed, and a snapshot on the metrics exchange agrees")
    func metricsMatchTheRun() async throws {
        try await FakeLLMServer.with(configuration: ["gpt": ["latency_ms": 5]]) { server in
            try await TestBroker.with { broker, client in
                // A subscriber to the snapshots, bound before the daemon starts.
                let snapshots = "\(broker.prefix).snapshots"
                let metricsExchange = broker.topology.metricsExchange
                try await client.perform { admin throws(AMQPError) in
                    try admin.declareQueue(snapshots, durable: false, autoDelete: false)
                    try admin.bindQueue(snapshots, to: metricsExchange, routingKey: "metrics.#")
                }
                let good = (0..<30).map { tweetBody(id: "obs-\($0)", text: "what a great day \($0)") }
                let bad = (0..<3).map { _ in Array("{\"id\": 1, \"text\": 5}".utf8) }
                try await broker.publish(good + bad, with: client)

                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["gpt"], metricsIntervalSeconds: 1,
                    extra: "providers:\n" + ProviderIntegrationTests.provider("gpt", kind: "openai-compatible", server: server)
                )
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
                let base = try await daemon.metricsURL()
                let settled = await eventually(timeout: .seconds(60)) {
                    (try? await Self.scrape(base).value("tweetd_processing_seconds_count")) == 33
                }
                #expect(settled, "\(daemon.standardError.suffix(2000))")

                let metrics = try await Self.scrape(base)
                for family in Self.families {
                    #expect(metrics.types[family] != nil, "family \(family) is exposed")
                }
                #expect(metrics.value("tweetd_messages_total", ["outcome": "ok", "provider": "gpt"]) == 30)
                #expect(metrics.sum("tweetd_messages_total", matching: ["outcome": "invalid"]) == 3)
                #expect(metrics.sum("tweetd_messages_total", matching: ["outcome": "dead"]) == 0)
                #expect(metrics.sum("tweetd_messages_total", matching: ["outcome": "retried"]) == 0)
                #expect(metrics.value("tweetd_provider_requests_total", ["provider": "gpt", "status": "ok"]) == 30)
                #expect(metrics.value("tweetd_provider_latency_seconds_count", ["provider": "gpt"]) == 30)
                #expect(metrics.value("tweetd_rate_limit_wait_seconds_count", ["provider": "gpt"]) == 30)
                #expect((metrics.value("tweetd_provider_tokens_total", ["provider": "gpt", "direction": "input"]) ?? 0) > 0)
                #expect(metrics.value("tweetd_rate_limit_cooldowns_total", ["provider": "gpt"]) == 0)
                // Every result and dead letter was confirmed by the broker, and each confirm was timed.
                #expect(metrics.value("tweetd_publish_confirm_seconds_count") == 33)
                #expect(metrics.value("tweetd_workers") == 4)
                #expect(metrics.value("tweetd_in_flight") == 0)
                #expect(metrics.value("tweetd_broker_connected") == 1)
                #expect(metrics.samples.allSatisfy { $0.labels["id"] == nil && !$0.labels.values.contains { $0.hasPrefix("obs-") } },
                        "no tweet id in any label")

                // The latest snapshot after everything settled says the same as /metrics.
                var snapshot: [String: Any]?
                let published = await eventually(timeout: .seconds(20), every: .milliseconds(500)) {
                    let letters = (try? await broker.takeAll(from: snapshots, with: client)) ?? []
                    for letter in letters {
                        let object = (try? JSONSerialization.jsonObject(with: Data(letter.body))) as? [String: Any]
                        let messages = object?["messages"] as? [String: Any]
                        let queues = object?["queues"] as? [String: Int]
                        if messages?["settled"] as? Int == 33, queues?[broker.inputQueue] == 0 {
                            snapshot = object
                        }
                    }
                    return snapshot != nil
                }
                #expect(published, "a snapshot with every message settled arrives")
                let messages = try #require(snapshot?["messages"] as? [String: Int])
                #expect(Double(messages["ok"] ?? -1) == metrics.sum("tweetd_messages_total", matching: ["outcome": "ok"]))
                #expect(Double(messages["invalid"] ?? -1) == metrics.sum("tweetd_messages_total", matching: ["outcome": "invalid"]))
                #expect(messages["dead"] == 0 && messages["retried"] == 0)
                let gpt = try #require((snapshot?["providers"] as? [String: Any])?["gpt"] as? [String: Any])
                #expect(Double(gpt["requests"] as? Int ?? -1) == metrics.sum("tweetd_provider_requests_total", matching: ["provider": "gpt"]))
                #expect(Double(gpt["input_tokens"] as? Int ?? -1) == metrics.value("tweetd_provider_tokens_total", ["provider": "gpt", "direction": "input"]))
                let limit = try #require(gpt["limit"] as? [String: Any])
                #expect(limit["rpm"] as? Int == 600)
                let processing = try #require(snapshot?["processing_seconds"] as? [String: Any])
                #expect(Double(processing["count"] as? Int ?? -1) == metrics.value("tweetd_processing_seconds_count"))
                #expect(snapshot?["workers"] as? Int == 4)
                #expect(snapshot?["broker_connected"] as? Bool == true)
                #expect((snapshot?["dead_letters_by_category"] as? [String: Int])?["invalid_input"] == 3)

                // An operator watches the same snapshots with tweetd subscribe --metrics.
                let watcher = try DaemonProcess(arguments: ["subscribe", "--metrics", "--count", "2"], configuration: yaml)
                #expect(await watcher.waitForExit(timeout: .seconds(30)) == 0, "\(watcher.standardError.suffix(1000))")
                let watched = watcher.standardOutput.split(separator: "\n")
                #expect(watched.count == 2)
                for line in watched {
                    let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                    #expect((object?["messages"] as? [String: Any])?["settled"] as? Int == 33, "\(line)")
                }
                let pretty = try DaemonProcess(arguments: ["subscribe", "--metrics", "--pretty", "--count", "1"], configuration: yaml)
                #expect(await pretty.waitForExit(timeout: .seconds(30)) == 0)
                #expect(pretty.standardOutput.contains("settled 33 (ok 30, dead 0, retried 0, invalid 3)"), "\(pretty.standardOutput)")

                daemon.terminate()
                #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0)
                _ = try? await client.perform { admin throws(AMQPError) in try admin.deleteQueue(snapshots) }
            }
        }
    }

    @Test("/readyz turns 503 when the broker goes away and 200 when it is back; /healthz stays 200 throughout")
    func readinessFollowsTheBroker() async throws {
        try await TestBroker.with { broker, client in
            let target = try broker.hostAndPort()
            try await TCPProxy.with(target: target) { proxy in
                let yaml = broker.configurationYAML(
                    workers: 2,
                    brokerURL: "amqp://guest:guest@127.0.0.1:\(proxy.port)/",
                    broker: ["reconnect_initial_delay_ms: 100", "reconnect_max_delay_seconds: 1"]
                )
                let daemon = try DaemonProcess(arguments: ["run"], configuration: yaml)
                let base = try await daemon.metricsURL()
                func status(_ path: String) async -> Int? { try? await LoopbackHTTP.request(base + path).status }

                #expect(await eventually(timeout: .seconds(30)) { await status("/readyz") == 200 }, "ready once consuming")
                #expect(await status("/healthz") == 200)

                try await proxy.set(.close)
                #expect(await eventually(timeout: .seconds(30)) { await status("/readyz") == 503 }, "not ready without a broker")
                let reason = try await LoopbackHTTP.request(base + "/readyz").body
                #expect(reason.contains("lost") || reason.contains("connecting"), "the reason says why: \(reason)")
                #expect(await status("/healthz") == 200, "still alive")
                #expect(try await Self.scrape(base).value("tweetd_broker_connected") == 0)

                try await proxy.set(.open)
                #expect(await eventually(timeout: .seconds(30)) { await status("/readyz") == 200 }, "ready again after reconnecting")
                #expect(await status("/healthz") == 200)

                // And it consumes again: tweets published now get their results.
                let ids = (0..<5).map { "back-\($0)" }
                try await broker.publish(ids.map { tweetBody(id: $0, text: "back again \($0)") }, with: client)
                let resultsQueue = try #require(broker.topology.resultsQueue)
                #expect(await eventually(timeout: .seconds(30)) {
                    (try? await broker.inspect(resultsQueue, with: client).messages) == ids.count
                })
                daemon.terminate()
                #expect(await daemon.waitForExit(timeout: .seconds(30)) == 0, "\(daemon.standardError.suffix(2000))")
            }
        }
    }

    @Test("With log.format json every log line is a JSON object, per-message lines carry their ids, and no secret shows")
    func jsonLogsParse() async throws {
        let secret = "sk-json-\(UUID().uuidString)"
        try await FakeLLMServer.with(configuration: ["flaky": ["mode": "fail_first_n", "n": 3, "require_key": secret]]) { server in
            try await TestBroker.with(retryDelays: [1]) { broker, client in
                let good = (0..<6).map { tweetBody(id: "log-\($0)", text: "logging is great \($0)") }
                try await broker.publish(good + [Array("not json".utf8)], with: client)
                let yaml = broker.configurationYAML(
                    workers: 2, chain: ["flaky"], logFormat: "json",
                    extra: "providers:\n" + ProviderIntegrationTests.provider(
                        "flaky", kind: "openai", server: server, keyVariable: "TWEETD_TEST_FLAKY_KEY"
                    )
                )
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml, environment: ["TWEETD_TEST_FLAKY_KEY": secret])
                #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(daemon.standardError.suffix(2000))")

                let lines = daemon.standardError.split(separator: "\n")
                #expect(lines.count > 5)
                var objects: [[String: Any]] = []
                for line in lines {
                    let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                    #expect(object != nil, "not JSON: \(line)")
                    if let object { objects.append(object) }
                }
                #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
                let failures = objects.filter { $0["message"] as? String == "provider failed" }
                #expect(failures.count == 3, "the three failed requests are logged")
                for failure in failures {
                    for key in ["tweet.id", "amqp.delivery_tag", "worker", "provider", "attempt"] {
                        #expect(failure[key] != nil, "\(key) in \(failure)")
                    }
                }
                let configuration = try #require(objects.first { $0["message"] as? String == "effective configuration" }?["config"] as? [String: Any])
                #expect(configuration["providers.flaky.api_key_env"] as? String == "TWEETD_TEST_FLAKY_KEY")
                #expect((configuration["broker.url"] as? String)?.contains("***") == true, "the broker password is masked")
                #expect(!daemon.standardError.contains(secret))
                #expect(try await broker.inspect(try #require(broker.topology.resultsQueue), with: client).messages == good.count)
            }
        }
    }
}
