import Engine
import Foundation
import Testing

/// Shared helpers for the configuration tests.
enum ConfigurationFixture {
    /// Loads `yaml` with `environment` and `overrides`.
    static func load(
        _ yaml: String? = nil,
        environment: [String: String] = [:],
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> TweetdConfiguration {
        try TweetdConfiguration.load(yaml: yaml, environment: environment, overrides: overrides)
    }

    /// The error loading fails with, or `nil` when it succeeds.
    static func error(
        _ yaml: String? = nil,
        environment: [String: String] = [:],
        overrides: [String: String] = [:]
    ) -> ConfigurationError? {
        do {
            _ = try load(yaml, environment: environment, overrides: overrides)
            return nil
        } catch {
            return error
        }
    }

    /// A new file holding `content` in a fresh temporary directory.
    static func temporaryFile(_ content: String, name: String = "file") throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tweetd-configuration-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The repository's `config/tweetd.yaml`, found from this file's path.
    static var shippedConfigurationPath: String {
        repositoryPath("config/tweetd.yaml")
    }

    /// A file of the repository (`packaging/tweetd.service`), found from this file's path.
    static func repositoryPath(_ relativePath: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // EngineTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent(relativePath)
            .path
    }
}

@Suite("Configuration loading")
struct ConfigurationTests {
    @Test("defaults are the documented values")
    func defaults() {
        let config = TweetdConfiguration()
        #expect(config.broker.host == "127.0.0.1")
        #expect(config.broker.port == 5672)
        #expect(config.broker.virtualHost == "/")
        #expect(config.broker.username == "guest")
        #expect(config.broker.useTLS == false)
        #expect(config.broker.heartbeatSeconds == 30)
        #expect(config.broker.connectTimeoutSeconds == 10)
        #expect(config.broker.reconnectInitialDelayMilliseconds == 200)
        #expect(config.broker.reconnectMaxDelaySeconds == 30)
        #expect(config.broker.tls.caFile == nil)
        #expect(config.broker.tls.verifyPeer && config.broker.tls.verifyHostname)
        #expect(config.topology.exchange == "tweets")
        #expect(config.topology.queues == [TopologyConfiguration.Queue(name: "tweets.in", bindings: ["#"])])
        #expect(config.topology.resultsExchange == "tweets.results")
        #expect(config.topology.resultsQueue == "tweets.results")
        #expect(config.topology.deadLetterExchange == "tweets.dead")
        #expect(config.topology.deadLetterQueue == "tweets.dead")
        #expect(config.topology.retryExchange == "tweets.retry")
        #expect(config.topology.metricsExchange == "tweets.metrics")
        #expect(config.topology.maxPriority == 10)
        #expect(config.topology.retryDelaysSeconds == [5, 30, 120])
        #expect(config.processing.workers == 15)
        #expect(config.processing.prefetch == 15)
        #expect(config.processing.maxAttempts == 4)
        #expect(config.processing.maxMessageBytes == 262_144)
        #expect(config.processing.maxTextChars == 25_000)
        #expect(config.processing.maxJSONDepth == 64)
        #expect(config.processing.shutdownGraceSeconds == 30)
        #expect(config.processing.maxHoldSeconds == 600)
        #expect(config.processing.chain == ["builtin"])
        #expect(config.metrics.listen == MetricsConfiguration.ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(config.metrics.publishIntervalSeconds == 10)
        #expect(config.metrics.instance == nil)
        #expect(config.log.level == .info)
        #expect(config.log.format == .text)
    }

    @Test("the built-in providers exist with the original pipeline's limits")
    func builtInProviders() throws {
        let providers = TweetdConfiguration().providers
        #expect(providers.keys.sorted() == ["anthropic", "builtin", "google", "local", "openai"])
        let openai = try #require(providers["openai"])
        #expect(openai.kind == .openai)
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.model == "gpt-4o-mini")
        #expect(openai.apiKeyEnv == "OPENAI_API_KEY")
        #expect(openai.rpm == 3500)
        #expect(openai.burst == 59)
        #expect(openai.maxConcurrency == 15)
        #expect(openai.timeoutSeconds == 30)
        #expect(openai.maxOutputTokens == 256)
        #expect(openai.tpm == nil && openai.promptTemplate == nil && openai.apiKeyFile == nil && !openai.multimodal)
        #expect(openai.cooldownInitialSeconds == 1 && openai.cooldownMaxSeconds == 60)
        #expect(providers["anthropic"]?.rpm == 1000)
        #expect(providers["anthropic"]?.model == "claude-3-5-haiku-latest")
        #expect(providers["google"]?.rpm == 300)
        #expect(providers["google"]?.apiKeyEnv == "GEMINI_API_KEY")
        #expect(providers["local"]?.kind == .openaiCompatible)
        #expect(providers["local"]?.rpm == 600)
        #expect(providers["local"]?.baseURL == "http://127.0.0.1:11434/v1")
        #expect(providers["local"]?.apiKeyEnv == nil)
        #expect(providers["builtin"]?.kind == .builtin)
    }

