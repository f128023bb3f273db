import Engine
import Foundation
import Testing

@Suite("Providers: factory and secrets")
struct ProviderFactoryTests {
    private let environment = [
        "OPENAI_API_KEY": ProviderFixture.openAIKey,
        "ANTHROPIC_API_KEY": ProviderFixture.anthropicKey,
        "GEMINI_API_KEY": ProviderFixture.geminiKey,
    ]

    private func configurationError(_ body: () throws(ConfigurationError) -> Void) -> ConfigurationError? {
        do throws(ConfigurationError) {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("each kind gets its client, with the key from its environment variable")
    func kinds() async throws {
        let transport = FakeTransport(ProviderFixture.openAIResponse(content: ProviderFixture.answerJSON))
        let openAI = try ProviderFactory.make(configuration: ProviderFixture.configuration(.openai), environment: environment, transport: transport)
        #expect(openAI is OpenAIProvider)
        #expect(openAI.name == "openai")
        _ = try await openAI.analyze(ProviderFixture.request)
        #expect(try await transport.onlyRequest().header("authorization") == "Bearer \(ProviderFixture.openAIKey)")

        let anthropic = try ProviderFactory.make(configuration: ProviderFixture.configuration(.anthropic), environment: environment, transport: transport)
        #expect(anthropic is AnthropicProvider)
        let google = try ProviderFactory.make(configuration: ProviderFixture.configuration(.google), environment: environment, transport: transport)
        #expect(google is GeminiProvider)
        let local = try ProviderFactory.make(configuration: ProviderFixture.configuration(.openaiCompatible), environment: [:], transport: transport)
        #expect(local is OpenAIProvider)
        #expect(local.configuration.kind == .openaiCompatible)
    }

    @Test("a missing API key is a configuration error naming the variable")
    func missingKey() {
        let transport = FakeTransport(ProviderHTTPResponse(status: 200))
        for kind in [ProviderKind.openai, .anthropic, .google] {
            let error = configurationError { () throws(ConfigurationError) in
                _ = try ProviderFactory.make(configuration: ProviderFixture.configuration(kind), environment: [:], transport: transport)
            }
            #expect(error?.key == "providers.\(kind.rawValue).api_key_env")
            #expect(error?.description.contains(kind.keyVariable) == true)
        }
    }

    @Test("a key-requiring kind with neither api_key_env nor api_key_file says how to set one")
    func noKeySource() {
        var configuration = ProviderFixture.configuration(.anthropic)
        configuration.apiKeyEnv = nil
        let error = configurationError { () throws(ConfigurationError) in
            _ = try ProviderFactory.make(configuration: configuration, environment: environment, transport: FakeTransport(ProviderHTTPResponse(status: 200)))
        }
        #expect(error?.description == "configuration: providers.anthropic.api_key_env: a anthropic provider needs an API key: set api_key_env or api_key_file")
    }

    @Test("an openai-compatible server with a key variable sends the key as a bearer token")
    func compatibleWithKey() async throws {
        var configuration = ProviderFixture.configuration(.openaiCompatible, name: "vllm")
        configuration.apiKeyEnv = "VLLM_API_KEY"
        let transport = FakeTransport(ProviderFixture.openAIResponse(content: ProviderFixture.answerJSON))
        let provider = try ProviderFactory.make(configuration: configuration, environment: ["VLLM_API_KEY": "token-abc123"], transport: transport)
        _ = try await provider.analyze(ProviderFixture.request)
        #expect(try await transport.onlyRequest().header("Authorization") == "Bearer token-abc123")
    }

    @Test("builtin is not an LLM provider")
    func builtin() {
        let error = configurationError { () throws(ConfigurationError) in
            _ = try ProviderFactory.make(
                configuration: ProviderFixture.configuration(.builtin),
                environment: environment,
                transport: FakeTransport(ProviderHTTPResponse(status: 200))
            )
        }
        #expect(error?.key == "providers.builtin.kind")
    }

    @Test("printing or dumping a provider never shows its key")
    func providerDescriptions() throws {
        let transport = FakeTransport(ProviderHTTPResponse(status: 200))
        for kind in [ProviderKind.openai, .anthropic, .google] {
            let provider = try ProviderFactory.make(configuration: ProviderFixture.configuration(kind), environment: environment, transport: transport)
            var dumped = ""
            dump(provider, to: &dumped)
            for text in [String(describing: provider), String(reflecting: provider), dumped] {
                for key in environment.values {
                    #expect(!text.contains(key), "\(kind) leaked its key in \(text)")
                }
            }
        }
    }

    @Test("no error description ever contains the API key, even when a server or library echoes it")
    func errorsNeverShowKey() async throws {
        let echoes: [ProviderHTTPResponse] = [
            ProviderFixture.response(status: 401, json: #"{"error":{"message":"Incorrect API key provided: KEY","type":"invalid_request_error","code":"invalid_api_key"}}"#),
            ProviderFixture.response(status: 400, json: #"{"error":{"code":400,"message":"API key not valid: KEY","status":"INVALID_ARGUMENT"}}"#),
            ProviderFixture.response(status: 429, headers: [("retry-after", "1")], json: #"{"type":"error","error":{"type":"rate_limit_error","message":"key KEY is limited"}}"#),
            ProviderFixture.response(status: 529, json: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded for KEY"}}"#),
            ProviderFixture.response(status: 429, json: #"{"error":{"message":"quota of KEY","type":"insufficient_quota","code":"insufficient_quota"}}"#),
            ProviderHTTPResponse(status: 502, body: "<html>bad gateway for KEY</html>"),
        ]
        let answers: [ProviderKind: ProviderHTTPResponse] = [
            .openai: ProviderFixture.openAIResponse(content: "KEY"),
            .anthropic: ProviderFixture.anthropicResponse(text: "KEY"),
            .google: ProviderFixture.geminiResponse(text: "KEY"),
        ]
        var checked = 0
        for kind in [ProviderKind.openai, .anthropic, .google] {
            let key = try #require(environment[kind.keyVariable])
            for echo in echoes + [try #require(answers[kind])] {
                var response = echo
                response.body = Array(String(decoding: echo.body, as: UTF8.self).replacingOccurrences(of: "KEY", with: key).utf8)
                let provider = try ProviderFactory.make(
                    configuration: ProviderFixture.configuration(kind),
                    environment: environment,
                    transport: FakeTransport(response)
                )
                let error = try #require(await ProviderFixture.failure(of: provider))
                #expect(!error.description.contains(key), "\(kind): \(error)")
                #expect(error.description.contains("[redacted]"), "\(kind): \(error)")
                checked += 1
            }
            let transportFailure = ProviderError(kind: .transient, provider: "host", message: "connection failed near \(key)")
            let provider = try ProviderFactory.make(
                configuration: ProviderFixture.configuration(kind),
                environment: environment,
                transport: FakeTransport(failure: transportFailure)
            )
            let error = try #require(await ProviderFixture.failure(of: provider))
            #expect(!error.description.contains(key))
            checked += 1
        }
        #expect(checked == 24)
    }

    @Test("credentials in a base_url are sent to the provider but never logged or shown in an error")
    func baseURLCredentialsStayOutOfLogs() async throws {
        let baseURL = "https://tweetd:hunter2@llm.example.com/v1?api_key=abc123&region=eu"
        let configuration = try TweetdConfiguration.load(
            yaml: "providers:\n  local:\n    base_url: \"\(baseURL)\"\n", environment: [:]
        )
        let shown = "https://***@llm.example.com/v1?api_key=***&region=eu"
        let settings = Dictionary(configuration.redactedSettings().map { ($0.key, $0.value) }) { first, _ in first }
        #expect(settings["providers.local.base_url"] == shown)
        #expect(!configuration.redactedDescription().contains("hunter2"))
        #expect(!configuration.redactedDescription().contains("abc123"))

        let local = try #require(configuration.providers["local"])
        let transport = FakeTransport(ProviderFixture.openAIResponse(content: ProviderFixture.answerJSON))
        let provider = try ProviderFactory.make(configuration: local, environment: [:], transport: transport)
        #expect(provider.description.contains(shown))
        #expect(!provider.description.contains("hunter2"))
        _ = try await provider.analyze(ProviderFixture.request)
        #expect(try await transport.onlyRequest().url.hasPrefix("https://tweetd:hunter2@llm.example.com/v1"))

        let refused = try #require(ConfigurationFixture.error("providers:\n  local:\n    base_url: ftp://tweetd:hunter2@llm.example.com/\n"))
        #expect(refused.key == "providers.local.base_url")
        #expect(!refused.description.contains("hunter2"))
    }

    @Test("a base URL is shown without user information or credential-like query values, and otherwise as it is", arguments: [
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("http://[::1]:8080/v1", "http://[::1]:8080/v1"),
        ("https://token@llm.example.com", "https://***@llm.example.com"),
        ("http://u:p%40ss@10.0.0.5:8000/v1/", "http://***@10.0.0.5:8000/v1/"),
        ("https://llm.example.com/v1/@team", "https://llm.example.com/v1/@team"),
        ("https://llm.example.com/v1?key=k1&Access_Token=t2&region=eu&sig=s3", "https://llm.example.com/v1?key=***&Access_Token=***&region=eu&sig=***"),
        ("https://llm.example.com/v1?client%5Fsecret=s&flag", "https://llm.example.com/v1?client%5Fsecret=***&flag"),
    ])
    func redactedBaseURL(url: String, shown: String) {
        #expect(ProviderConfiguration.redacted(url: url) == shown)
    }
}

extension ProviderKind {
    /// The environment variable each key-requiring kind reads by default.
    fileprivate var keyVariable: String {
        switch self {
        case .openai: "OPENAI_API_KEY"
        case .anthropic: "ANTHROPIC_API_KEY"
        default: "GEMINI_API_KEY"
        }
    }
}
