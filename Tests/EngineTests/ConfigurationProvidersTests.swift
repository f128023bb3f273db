import Engine
import Testing

@Suite("Configuration: providers")
struct ConfigurationProvidersTests {
    @Test("a YAML entry for a built-in provider changes only the keys it sets")
    func overrideMerge() throws {
        let config = try ConfigurationFixture.load(
            """
            providers:
              openai:
                model: gpt-4o
                tpm: 200000
              local:
                base_url: http://gpu-box:8080/v1
            """
        )
        let openai = try #require(config.providers["openai"])
        #expect(openai.model == "gpt-4o")
        #expect(openai.tpm == 200_000)
        #expect(openai.rpm == 3500)
        #expect(openai.baseURL == "https://api.openai.com/v1")
        #expect(openai.apiKeyEnv == "OPENAI_API_KEY")
        let local = try #require(config.providers["local"])
        #expect(local.baseURL == "http://gpu-box:8080/v1")
        #expect(local.model == "llama3.2")
        #expect(local.kind == .openaiCompatible)
        #expect(config.providers["anthropic"] == TweetdConfiguration().providers["anthropic"])
    }

    @Test("a new provider starts from its kind's defaults and can join the chain")
    func newProvider() throws {
        let config = try ConfigurationFixture.load(
            """
            providers:
              claude-big:
                model: claude-3-5-sonnet-latest
                kind: anthropic
            processing:
              chain: [claude-big, builtin]
            """
        )
        let provider = try #require(config.providers["claude-big"])
        #expect(provider.name == "claude-big")
        #expect(provider.kind == .anthropic)
        #expect(provider.model == "claude-3-5-sonnet-latest")
        #expect(provider.baseURL == "https://api.anthropic.com")
        #expect(provider.apiKeyEnv == "ANTHROPIC_API_KEY")
        #expect(provider.rpm == 1000)
        #expect(config.processing.chain == ["claude-big", "builtin"])
        #expect(config.providers.count == 6)
    }

    @Test("providers are set from the environment, by existing or new name")
    func environmentProviders() throws {
        let config = try ConfigurationFixture.load(
            """
            providers:
              my-vllm:
                kind: openai-compatible
                base_url: http://10.0.0.5:8000/v1
            """,
            environment: [
                "TWEETD_PROVIDERS_OPENAI_RPM": "500",
                "TWEETD_PROVIDERS_OPENAI_API_KEY_ENV": "TEAM_OPENAI_KEY",
                "TWEETD_PROVIDERS_MY_VLLM_MAX_OUTPUT_TOKENS": "512",
                "TWEETD_PROVIDERS_GROQ_KIND": "openai-compatible",
                "TWEETD_PROVIDERS_GROQ_BASE_URL": "https://api.groq.com/openai/v1",
                "TWEETD_PROVIDERS_GROQ_MULTIMODAL": "yes",
            ]
        )
        #expect(config.providers["openai"]?.rpm == 500)
        #expect(config.providers["openai"]?.burst == 9)
        #expect(config.providers["openai"]?.apiKeyEnv == "TEAM_OPENAI_KEY")
        #expect(config.providers["my-vllm"]?.maxOutputTokens == 512)
        #expect(config.providers["groq"]?.baseURL == "https://api.groq.com/openai/v1")
        #expect(config.providers["groq"]?.multimodal == true)
    }

    @Test("burst follows rpm and max_concurrency follows workers unless set")
    func derivedDefaults() throws {
        let config = try ConfigurationFixture.load(
            """
            processing:
              workers: 6
            providers:
              google:
                rpm: 61
              anthropic:
                burst: 3
                max_concurrency: 2
            """
        )
        #expect(config.providers["google"]?.burst == 2)
        #expect(config.providers["google"]?.maxConcurrency == 6)
        #expect(config.providers["anthropic"]?.burst == 3)
        #expect(config.providers["anthropic"]?.maxConcurrency == 2)
        #expect(config.providers["openai"]?.maxConcurrency == 6)
        #expect(ProviderConfiguration.defaultBurst(rpm: 1) == 1)
        #expect(ProviderConfiguration.defaultBurst(rpm: 60) == 1)
        #expect(ProviderConfiguration.defaultBurst(rpm: 3500) == 59)
    }