    @Test("no YAML, empty YAML and comments-only YAML all give the defaults")
    func emptySources() throws {
        #expect(try ConfigurationFixture.load(nil) == TweetdConfiguration())
        #expect(try ConfigurationFixture.load("") == TweetdConfiguration())
        #expect(try ConfigurationFixture.load("# nothing here\n\n") == TweetdConfiguration())
        #expect(try TweetdConfiguration.load(file: nil, environment: [:]) == TweetdConfiguration())
        let emptyFile = try ConfigurationFixture.temporaryFile("")
        #expect(try TweetdConfiguration.load(file: emptyFile, environment: [:]) == TweetdConfiguration())
    }

    @Test("the shipped config/tweetd.yaml loads to exactly the defaults")
    func shippedFileIsTheDefaults() throws {
        let path = ConfigurationFixture.shippedConfigurationPath
        let loaded = try TweetdConfiguration.load(file: path, environment: [:])
        #expect(loaded == TweetdConfiguration())
    }

    @Test("the shipped file mentions every key the description shows")
    func shippedFileListsEveryKey() throws {
        let shipped = try String(contentsOfFile: ConfigurationFixture.shippedConfigurationPath, encoding: .utf8)
        let described = TweetdConfiguration().redactedDescription()
        for line in described.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "-" }
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = trimmed[..<colon]
            #expect(shipped.contains("\(key):"), "config/tweetd.yaml does not mention \(key)")
        }
    }

    @Test("YAML values replace the defaults and leave the rest alone")
    func yamlOverridesDefaults() throws {
        let config = try ConfigurationFixture.load(
            """
            broker:
              url: amqp://app:pw@rabbit.internal:5673/prod
              heartbeat_seconds: 5
              tls:
                verify_hostname: false
            topology:
              max_priority: 5
              retry_delays_seconds: [1, 2]
              results_queue: ""
            processing:
              workers: 4
              max_attempts: 2
              chain: [openai, builtin]
            metrics:
              listen: ""
              instance: worker-1
            log:
              level: debug
              format: json
            """
        )
        #expect(config.broker.host == "rabbit.internal")
        #expect(config.broker.port == 5673)
        #expect(config.broker.virtualHost == "prod")
        #expect(config.broker.username == "app")
        #expect(config.broker.password == "pw")
        #expect(config.broker.heartbeatSeconds == 5)
        #expect(config.broker.tls.verifyHostname == false)
        #expect(config.broker.tls.verifyPeer == true)
        #expect(config.broker.connectTimeoutSeconds == 10)
        #expect(config.topology.maxPriority == 5)
        #expect(config.topology.retryDelaysSeconds == [1, 2])
        #expect(config.topology.resultsQueue == nil)
        #expect(config.topology.exchange == "tweets")
        #expect(config.processing.workers == 4)
        #expect(config.processing.maxAttempts == 2)
        #expect(config.processing.chain == ["openai", "builtin"])
        #expect(config.metrics.listen == nil)
        #expect(config.metrics.instance == "worker-1")
        #expect(config.metrics.effectiveInstance == "worker-1")
        #expect(config.log.level == .debug)
        #expect(config.log.format == .json)
    }

    @Test(
        "later sources win: defaults < YAML < environment < overrides",
        arguments: [
            (false, false, false, 15),
            (true, false, false, 3),
            (true, true, false, 8),
            (true, true, true, 12),
            (false, false, true, 12),
            (false, true, false, 8),
        ]
    )
    func precedence(yaml: Bool, environment: Bool, override: Bool, expected: Int) throws {
        let config = try ConfigurationFixture.load(
            yaml ? "processing:\n  workers: 3\n" : nil,
            environment: environment ? ["TWEETD_PROCESSING_WORKERS": "8"] : [:],
            overrides: override ? ["processing.workers": "12"] : [:]
        )
        #expect(config.processing.workers == expected)
    }

    @Test("MAX_WORKERS and BATCH_SIZE still work, and TWEETD_* variables win over them")
    func legacyVariables() throws {
        let legacy = try ConfigurationFixture.load(
            "processing:\n  workers: 3\n  prefetch: 3\n",
            environment: ["MAX_WORKERS": "20", "BATCH_SIZE": "40"]
        )
        #expect(legacy.processing.workers == 20)
        #expect(legacy.processing.prefetch == 40)

        let both = try ConfigurationFixture.load(
            environment: [
                "MAX_WORKERS": "20", "BATCH_SIZE": "40",
                "TWEETD_PROCESSING_WORKERS": "6", "TWEETD_PROCESSING_PREFETCH": "7",
            ]
        )
        #expect(both.processing.workers == 6)
        #expect(both.processing.prefetch == 7)

        let empty = try ConfigurationFixture.load(environment: ["MAX_WORKERS": "", "BATCH_SIZE": " "])
        #expect(empty == TweetdConfiguration())

        let bad = ConfigurationFixture.error(environment: ["MAX_WORKERS": "lots"])
        #expect(bad == ConfigurationError(key: "MAX_WORKERS", problem: "expected an integer, got \"lots\""))
    }

    @Test("prefetch follows workers unless it is set itself")
    func prefetchFollowsWorkers() throws {
        #expect(try ConfigurationFixture.load("processing:\n  workers: 7\n").processing.prefetch == 7)
        #expect(try ConfigurationFixture.load(environment: ["TWEETD_PROCESSING_WORKERS": "9"]).processing.prefetch == 9)
        #expect(try ConfigurationFixture.load(environment: ["MAX_WORKERS": "11"]).processing.prefetch == 11)
        #expect(try ConfigurationFixture.load(overrides: ["processing.workers": "5"]).processing.prefetch == 5)
        let pinned = try ConfigurationFixture.load(
            "processing:\n  prefetch: 2\n",
            environment: ["TWEETD_PROCESSING_WORKERS": "9"]
        )
        #expect(pinned.processing.workers == 9)
        #expect(pinned.processing.prefetch == 2)
    }

    @Test("nested keys have environment names too")
    func nestedEnvironmentKeys() throws {
        let ca = try ConfigurationFixture.temporaryFile("-----BEGIN CERTIFICATE-----\n", name: "ca.pem")
        let config = try ConfigurationFixture.load(
            environment: [
                "TWEETD_BROKER_URL": "amqps://rabbit.example.com/",
                "TWEETD_BROKER_TLS_CA_FILE": ca,
                "TWEETD_BROKER_TLS_VERIFY_HOSTNAME": "false",
                "TWEETD_TOPOLOGY_MAX_PRIORITY": "20",
                "TWEETD_METRICS_PUBLISH_INTERVAL_SECONDS": "0",
                "TWEETD_LOG_LEVEL": "WARNING",
            ]
        )
        #expect(config.broker.useTLS)
        #expect(config.broker.port == 5671)
        #expect(config.broker.tls.caFile == ca)
        #expect(config.broker.tls.verifyHostname == false)
        #expect(config.topology.maxPriority == 20)
        #expect(config.metrics.publishIntervalSeconds == 0)
        #expect(config.log.level == .warning)
    }

    @Test("lists come comma-separated from the environment and from overrides")
    func listValues() throws {
        let config = try ConfigurationFixture.load(
            environment: [
                "TWEETD_PROCESSING_CHAIN": "openai, local",
                "TWEETD_TOPOLOGY_RETRY_DELAYS_SECONDS": "5,30",
                "TWEETD_TOPOLOGY_QUEUES": "tweets.in,tweets.vip=vip.#|urgent.*",
            ]
        )
        #expect(config.processing.chain == ["openai", "local"])
        #expect(config.topology.retryDelaysSeconds == [5, 30])
        #expect(
            config.topology.queues == [
                TopologyConfiguration.Queue(name: "tweets.in", bindings: ["#"]),
                TopologyConfiguration.Queue(name: "tweets.vip", bindings: ["vip.#", "urgent.*"]),
            ]
        )
        let overridden = try ConfigurationFixture.load(overrides: ["processing.chain": "anthropic,builtin"])
        #expect(overridden.processing.chain == ["anthropic", "builtin"])
    }

    @Test("several input queues from YAML; bindings default to #")
    func yamlQueues() throws {
        let config = try ConfigurationFixture.load(
            """
            topology:
              queues:
                - name: tweets.in
                - name: tweets.vip
                  bindings: ["vip.#", "*.urgent"]
            """
        )
        #expect(config.topology.queues.map(\.name) == ["tweets.in", "tweets.vip"])
        #expect(config.topology.queues[0].bindings == ["#"])
        #expect(config.topology.queues[1].bindings == ["vip.#", "*.urgent"])
    }

    @Test("TWEETD_ variables outside the configuration sections are ignored")
    func unrelatedVariablesIgnored() throws {
        let config = try ConfigurationFixture.load(
            environment: [
                "TWEETD_CONFIG": "/etc/tweetd/tweetd.yaml",
                "TWEETD_TEST_BROKER_URL": "amqp://elsewhere/",
                "TWEETD_LOG": "x",
                "PATH": "/usr/bin",
                "OPENAI_API_KEY": "sk-not-read-at-load",
            ]
        )
        #expect(config == TweetdConfiguration())
    }

    @Test("overrides use dotted keys, including nested and provider keys")
    func overrides() throws {
        let config = try ConfigurationFixture.load(
            overrides: [
                "broker.url": "amqp://bob:pw@mq:5999/",
                "broker.tls.verify_peer": "false",
                "providers.openai.rpm": "120",
                "metrics.listen": "[::1]:9000",
                "log.format": "json",
            ]
        )
        #expect(config.broker.host == "mq")
        #expect(config.broker.port == 5999)
        #expect(config.broker.username == "bob")
        #expect(config.broker.tls.verifyPeer == false)
        #expect(config.providers["openai"]?.rpm == 120)
        #expect(config.providers["openai"]?.burst == 2)
        #expect(config.metrics.listen == MetricsConfiguration.ListenAddress(host: "::1", port: 9000))
        #expect(config.metrics.listen?.description == "[::1]:9000")
        #expect(config.log.format == .json)
    }
}
