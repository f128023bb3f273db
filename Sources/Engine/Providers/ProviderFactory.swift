import Foundation

/// Makes the client for a configured provider.
public enum ProviderFactory {
    /// The client for `configuration`, with its API key resolved from
    /// `environment` (or its `api_key_file`) now, so a missing key stops
    /// start-up instead of failing every message.
    ///
    /// `openai` and `openai-compatible` make an ``OpenAIProvider``,
    /// `anthropic` an ``AnthropicProvider``, `google` a ``GeminiProvider``.
    /// `openai-compatible` sends a key only when one is configured.
    ///
    /// - Parameters:
    ///   - configuration: the provider's configuration.
    ///   - environment: the process environment, where `api_key_env` is looked up.
    ///   - transport: what carries the HTTP requests, shared by all providers.
    ///   - now: the wall clock, for `Retry-After` dates.
    /// - Throws: ``ConfigurationError`` naming the setting at fault (never the
    ///   key): for `builtin`, which is no LLM provider and needs no client;
    ///   when `openai`, `anthropic` or `google` has no key configured; when
    ///   the variable named by `api_key_env` is unset or empty, or the
    ///   `api_key_file` cannot be read.
    public static func make(
        configuration: ProviderConfiguration,
        environment: [String: String],
        transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ConfigurationError) -> any LLMProvider {
        switch configuration.kind {
        case .builtin:
            throw ConfigurationError(
                key: "providers.\(configuration.name).kind",
                problem: "builtin is analysed in-process and has no LLM client"
            )
        case .openaiCompatible:
            let apiKey = try configuration.resolveAPIKey(environment: environment)
            return OpenAIProvider(configuration: configuration, apiKey: apiKey, transport: transport, now: now)
        case .openai:
            let apiKey = try requiredKey(configuration, environment)
            return OpenAIProvider(configuration: configuration, apiKey: apiKey, transport: transport, now: now)
        case .anthropic:
            let apiKey = try requiredKey(configuration, environment)
            return AnthropicProvider(configuration: configuration, apiKey: apiKey, transport: transport, now: now)
        case .google:
            let apiKey = try requiredKey(configuration, environment)
            return GeminiProvider(configuration: configuration, apiKey: apiKey, transport: transport, now: now)
        }
    }

    private static func requiredKey(
        _ configuration: ProviderConfiguration,
        _ environment: [String: String]
    ) throws(ConfigurationError) -> String {
        guard let apiKey = try configuration.resolveAPIKey(environment: environment) else {
            throw ConfigurationError(
                key: "providers.\(configuration.name).api_key_env",
                problem: "a \(configuration.kind.rawValue) provider needs an API key: set api_key_env or api_key_file"
            )
        }
        return apiKey
    }
}
