import Foundation

/// One entry of the `providers` map: an analysis provider, how to reach it,
/// and its limits.
///
/// Five providers always exist: `openai`, `anthropic`, `google`, `local`
/// (an Ollama server on this host, kind `openai-compatible`) and `builtin`.
/// A YAML entry with one of these names changes only the keys it sets; a new
/// name needs a `kind`, and starts from that kind's defaults (those of the
/// built-in provider of the same kind).
///
/// API keys are never read at load time and never stored here: call
/// ``resolveAPIKey(environment:)`` when the provider is about to be used.
public struct ProviderConfiguration: Sendable, Equatable {
    /// The provider's name: its key in the `providers` map, the `provider`
    /// field of results and the first word of their routing key.
    public var name: String
    /// The wire protocol. Required for new names.
    ///
    /// YAML `providers.<name>.kind`: `openai`, `anthropic`, `google`,
    /// `openai-compatible` or `builtin`.
    public var kind: ProviderKind
    /// The API's base URL (`http://` or `https://`), e.g.
    /// `https://api.openai.com/v1`. Default: the kind's. Empty for `builtin`.
    ///
    /// YAML `providers.<name>.base_url`.
    public var baseURL: String
    /// The model asked for, e.g. `gpt-4o-mini`. Default: the kind's.
    ///
    /// YAML `providers.<name>.model`.
    public var model: String
    /// The environment variable holding the API key, e.g. `OPENAI_API_KEY`.
    /// Default: the kind's (`nil` for `openai-compatible` and `builtin`).
    ///
    /// YAML `providers.<name>.api_key_env`.
    public var apiKeyEnv: String?
    /// A file whose content (trimmed) is the API key. Default `nil`. Set at
    /// most one of ``apiKeyEnv`` and ``apiKeyFile``.
    ///
    /// YAML `providers.<name>.api_key_file`.
    public var apiKeyFile: String?
    /// Requests allowed in any sliding 60-second window. Defaults: openai
    /// 3500, anthropic 1000, google 300, openai-compatible 600, builtin
    /// 1000000; range 1...1000000.
    ///
    /// YAML `providers.<name>.rpm`, environment e.g.
    /// `TWEETD_PROVIDERS_OPENAI_RPM`.
    public var rpm: Int
    /// Requests allowed in any 1-second window, which spreads a minute's
    /// budget instead of spending it in the first second. Default
    /// `ceil(rpm / 60)` — the steady rate that just reaches ``rpm`` — so
    /// changing `rpm` alone moves it too; range 1...rpm.
    ///
    /// YAML `providers.<name>.burst`.
    public var burst: Int
    /// Tokens allowed per minute (input + output, reserved from an estimate
    /// and corrected from the reported usage), or `nil` for no token limit.
    /// Default `nil`, range 1...1000000000.
    ///
    /// YAML `providers.<name>.tpm`.
    public var tpm: Int?
    /// Seconds one HTTP request may take. Default 30, range 1...600.
    ///
    /// YAML `providers.<name>.timeout_seconds`.
    public var timeoutSeconds: Int
    /// Requests to this provider in flight at once. Default: the same as
    /// `processing.workers`; range 1...4096.
    ///
    /// YAML `providers.<name>.max_concurrency`.
    public var maxConcurrency: Int
    /// Whether the tweet's media URLs are sent along with the text. Default
    /// `false`.
    ///
    /// YAML `providers.<name>.multimodal`.
    public var multimodal: Bool
    /// The `max_tokens` asked for per answer. Default 256, range 1...1000000.
    ///
    /// YAML `providers.<name>.max_output_tokens`.
    public var maxOutputTokens: Int
    /// A prompt replacing the built-in one, or `nil` for the built-in prompt.
    /// Default `nil`.
    ///
    /// YAML `providers.<name>.prompt_template`.
    public var promptTemplate: String?
    /// First cooldown after a 429/529 that names no delay, in seconds; it
    /// doubles (with jitter) on each further one. Default 1, range 1...3600.
    ///
    /// YAML `providers.<name>.cooldown_initial_seconds`.
    public var cooldownInitialSeconds: Int
    /// Longest cooldown, in seconds. Default 60, range 1...86400, at least
    /// ``cooldownInitialSeconds``.
    ///
    /// YAML `providers.<name>.cooldown_max_seconds`.
    public var cooldownMaxSeconds: Int
    /// Whether this provider's limits (rpm, burst, tpm) and cooldowns live in
    /// the broker, shared by every tweetd instance on the same virtual host
    /// that has a shared provider with the same budget name. Default `false`:
    /// a budget in the broker costs a connection and a few queues, and one
    /// instance keeps its limits alone. Changing it needs a restart.
    ///
    /// YAML `providers.<name>.shared`.
    public var shared: Bool
    /// The name of the shared budget, for entries of one API account that
    /// have different names (in one instance or in several). Default: the
    /// provider's name; letters, digits, `_`, `-` and `.`. Changing it needs
    /// a restart.
    ///
    /// YAML `providers.<name>.budget_name`.
    public var budgetName: String?

    /// The shared budget this provider takes from: ``budgetName`` or the name.
    public var effectiveBudgetName: String {
        budgetName ?? name
    }

    /// A provider named `name` with the defaults of `kind`; `workers` (the
    /// default ``maxConcurrency``) is `processing.workers`, 15 by default.
    public init(name: String, kind: ProviderKind, workers: Int = 15) {
        let defaults = kind.defaults
        self.name = name
        self.kind = kind
        self.baseURL = defaults.baseURL
        self.model = defaults.model
        self.apiKeyEnv = defaults.apiKeyEnv
        self.apiKeyFile = nil
        self.rpm = defaults.rpm
        self.burst = Self.defaultBurst(rpm: defaults.rpm)
        self.tpm = nil
        self.timeoutSeconds = 30
        self.maxConcurrency = workers
        self.multimodal = false
        self.maxOutputTokens = 256
        self.promptTemplate = nil
        self.cooldownInitialSeconds = 1
        self.cooldownMaxSeconds = 60
        self.shared = false
        self.budgetName = nil
    }

    /// The default ``burst`` for a given ``rpm``: `ceil(rpm / 60)`, at least 1;
    /// for a ``shared`` provider 8 % more (see ``SharedBudgetPlan/defaultBurst(rpm:)``
    /// for why), never above `rpm`.
    public static func defaultBurst(rpm: Int, shared: Bool = false) -> Int {
        guard shared else { return max(1, (rpm + 59) / 60) }
        return min(max(rpm, 1), max(1, Int((Double(max(rpm, 1)) * 1.08 / 60).rounded(.up))))
    }

    /// The API key: the value of the variable named by ``apiKeyEnv`` in
    /// `environment`, or the trimmed content of ``apiKeyFile``; `nil` when
    /// neither is configured (a local server needing no key).
    ///
    /// - Throws: ``ConfigurationError`` when the variable is unset or empty,
    ///   or the file cannot be read or is empty. The key is never in the
    ///   error.
    public func resolveAPIKey(environment: [String: String]) throws(ConfigurationError) -> String? {
        if let variable = apiKeyEnv {
            let value = ConfigurationValue.trimmed(environment[variable] ?? "")
            guard !value.isEmpty else {
                throw ConfigurationError(
                    key: "providers.\(name).api_key_env",
                    problem: "environment variable \(variable) is not set or empty"
                )
            }
            return value
        }
        if let path = apiKeyFile {
            return try ConfigurationLoader.readSecret(file: path, key: "providers.\(name).api_key_file")
        }
        return nil
    }
}
