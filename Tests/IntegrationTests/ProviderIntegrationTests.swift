import Engine
import Foundation
import Testing

/// LLM enrichment against a loopback server that speaks the providers' wire formats,
/// on the real broker: limits, cooldowns, fallback, retries and secrets.
@Suite("LLM providers on a real broker")
struct ProviderIntegrationTests {
    /// A provider entry for the YAML configuration.
    static func provider(
        _ name: String, kind: String, server: FakeLLMServer, rpm: Int = 600, burst: Int? = nil,
        keyVariable: String? = nil, timeoutSeconds: Int = 10, suffix: String = "/v1"
    ) -> String {
        """
          \(name):
            kind: \(kind)
            base_url: \(server.baseURL(name, suffix: suffix))
            model: test-model
            rpm: \(rpm)
            burst: \(burst ?? rpm)
            timeout_seconds: \(timeoutSeconds)
            cooldown_initial_seconds: 1
            cooldown_max_seconds: 5
        \(keyVariable.map { "    api_key_env: \($0)" } ?? "")
        """
    }

    static func ids(_ count: Int, _ prefix: String) -> [String] {
        (0..<count).map { "\(prefix)-\($0)" }
    }

    static func publishTweets(_ ids: [String], broker: TestBroker, client: PublisherConnection) async throws {
        try await broker.publish(ids.map { tweetBody(id: $0, text: "I love this great product, \($0)!") }, messageIDs: ids, with: client)
    }

