/// Everything tweetd can be configured with, one property per section of
/// `tweetd.yaml`.
///
/// ``init()`` gives the documented defaults; ``load(yaml:environment:overrides:)``
/// and ``load(file:environment:overrides:)`` build the effective
/// configuration from, in increasing precedence:
///
/// 1. the defaults;
/// 2. the YAML file;
/// 3. the environment: `MAX_WORKERS` and `BATCH_SIZE` (the original
///    pipeline's names), then `TWEETD_<SECTION>_<KEY>` variables, which win
///    over those two;
/// 4. explicit overrides (command-line flags), keyed by dotted path.
///
/// See `config/tweetd.yaml` for every key with its default.
public struct TweetdConfiguration: Sendable, Equatable {
    /// The `broker` section: RabbitMQ address, credentials, heartbeats, TLS.
    public var broker: BrokerConfiguration
    /// The `topology` section: exchange and queue names, priorities, retries.
    public var topology: TopologyConfiguration
    /// The `processing` section: workers, limits, attempts, provider chain.
    public var processing: ProcessingConfiguration
    /// The `providers` section, by name. Always holds the built-in providers
    /// `builtin`, `openai`, `anthropic`, `google` and `local`, plus any the
    /// configuration adds.
    public var providers: [String: ProviderConfiguration]
    /// The `metrics` section: HTTP listener and published snapshots.
    public var metrics: MetricsConfiguration
    /// The `log` section: level and format.
    public var log: LogConfiguration

    /// The documented defaults, with no file and no environment.
    public init() {
        self.broker = BrokerConfiguration()
        self.topology = TopologyConfiguration()
        self.processing = ProcessingConfiguration()
        self.metrics = MetricsConfiguration()
        self.log = LogConfiguration()
        var providers: [String: ProviderConfiguration] = [:]
        for (name, kind) in Self.builtInProviders {
            providers[name] = ProviderConfiguration(name: name, kind: kind, workers: processing.workers)
        }
        self.providers = providers
    }

    /// The providers that exist without being configured, and their kinds.
    static let builtInProviders: [(name: String, kind: ProviderKind)] = [
        ("builtin", .builtin),
        ("openai", .openai),
        ("anthropic", .anthropic),
        ("google", .google),
        ("local", .openaiCompatible),
    ]

    /// Builds the effective configuration: defaults ← `yaml` (when not `nil`;
    /// empty text or only comments means defaults) ← `environment` ←
    /// `overrides`, then validates it and reads the broker credentials named
    /// by `broker.username_env`, `broker.password_env` and
    /// `broker.password_file`.
    ///
    /// - Parameters:
    ///   - yaml: The text of a configuration file, or `nil` for none.
    ///   - environment: The process environment (`ProcessInfo.processInfo.environment`).
    ///     `TWEETD_<SECTION>_<KEY>` sets a key: the dotted path upper-cased
    ///     with `_` for `.` (`TWEETD_BROKER_TLS_CA_FILE`), provider names
    ///     upper-cased with `_` for `-` (`TWEETD_PROVIDERS_OPENAI_RPM`), lists
    ///     comma-separated (`TWEETD_PROCESSING_CHAIN=openai,local`).
    ///     Variables whose next word is not a section name
    ///     (`TWEETD_CONFIG`, `TWEETD_TEST_…`) are ignored; an unknown key in
    ///     a known section is an error.
    ///   - overrides: Values from command-line flags by dotted key
    ///     (`processing.workers`, `broker.tls.ca_file`, `providers.openai.rpm`),
    ///     written as in the environment.
    /// - Throws: ``ConfigurationError`` naming the first bad key.
    public static func load(
        yaml: String?,
        environment: [String: String],
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> TweetdConfiguration {
        try load(yaml: yaml, source: "yaml", environment: environment, overrides: overrides)
    }

    /// Reads the YAML file at `path` (no file when `nil`) and builds the
    /// effective configuration as ``load(yaml:environment:overrides:)`` does.
    ///
    /// - Throws: ``ConfigurationError`` naming `path` when the file is
    ///   missing, unreadable or not valid YAML, else the first bad key.
    public static func load(
        file path: String?,
        environment: [String: String],
        overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> TweetdConfiguration {
        guard let path else {
            return try load(yaml: nil, source: "yaml", environment: environment, overrides: overrides)
        }
        let text = try ConfigurationLoader.readText(at: path, key: path, what: "the configuration file")
        return try load(yaml: text, source: path, environment: environment, overrides: overrides)
    }

    private static func load(
        yaml: String?,
        source: String,
        environment: [String: String],
        overrides: [String: String]
    ) throws(ConfigurationError) -> TweetdConfiguration {
        var loader = ConfigurationLoader()
        if let yaml, let tree = try ConfigurationValue.parse(yaml: yaml, source: source) {
            try loader.apply(yaml: tree, source: source)
        }
        try loader.apply(environment: environment)
        try loader.apply(overrides: overrides)
        return try loader.finish(environment: environment)
    }
}