    @Test("naming a key file replaces the kind's default key variable")
    func apiKeyFileReplacesDefaultVariable() throws {
        let config = try ConfigurationFixture.load("providers:\n  openai:\n    api_key_file: /run/secrets/openai\n")
        #expect(config.providers["openai"]?.apiKeyFile == "/run/secrets/openai")
        #expect(config.providers["openai"]?.apiKeyEnv == nil)
    }

    @Test("API keys are read on demand from the named variable or file, never at load")
    func resolveAPIKey() throws {
        let config = try ConfigurationFixture.load()
        let openai = try #require(config.providers["openai"])
        #expect(try openai.resolveAPIKey(environment: ["OPENAI_API_KEY": "sk-123"]) == "sk-123")
        #expect(
            throws: ConfigurationError(
                key: "providers.openai.api_key_env",
                problem: "environment variable OPENAI_API_KEY is not set or empty"
            )
        ) {
            try openai.resolveAPIKey(environment: [:])
        }
        #expect(try config.providers["local"]?.resolveAPIKey(environment: [:]) == nil)

        let file = try ConfigurationFixture.temporaryFile("  sk-from-file\n")
        var fromFile = openai
        fromFile.apiKeyEnv = nil
        fromFile.apiKeyFile = file
        #expect(try fromFile.resolveAPIKey(environment: [:]) == "sk-from-file")
        fromFile.apiKeyFile = file + ".missing"
        #expect(
            throws: ConfigurationError(
                key: "providers.openai.api_key_file",
                problem: "cannot read \(file).missing: no such file"
            )
        ) {
            try fromFile.resolveAPIKey(environment: [:])
        }
    }
}

@Suite("Configuration: shared provider budgets")
struct ConfigurationSharedBudgetTests {
    @Test("shared defaults to false; with shared, the default burst is 8 % above rpm / 60 and budget_name defaults to the name")
    func sharedDefaults() throws {
        let config = try ConfigurationFixture.load(
            """
            providers:
              local:
                rpm: 600
                shared: true
              openai:
                rpm: 600
            """
        )
        let local = try #require(config.providers["local"])
        #expect(local.shared)
        #expect(local.burst == 11)
        #expect(local.effectiveBudgetName == "local")
        let openai = try #require(config.providers["openai"])
        #expect(!openai.shared)
        #expect(openai.burst == 10)
    }

    @Test("budget_name lets two entries of one account share, and they must agree on the limits")
    func budgetNames() throws {
        let shared = """
            providers:
              fast:
                kind: openai
                rpm: 300
                shared: true
                budget_name: team-account
              slow:
                kind: openai
                rpm: 300
                shared: true
                budget_name: team-account
            processing:
              chain: [fast, slow, builtin]
            """
        let config = try ConfigurationFixture.load(shared)
        let definitions = ProviderChainBuilder.sharedBudgetDefinitions(config)
        #expect(definitions.map(\.name) == ["team-account"])
        #expect(definitions.first?.providers == ["fast", "slow"])
        let disagreeing = shared.replacingOccurrences(of: "  slow:\n    kind: openai\n    rpm: 300", with: "  slow:\n    kind: openai\n    rpm: 200")
        #expect(disagreeing != shared)
        let error = ConfigurationFixture.error(disagreeing)
        #expect(error?.key == "providers.slow.budget_name")
        #expect(ConfigurationFixture.error("providers:\n  local:\n    budget_name: \"a b\"\n")?.key == "providers.local.budget_name")
    }

    @Test("shared and budget_name wait for a restart; the limits of a shared provider reload")
    func sharedNeedsRestart() throws {
        let running = try ConfigurationFixture.load("providers:\n  local:\n    rpm: 600\nprocessing:\n  chain: [local]\n")
        let edited = try ConfigurationFixture.load("providers:\n  local:\n    rpm: 300\n    shared: true\nprocessing:\n  chain: [local]\n")
        let plan = ReloadPlan(from: running, to: edited)
        #expect(plan.needsRestart == ["providers.local.shared"])
        #expect(plan.applied.contains("providers.local.rpm"))
        // Becoming shared needs the budget's connection, made at start: the reload is refused, never run unshared.
        let merged = ReloadPlan.merged(running: running, new: edited)
        #expect(merged.providers["local"]?.shared == true)
        #expect(throws: ConfigurationError.self) { try ProviderChainBuilder(environment: [:]).build(merged) }
        // A shared provider stays shared when a reload says otherwise.
        let stillShared = ReloadPlan.merged(running: edited, new: running)
        #expect(stillShared.providers["local"]?.shared == true)
        #expect(stillShared.providers["local"]?.rpm == 600)
    }
}