    @Test("Every wire format answers: OpenAI, Anthropic, Gemini and an OpenAI-compatible server, each result naming its provider")
    func everyWireFormatAnswers() async throws {
        try await FakeLLMServer.with(configuration: ["claude": ["require_key": "sk-ant-test"], "gpt": ["require_key": "sk-openai-test"], "gemini": ["require_key": "g-test"]]) { server in
            for (name, kind, suffix, key, value) in [
                ("gpt", "openai", "/v1", "TWEETD_TEST_GPT_KEY", "sk-openai-test"),
                ("claude", "anthropic", "", "TWEETD_TEST_CLAUDE_KEY", "sk-ant-test"),
                ("gemini", "google", "/v1beta", "TWEETD_TEST_GEMINI_KEY", "g-test"),
                ("ollama", "openai-compatible", "/v1", nil, nil),
            ] as [(String, String, String, String?, String?)] {
                try await TestBroker.with { broker, client in
                    let ids = Self.ids(5, name)
                    try await Self.publishTweets(ids, broker: broker, client: client)
                    let yaml = broker.configurationYAML(
                        workers: 4, chain: [name],
                        extra: "providers:\n" + Self.provider(name, kind: kind, server: server, keyVariable: key, suffix: suffix)
                    )
                    let daemon = try DaemonProcess(
                        arguments: ["run", "--drain"], configuration: yaml,
                        environment: key.map { [$0: value!] } ?? [:]
                    )
                    #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(name): \(daemon.standardError.suffix(2000))")
                    let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client).map(resultJSON)
                    #expect(results.count == ids.count, "\(name)")
                    for result in results {
                        #expect(result["provider"] as? String == name)
                        let analysis = result["analysis"] as? [String: Any]
                        let sentiment = analysis?["sentiment"] as? [String: Any]
                        #expect(sentiment?["label"] as? String == "positive", "\(name): the fake model's answer is merged")
                        let usage = result["usage"] as? [String: Any]
                        #expect((usage?["input_tokens"] as? Int ?? 0) > 0, "\(name): usage is reported")
                        let timing = result["timing"] as? [String: Any]
                        #expect((timing?["provider_ms"] as? Double ?? -1) >= 0)
                    }
                }
            }
        }
    }

    @Test("At rpm R with more than R tweets the server never sees more than R requests in any 60 s window")
    func rpmIsNeverExceeded() async throws {
        try await FakeLLMServer.with { server in
            try await TestBroker.with { broker, client in
                let rpm = 20
                let ids = Self.ids(30, "rpm")
                try await Self.publishTweets(ids, broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 8, chain: ["gpt"],
                    extra: "providers:\n" + Self.provider("gpt", kind: "openai-compatible", server: server, rpm: rpm, burst: rpm)
                )
                let started = ContinuousClock.now
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                #expect(await daemon.waitForExit(timeout: .seconds(150)) == 0, "\(daemon.standardError.suffix(2000))")
                let elapsed = ContinuousClock.now - started
                let stats = try await server.stats("gpt")
                let maxInWindow = stats["max_received_in_any_60s"] as? Int ?? -1
                print("rpm \(rpm), \(ids.count) tweets: max requests in any 60 s window \(maxInWindow), run took \(elapsed)")
                #expect(maxInWindow <= rpm)
                #expect(stats["requests"] as? Int == ids.count, "one request per tweet, no 429 retries")
                // 30 tweets at 20 per minute: the last 10 must wait for the first window to pass.
                #expect(elapsed > .seconds(60) && elapsed < .seconds(80), "the run ends close to the time the limit forces")
                #expect(try await broker.takeAll(from: broker.topology.resultsQueue!, with: client).count == ids.count)
            }
        }
    }

    @Test(
        "A server stricter than the configured limit: 429s stop after the first wave, every tweet gets its result",
        arguments: [false, true]
    )
    func sharedCooldownStopsTheWaves(serverSendsBudgetHeaders: Bool) async throws {
        let strict: [String: Any] = ["rpm_limit": 10, "send_budget_headers": serverSendsBudgetHeaders]
        try await FakeLLMServer.with(configuration: ["strict": strict]) { server in
            try await TestBroker.with { broker, client in
                let ids = Self.ids(20, "strict")
                try await Self.publishTweets(ids, broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 10, chain: ["strict"],
                    extra: "providers:\n" + Self.provider("strict", kind: "openai", server: server, rpm: 100, burst: 20, keyVariable: "TWEETD_TEST_STRICT_KEY")
                )
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml, environment: ["TWEETD_TEST_STRICT_KEY": "k"])
                #expect(await daemon.waitForExit(timeout: .seconds(180)) == 0, "\(daemon.standardError.suffix(2000))")
                let stats = try await server.stats("strict")
                let statuses = stats["status_counts"] as? [String: Int] ?? [:]
                print("strict server, budget headers \(serverSendsBudgetHeaders): \(statuses), requests \(stats["requests"] ?? 0)")
                #expect(statuses["200"] == ids.count)
                if serverSendsBudgetHeaders {
                    #expect(statuses["429"] == nil, "x-ratelimit-remaining stops the client before the server has to say no")
                } else {
                    // The first 429 cools the whole provider down: only requests already on their way can be refused.
                    #expect((statuses["429"] ?? 0) <= 10, "only the first wave was refused")
                }
                #expect(try await broker.takeAll(from: broker.topology.resultsQueue!, with: client).count == ids.count)
                #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0, "nothing dead-lettered for rate limits")
                for queue in broker.topology.retryQueues {
                    #expect(try await broker.inspect(queue, with: client).messages == 0)
                }
            }
        }
    }

    @Test("Primary always 5xx: every result comes from the secondary, without delay")
    func fallbackToSecondary() async throws {
        try await FakeLLMServer.with(configuration: ["primary": ["mode": "error500"]]) { server in
            try await TestBroker.with { broker, client in
                let ids = Self.ids(20, "fallback")
                try await Self.publishTweets(ids, broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 4, chain: ["primary", "secondary"],
                    extra: "providers:\n" + Self.provider("primary", kind: "openai-compatible", server: server)
                        + "\n" + Self.provider("secondary", kind: "openai-compatible", server: server)
                )
                let report = FileManager.default.temporaryDirectory.appendingPathComponent("tweetd-fallback-\(UUID().uuidString).json")
                defer { try? FileManager.default.removeItem(at: report) }
                let daemon = try DaemonProcess(arguments: ["run", "--drain", "--report", report.path], configuration: yaml)
                #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(daemon.standardError.suffix(2000))")
                let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client).map(resultJSON)
                #expect(results.count == ids.count)
                #expect(results.allSatisfy { $0["provider"] as? String == "secondary" })
                #expect(try await broker.inspect(broker.topology.retryQueues[0], with: client).messages == 0)

                // The report counts the requests each provider got, failures included.
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
                let providers = (json?["statistics"] as? [String: Any])?["api_provider_stats"] as? [String: [String: Any]]
                #expect(providers?["primary"]?["requests"] as? Int == ids.count)
                #expect(providers?["primary"]?["failed"] as? Int == ids.count)
                #expect(providers?["secondary"]?["ok"] as? Int == ids.count)
                #expect(providers?["secondary"]?["failed"] as? Int == 0)
            }
        }
    }

    @Test("401 becomes a provider_rejected dead letter after one attempt; 5xx forever becomes provider_unavailable after max_attempts via the retry queues")
    func rejectedAndUnavailableBecomeDeadLetters() async throws {
        try await FakeLLMServer.with(configuration: ["locked": ["mode": "unauthorized"], "broken": ["mode": "error500"]]) { server in
            try await TestBroker.with(retryDelays: [1, 2]) { broker, client in
                for (name, category, attempts) in [("locked", "provider_rejected", 1), ("broken", "provider_unavailable", 3)] {
                    let ids = Self.ids(3, name)
                    try await Self.publishTweets(ids, broker: broker, client: client)
                    let yaml = broker.configurationYAML(
                        workers: 3, chain: [name], maxAttempts: 3,
                        extra: "providers:\n" + Self.provider(name, kind: "openai-compatible", server: server)
                    )
                    let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml)
                    #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(daemon.standardError.suffix(2000))")
                    let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
                    #expect(dead.count == ids.count, "\(name)")
                    for letter in dead {
                        let headers = letter.properties.headers
                        #expect(headers["x-error-category"]?.stringValue == category)
                        #expect(headers["x-attempts"]?.integerValue == Int64(attempts))
                        #expect(headers["x-provider"]?.stringValue == name)
                        let message = headers["x-error-message"]?.stringValue
                        #expect(message?.isEmpty == false)
                    }
                    let stats = try await server.stats(name)
                    #expect(stats["requests"] as? Int == ids.count * attempts, "\(name): one request per attempt")
                }
            }
        }
    }

    @Test("API keys never appear in logs, even at trace level, nor in dead letters")
    func apiKeysNeverLeak() async throws {
        let secret = "sk-test-SECRET-\(UUID().uuidString)"
        try await FakeLLMServer.with(configuration: ["keyed": ["require_key": "other"]]) { server in
            try await TestBroker.with { broker, client in
                let ids = Self.ids(3, "secret")
                try await Self.publishTweets(ids, broker: broker, client: client)
                let yaml = broker.configurationYAML(
                    workers: 2, chain: ["keyed"], logLevel: "trace",
                    extra: "providers:\n" + Self.provider("keyed", kind: "openai", server: server, keyVariable: "TWEETD_TEST_KEYED_KEY")
                )
                let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: yaml, environment: ["TWEETD_TEST_KEYED_KEY": secret])
                #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0)
                let log = daemon.standardError + daemon.standardOutput
                #expect(!log.isEmpty)
                #expect(!log.contains(secret), "the key is not in the logs")
                let dead = try await broker.takeAll(from: broker.topology.deadLetterQueue, with: client)
                #expect(dead.count == ids.count, "a wrong key is a rejection")
                for letter in dead {
                    #expect(!letter.properties.headers.values.contains { $0.description.contains(secret) })
                }
                let seen = try await server.stats("keyed")["auth_headers_seen"] as? [String] ?? []
                #expect(seen.contains("Bearer \(secret)"), "the key was sent to the provider, and only there")
            }
        }
    }
}
