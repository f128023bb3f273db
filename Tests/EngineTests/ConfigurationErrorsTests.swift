import Engine
import Testing

@Suite("Configuration: errors name the key and the problem")
struct ConfigurationErrorsTests {
    @Test("an unknown key anywhere is named by its full path, with a suggestion when close")
    func unknownKeys() {
        #expect(
            ConfigurationFixture.error("processing:\n  wrokers: 3\n")
                == ConfigurationError(key: "processing.wrokers", problem: "unknown key (did you mean workers?)")
        )
        #expect(
            ConfigurationFixture.error("broker:\n  tls:\n    ca: x\n")?.key == "broker.tls.ca"
        )
        #expect(
            ConfigurationFixture.error("provider:\n  openai: {}\n")
                == ConfigurationError(key: "provider", problem: "unknown key (did you mean providers?)")
        )
        #expect(
            ConfigurationFixture.error("providers:\n  openai:\n    temperature: 0.2\n")
                == ConfigurationError(key: "providers.openai.temperature", problem: "unknown key")
        )
        #expect(
            ConfigurationFixture.error("topology:\n  queues:\n    - name: q\n      binding: [\"#\"]\n")
                == ConfigurationError(
                    key: "topology.queues[0].binding",
                    problem: "unknown key (did you mean bindings?)"
                )
        )
    }

    @Test("a wrong type says what was expected and what was found")
    func wrongTypes() {
        #expect(
            ConfigurationFixture.error("processing:\n  workers: many\n")
                == ConfigurationError(key: "processing.workers", problem: "expected an integer, got \"many\"")
        )
        #expect(
            ConfigurationFixture.error("processing:\n  workers: 1.5\n")?.problem == "expected an integer, got \"1.5\""
        )
        #expect(
            ConfigurationFixture.error("broker:\n  tls:\n    verify_peer: maybe\n")
                == ConfigurationError(key: "broker.tls.verify_peer", problem: "expected true or false, got \"maybe\"")
        )
        #expect(
            ConfigurationFixture.error("processing:\n  chain: openai\n")
                == ConfigurationError(key: "processing.chain", problem: "expected a list, got \"openai\"")
        )
        #expect(
            ConfigurationFixture.error("processing: [1, 2]\n")
                == ConfigurationError(key: "processing", problem: "expected a mapping, got a list")
        )
        #expect(
            ConfigurationFixture.error("log:\n  level: loud\n")
                == ConfigurationError(
                    key: "log.level",
                    problem: "expected one of trace, debug, info, notice, warning, error, critical; got \"loud\""
                )
        )
        #expect(
            ConfigurationFixture.error("topology:\n  exchange:\n")
                == ConfigurationError(key: "topology.exchange", problem: "expected a string, got null")
        )
        #expect(ConfigurationFixture.error("- just\n- a list\n")?.key == "yaml")
    }

    @Test("an out-of-range value names the range")
    func outOfRange() {
        #expect(
            ConfigurationFixture.error("processing:\n  workers: 0\n")
                == ConfigurationError(key: "processing.workers", problem: "must be between 1 and 4096, got 0")
        )
        #expect(
            ConfigurationFixture.error("topology:\n  max_priority: 256\n")
                == ConfigurationError(key: "topology.max_priority", problem: "must be between 1 and 255, got 256")
        )
        #expect(
            ConfigurationFixture.error("providers:\n  openai:\n    rpm: 0\n")
                == ConfigurationError(key: "providers.openai.rpm", problem: "must be between 1 and 1000000, got 0")
        )
        #expect(
            ConfigurationFixture.error("topology:\n  retry_delays_seconds: [30, 5]\n")
                == ConfigurationError(
                    key: "topology.retry_delays_seconds[1]",
                    problem: "delays must increase strictly, got 5 after 30"
                )
        )
        #expect(
            ConfigurationFixture.error("topology:\n  retry_delays_seconds: []\n")
                == ConfigurationError(key: "topology.retry_delays_seconds", problem: "expected at least one delay")
        )
        #expect(ConfigurationFixture.error("metrics:\n  listen: localhost:70000\n")?.key == "metrics.listen")
        #expect(ConfigurationFixture.error("metrics:\n  listen: localhost\n")?.key == "metrics.listen")
        #expect(
            ConfigurationFixture.error("providers:\n  openai:\n    rpm: 100\n    burst: 200\n")
                == ConfigurationError(key: "providers.openai.burst", problem: "must not exceed rpm (100), got 200")
        )
    }

    @Test("limits the broker or systemd would enforce by force are refused at load, saying why")
    func limitsOfTheBrokerAndTheServiceManager() throws {
        let hold = try #require(ConfigurationFixture.error("processing:\n  max_hold_seconds: 1800\n"))
        #expect(hold.key == "processing.max_hold_seconds")
        #expect(hold.problem.hasPrefix("must be between 1 and 900, got 1800: "))
        #expect(hold.problem.contains("consumer_timeout"))
        #expect(try ConfigurationFixture.load("processing:\n  max_hold_seconds: 900\n").processing.maxHoldSeconds == 900)

        let heartbeat = try #require(ConfigurationFixture.error(environment: ["TWEETD_BROKER_HEARTBEAT_SECONDS": "0"]))
        #expect(heartbeat.key == "TWEETD_BROKER_HEARTBEAT_SECONDS")
        #expect(heartbeat.problem.hasPrefix("must be between 1 and 3600, got 0: "))
        #expect(try ConfigurationFixture.load("broker:\n  heartbeat_seconds: 1\n").broker.heartbeatSeconds == 1)

        let grace = try #require(ConfigurationFixture.error(overrides: ["processing.shutdown_grace_seconds": "301"]))
        #expect(grace.key == "processing.shutdown_grace_seconds")
        #expect(grace.problem.hasPrefix("must be between 0 and 300, got 301: "))
        #expect(grace.problem.contains("TimeoutStopSec"))
        #expect(!grace.description.contains("\n"))
    }

    @Test("the packaged unit waits for the longest shutdown grace plus the cancellation time before it kills")
    func unitStopTimeoutCoversTheLongestGrace() throws {
        let unit = try String(contentsOfFile: ConfigurationFixture.repositoryPath("packaging/tweetd.service"), encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") })
        let seconds = try #require(Int(line.dropFirst("TimeoutStopSec=".count).prefix { $0.isNumber }))
        // The longest accepted grace, then the service group's 5 s of cancellation, then exit.
        #expect(ConfigurationFixture.error(overrides: ["processing.shutdown_grace_seconds": "300"]) == nil)
        #expect(seconds >= 300 + 5 + 10, "TimeoutStopSec=\(seconds)s")
    }

    @Test("errors from the environment and overrides name the variable or the flag key")
    func environmentAndOverrideErrors() {
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_PROCESSING_WORKERS": "many"])
                == ConfigurationError(key: "TWEETD_PROCESSING_WORKERS", problem: "expected an integer, got \"many\"")
        )
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_PROCESSING_WROKERS": "3"])
                == ConfigurationError(
                    key: "TWEETD_PROCESSING_WROKERS",
                    problem: "unknown setting (did you mean TWEETD_PROCESSING_WORKERS?)"
                )
        )
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_PROVIDERS_OPENAI_RPMS": "3"])?.key
                == "TWEETD_PROVIDERS_OPENAI_RPMS"
        )
        #expect(
            ConfigurationFixture.error(overrides: ["processing.wrokers": "3"])
                == ConfigurationError(
                    key: "processing.wrokers",
                    problem: "unknown key (did you mean processing.workers?)"
                )
        )
        #expect(
            ConfigurationFixture.error(overrides: ["topology.max_priority": "0"])
                == ConfigurationError(key: "topology.max_priority", problem: "must be between 1 and 255, got 0")
        )
    }

    @Test("YAML syntax errors give the line and column on one line")
    func syntaxErrors() throws {
        let error = try #require(ConfigurationFixture.error("processing:\n  workers: [1, 2\nlog:\n  level: info\n"))
        #expect(error.key == "yaml")
        #expect(error.problem.hasPrefix("invalid YAML at line "))
        #expect(error.problem.contains("column"))
        #expect(!error.description.contains("\n"))

        let path = try ConfigurationFixture.temporaryFile("broker:\n  url: \"unterminated\n", name: "tweetd.yaml")
        #expect(throws: ConfigurationError.self) { try TweetdConfiguration.load(file: path, environment: [:]) }
        do {
            _ = try TweetdConfiguration.load(file: path, environment: [:])
        } catch {
            #expect(error.key == path)
            #expect(error.problem.contains("line 3"))
        }
    }

    @Test("a duplicate YAML key is an error, not a silent override")
    func duplicateKeys() {
        #expect(
            ConfigurationFixture.error("processing:\n  workers: 3\n  workers: 4\n")
                == ConfigurationError(key: "processing.workers", problem: "duplicate key (first set on line 2)")
        )
    }

    @Test(
        "a secret in the YAML file is refused",
        arguments: [
            ("providers:\n  openai:\n    api_key: sk-abc\n", "providers.openai.api_key", "api_key_env or api_key_file"),
            ("broker:\n  password: hunter2\n", "broker.password", "password_env or password_file"),
            ("metrics:\n  secret: x\n", "metrics.secret", "api_key_env or api_key_file"),
            ("secret: x\n", "secret", "api_key_env or api_key_file"),
        ]
    )
    func secretsRefused(yaml: String, key: String, instead: String) throws {
        let error = try #require(ConfigurationFixture.error(yaml))
        #expect(
            error
                == ConfigurationError(key: key, problem: "secrets belong in the environment or a file: use \(instead)")
        )
        #expect(!error.description.contains("sk-abc") && !error.description.contains("hunter2"))
    }

    @Test("a secret in an override or a TWEETD_ variable points to the *_env and *_file keys")
    func secretsOutsideTheFile() {
        #expect(
            ConfigurationFixture.error(overrides: ["providers.openai.api_key": "sk-abc"])
                == ConfigurationError(
                    key: "providers.openai.api_key",
                    problem: "secrets belong in the environment or a file: use api_key_env or api_key_file"
                )
        )
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_PROVIDERS_OPENAI_API_KEY": "sk-abc"])?.problem
                == "secrets belong in the environment or a file: use api_key_env or api_key_file"
        )
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_BROKER_PASSWORD": "pw"])?.problem
                == "secrets belong in the environment or a file: use password_env or password_file"
        )
    }

    @Test("a key variable name that looks like a key is refused without repeating it")
    func apiKeyEnvIsAName() throws {
        let error = try #require(ConfigurationFixture.error("providers:\n  openai:\n    api_key_env: sk-proj-123\n"))
        #expect(error.key == "providers.openai.api_key_env")
        #expect(!error.description.contains("sk-proj-123"))
    }

    @Test("the chain must name known providers, once each")
    func chainErrors() {
        #expect(
            ConfigurationFixture.error("processing:\n  chain: [openai, mistral]\n")
                == ConfigurationError(
                    key: "processing.chain[1]",
                    problem: "unknown provider \"mistral\" (known: anthropic, builtin, google, local, openai)"
                )
        )
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_PROCESSING_CHAIN": "openai,openai"])
                == ConfigurationError(key: "TWEETD_PROCESSING_CHAIN[1]", problem: "provider \"openai\" is listed twice")
        )
        #expect(
            ConfigurationFixture.error(environment: ["TWEETD_PROCESSING_CHAIN": ""])?.key == "TWEETD_PROCESSING_CHAIN"
        )
    }

    @Test("provider kinds and names are checked")
    func providerErrors() {
        #expect(
            ConfigurationFixture.error("providers:\n  openai:\n    kind: gpt\n")
                == ConfigurationError(
                    key: "providers.openai.kind",
                    problem: "expected one of openai, anthropic, google, openai-compatible, builtin; got \"gpt\""
                )
        )
        #expect(
            ConfigurationFixture.error("providers:\n  mine:\n    model: x\n")
                == ConfigurationError(
                    key: "providers.mine.kind",
                    problem:
                        "required for a provider that is not built in"
                        + " (one of openai, anthropic, google, openai-compatible, builtin)"
                )
        )
        #expect(
            ConfigurationFixture.error("providers:\n  My_Provider:\n    kind: openai\n")?.key == "providers.My_Provider"
        )
        #expect(
            ConfigurationFixture.error("providers:\n  local:\n    base_url: ftp://x\n")?.key
                == "providers.local.base_url"
        )
        #expect(
            ConfigurationFixture.error("providers:\n  openai:\n    api_key_env: A\n    api_key_file: /k\n")
                == ConfigurationError(
                    key: "providers.openai.api_key_file",
                    problem: "set only one of api_key_env and api_key_file"
                )
        )
    }

    @Test("exchange and queue names must not collide")
    func nameCollisions() {
        #expect(
            ConfigurationFixture.error("topology:\n  results_exchange: tweets\n")
                == ConfigurationError(
                    key: "topology.results_exchange",
                    problem: "exchange \"tweets\" is already used by topology.exchange"
                )
        )
        #expect(
            ConfigurationFixture.error("topology:\n  queues:\n    - name: a\n    - name: a\n")
                == ConfigurationError(key: "topology.queues[1]", problem: "queue \"a\" is listed twice")
        )
        #expect(
            ConfigurationFixture.error("topology:\n  dead_letter_queue: tweets.in\n")?.key
                == "topology.dead_letter_queue"
        )
        #expect(ConfigurationFixture.error("topology:\n  exchange: amq.topic\n")?.key == "topology.exchange")
        #expect(ConfigurationFixture.error("topology:\n  queues: []\n")?.key == "topology.queues")
        #expect(
            ConfigurationFixture.error("topology:\n  queues:\n    - name: q\n      bindings: []\n")?.key
                == "topology.queues[0].bindings"
        )
    }

    @Test("a missing configuration file is named by its path")
    func missingFile() {
        let path = "/nonexistent/tweetd-\(Int.random(in: 0...1_000_000)).yaml"
        #expect(throws: ConfigurationError(key: path, problem: "cannot read the configuration file: no such file")) {
            try TweetdConfiguration.load(file: path, environment: [:])
        }
        #expect(
            throws: ConfigurationError(key: "/tmp", problem: "cannot read the configuration file: it is a directory")
        ) {
            try TweetdConfiguration.load(file: "/tmp", environment: [:])
        }
    }

    @Test("the error's description is one line: configuration: key: problem")
    func descriptionFormat() {
        let error = ConfigurationError(key: "processing.workers", problem: "must be between 1 and 4096, got 0")
        #expect(error.description == "configuration: processing.workers: must be between 1 and 4096, got 0")
        #expect(ConfigurationError(key: "k", problem: "two\nlines").description == "configuration: k: two lines")
    }
}
