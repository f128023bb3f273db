/// Every configuration key: its dotted path, its type and range, and where
/// it goes in ``TweetdConfiguration``. The YAML walker, the environment and
/// the overrides all go through this one table.
enum ConfigurationSchema {
    /// A key and how a raw value becomes part of `Root`. `apply` checks the
    /// value (type, range) and reports errors under the key it is given —
    /// the YAML path, variable or override key the value came from.
    struct Setting<Root> {
        /// The dotted path (`processing.workers`), or for provider settings
        /// the key inside a provider entry (`rpm`).
        let path: String
        let apply: (inout Root, ConfigurationValue, String) throws(ConfigurationError) -> Void
    }

    /// The top-level sections, in file order.
    static let sections = ["broker", "topology", "processing", "providers", "metrics", "log"]

    /// Key names that would put a secret into the file.
    static let secretKeys = ["api_key", "password", "secret"]

    /// The settings outside `providers`, in file order.
    static var settings: [Setting<TweetdConfiguration>] {
        typealias S = Setting<TweetdConfiguration>
        return [
            S.custom("broker.url") { config, value, key throws(ConfigurationError) in
                try config.broker.setURL(try value.string(key), key: key)
            },
            S.custom("broker.urls") { config, value, key throws(ConfigurationError) in
                try config.broker.setURLs(try brokerURLs(value, key: key), key: key)
            },
            S.choice("broker.node_order", \.broker.nodeOrder),
            S.environmentVariable("broker.username_env", \.broker.usernameEnv),
            S.environmentVariable("broker.password_env", \.broker.passwordEnv),
            S.optionalString("broker.password_file", \.broker.passwordFile),
            S.integer(
                "broker.heartbeat_seconds", \.broker.heartbeatSeconds, 1...3600,
                because: "without heartbeats a connection the network dropped silently is never noticed"
            ),
            S.integer("broker.connect_timeout_seconds", \.broker.connectTimeoutSeconds, 1...600),
            S.integer("broker.reconnect_initial_delay_ms", \.broker.reconnectInitialDelayMilliseconds, 1...60000),
            S.integer("broker.reconnect_max_delay_seconds", \.broker.reconnectMaxDelaySeconds, 1...3600),
            S.optionalString("broker.tls.ca_file", \.broker.tls.caFile),
            S.optionalString("broker.tls.cert_file", \.broker.tls.certFile),
            S.optionalString("broker.tls.key_file", \.broker.tls.keyFile),
            S.boolean("broker.tls.verify_peer", \.broker.tls.verifyPeer),
            S.boolean("broker.tls.verify_hostname", \.broker.tls.verifyHostname),

            S.amqpName("topology.exchange", \.topology.exchange),
            S.custom("topology.queues") { config, value, key throws(ConfigurationError) in
                config.topology.queues = try queues(value, key: key)
            },
            S.amqpName("topology.results_exchange", \.topology.resultsExchange),
            S.custom("topology.results_queue") { config, value, key throws(ConfigurationError) in
                config.topology.resultsQueue = value.isEmpty ? nil : try amqpName(value, key: key)
            },
            S.amqpName("topology.dead_letter_exchange", \.topology.deadLetterExchange),
            S.amqpName("topology.dead_letter_queue", \.topology.deadLetterQueue),
            S.amqpName("topology.retry_exchange", \.topology.retryExchange),
            S.amqpName("topology.metrics_exchange", \.topology.metricsExchange),
            S.integer("topology.max_priority", \.topology.maxPriority, 1...255),
            S.choice("topology.queue_type", \.topology.queueType),
            S.custom("topology.retry_delays_seconds") { config, value, key throws(ConfigurationError) in
                config.topology.retryDelaysSeconds = try retryDelays(value, key: key)
            },

            S.integer("processing.workers", \.processing.workers, 1...4096),
            S.integer("processing.prefetch", \.processing.prefetch, 1...65535),
            S.integer("processing.max_attempts", \.processing.maxAttempts, 1...100),
            S.integer("processing.max_message_bytes", \.processing.maxMessageBytes, 1024...134_217_728),
            S.integer("processing.max_text_chars", \.processing.maxTextChars, 1...1_000_000),
            S.integer("processing.max_json_depth", \.processing.maxJSONDepth, 2...1000),
            S.integer(
                "processing.shutdown_grace_seconds", \.processing.shutdownGraceSeconds, 0...300,
                because: "with 5 s of cancellation after it, a stop must end within tweetd.service's TimeoutStopSec=330s"
            ),
            S.integer(
                "processing.max_hold_seconds", \.processing.maxHoldSeconds, 1...900,
                because: "RabbitMQ closes the channel of a delivery unacknowledged past its consumer_timeout"
                    + " (1800 s by default) and redelivers everything on it"
            ),
            S.custom("processing.chain") { config, value, key throws(ConfigurationError) in
                config.processing.chain = try chain(value, key: key)
            },

            S.custom("metrics.listen") { config, value, key throws(ConfigurationError) in
                config.metrics.listen =
                    value.isEmpty ? nil : try MetricsConfiguration.ListenAddress(parsingListenAddress: value.string(key), key: key)
            },
            S.integer("metrics.publish_interval_seconds", \.metrics.publishIntervalSeconds, 0...3600),
            S.custom("metrics.instance") { config, value, key throws(ConfigurationError) in
                config.metrics.instance = try instance(value, key: key)
            },

            S.choice("log.level", \.log.level),
            S.choice("log.format", \.log.format),
        ]
    }

    /// The keys of one `providers.<name>` entry.
    static var providerSettings: [Setting<ProviderConfiguration>] {
        typealias S = Setting<ProviderConfiguration>
        return [
            S.choice("kind", \.kind),
            S.custom("base_url") { provider, value, key throws(ConfigurationError) in
                let url = try value.string(key)
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > "https://".count else {
                    throw ConfigurationError(
                        key: key,
                        problem: "expected an http:// or https:// URL, got "
                            + ConfigurationValue.quoted(ProviderConfiguration.redacted(url: url))
                    )
                }
                provider.baseURL = url
            },
            S.string("model", \.model),
            S.environmentVariable("api_key_env", \.apiKeyEnv),
            S.optionalString("api_key_file", \.apiKeyFile),
            S.integer("rpm", \.rpm, 1...1_000_000),
            S.integer("burst", \.burst, 1...1_000_000),
            S.optionalInteger("tpm", \.tpm, 1...1_000_000_000),
            S.integer("timeout_seconds", \.timeoutSeconds, 1...600),
            S.integer("max_concurrency", \.maxConcurrency, 1...4096),
            S.boolean("multimodal", \.multimodal),
            S.integer("max_output_tokens", \.maxOutputTokens, 1...1_000_000),
            S.optionalString("prompt_template", \.promptTemplate),
            S.integer("cooldown_initial_seconds", \.cooldownInitialSeconds, 1...3600),
            S.integer("cooldown_max_seconds", \.cooldownMaxSeconds, 1...86400),
            S.boolean("shared", \.shared),
            S.custom("budget_name") { provider, value, key throws(ConfigurationError) in
                guard let name = try value.optionalString(key) else {
                    provider.budgetName = nil
                    return
                }
                let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
                guard !name.isEmpty, name.count <= 100, name.allSatisfy(allowed.contains) else {
                    throw ConfigurationError(
                        key: key,
                        problem: "expected 1 to 100 letters, digits, _, - or ., got " + ConfigurationValue.quoted(name)
                    )
                }
                provider.budgetName = name
            },
        ]
    }

    // MARK: - Lookup

    static func setting(at path: String) -> Setting<TweetdConfiguration>? {
        settings.first { $0.path == path }
    }

    /// The setting whose environment name (after `TWEETD_`) is `name`.
    static func setting(environmentName name: String) -> Setting<TweetdConfiguration>? {
        settings.first { environmentName(of: $0.path) == name }
    }

    static func providerSetting(_ key: String) -> Setting<ProviderConfiguration>? {
        providerSettings.first { $0.path == key }
    }

    /// Whether `path` holds further keys (`broker.tls`).
    static func isGroup(_ path: String) -> Bool {
        settings.contains { $0.path.hasPrefix(path + ".") }
    }

    /// The names directly under `path` (`broker` → `url`, …, `tls`).
    static func keys(under path: String) -> [String] {
        var names: [String] = []
        for setting in settings where setting.path.hasPrefix(path + ".") {
            let name = String(setting.path.dropFirst(path.count + 1).prefix { $0 != "." })
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// `broker.tls.ca_file` → `BROKER_TLS_CA_FILE`.
    static func environmentName(of path: String) -> String {
        path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// `my-local` → `MY_LOCAL`.
    static func environmentName(ofProvider name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    // MARK: - Errors

    /// Throws when `name` is a key that would hold a secret.
    static func rejectSecret(named name: String, path: String, section: String? = nil) throws(ConfigurationError) {
        guard secretKeys.contains(name.lowercased()) else { return }
        let scope = section ?? String(path.prefix { $0 != "." })
        let instead = scope == "broker" ? "password_env or password_file" : "api_key_env or api_key_file"
        throw ConfigurationError(key: path, problem: "secrets belong in the environment or a file: use \(instead)")
    }

    /// An unknown-key error, suggesting the closest of `candidates` when one
    /// is near `typed` (the last word of `key` by default).
    static func unknownKey(
        _ key: String,
        typed: String? = nil,
        among candidates: [String],
        problem: String = "unknown key"
    ) -> ConfigurationError {
        let typed = typed ?? String(key.split(separator: ".").last ?? Substring(key))
        let scored = candidates.map { ($0, editDistance(typed.lowercased(), $0.lowercased())) }
        if let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, typed.count / 4) {
            return ConfigurationError(key: key, problem: "\(problem) (did you mean \(best.0)?)")
        }
        return ConfigurationError(key: key, problem: problem)
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Provider names go into routing keys, metric labels and variable
    /// names: keep them to lowercase letters, digits, `-` and `_`.
    static func checkProviderName(_ name: String, key: String) throws(ConfigurationError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard allowed, let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 64 else {
            throw ConfigurationError(
                key: key,
                problem: "provider names start with a lowercase letter and use only a-z, 0-9, '-' and '_'"
                    + " (at most 64), got \(ConfigurationValue.quoted(name))"
            )
        }
    }

    // MARK: - Compound values

    typealias Queue = TopologyConfiguration.Queue

    /// An exchange or queue name: 1 to 255 bytes, not in the broker's
    /// reserved `amq.` namespace.
    static func amqpName(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> String {
        let name = try value.string(key)
        guard name.utf8.count <= 255 else {
            throw ConfigurationError(key: key, problem: "names are at most 255 bytes, got \(name.utf8.count)")
        }
        guard !name.hasPrefix("amq.") else {
            throw ConfigurationError(key: key, problem: "names starting with \"amq.\" are reserved by the broker")
        }
        return name
    }

    /// `topology.queues`: a YAML list of `{name, bindings}`, or text
    /// `name[=pattern|pattern],…`.
    static func queues(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> [Queue] {
        let whenEmpty = "expected at least one input queue"
        return try value.list(key, whenEmpty: whenEmpty) { item, itemKey, earlier throws(ConfigurationError) in
            let queue: Queue
            if case .text(let text) = item {
                queue = try parseQueue(text: text, key: itemKey)
            } else {
                queue = try parseQueue(yaml: item, key: itemKey)
            }
            if earlier.contains(where: { $0.name == queue.name }) {
                throw ConfigurationError(
                    key: itemKey,
                    problem: "queue \(ConfigurationValue.quoted(queue.name)) is listed twice"
                )
            }
            return queue
        }
    }

    private static func parseQueue(yaml item: ConfigurationValue, key: String) throws(ConfigurationError) -> Queue {
        var name: String?
        var bindings = ["#"]
        guard case .mapping = item else {
            throw ConfigurationError(key: key, problem: "expected a mapping with name and bindings, got \(item.shown)")
        }
        for (field, value) in try item.pairs(key) {
            let fieldKey = "\(key).\(field)"
            try rejectSecret(named: field, path: fieldKey, section: "topology")
            switch field {
            case "name":
                name = try amqpName(value, key: fieldKey)
            case "bindings":
                bindings = try patterns(value, key: fieldKey)
            default:
                throw unknownKey(fieldKey, typed: field, among: ["name", "bindings"])
            }
        }
        guard let name else {
            throw ConfigurationError(key: "\(key).name", problem: "required")
        }
        return Queue(name: name, bindings: bindings)
    }

    private static func parseQueue(text: String, key: String) throws(ConfigurationError) -> Queue {
        guard let equals = text.firstIndex(of: "=") else {
            return Queue(name: try amqpName(.text(text), key: key))
        }
        let name = try amqpName(.text(ConfigurationValue.trimmed(text[..<equals])), key: key)
        let list = text[text.index(after: equals)...].split(separator: "|", omittingEmptySubsequences: false)
        let bindings = list.map { ConfigurationValue.text(ConfigurationValue.trimmed($0)) }
        return Queue(name: name, bindings: try patterns(.list(bindings), key: key))
    }

    private static func patterns(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> [String] {
        let whenEmpty = "expected at least one topic pattern (\"#\" matches every routing key)"
        return try value.list(key, whenEmpty: whenEmpty) { item, itemKey, _ throws(ConfigurationError) in
            let pattern = try item.string(itemKey)
            guard pattern.utf8.count <= 255 else {
                throw ConfigurationError(key: itemKey, problem: "binding patterns are at most 255 bytes")
            }
            return pattern
        }
    }

    /// `topology.retry_delays_seconds`: non-empty, each 1...86400, strictly
    /// increasing.
    static func retryDelays(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> [Int] {
        let whenEmpty = "expected at least one delay"
        return try value.list(key, whenEmpty: whenEmpty) { item, itemKey, earlier throws(ConfigurationError) in
            let delay = try item.integer(itemKey, in: 1...86400)
            if let previous = earlier.last, delay <= previous {
                throw ConfigurationError(
                    key: itemKey,
                    problem: "delays must increase strictly, got \(delay) after \(previous)"
                )
            }
            return delay
        }
    }

    /// `broker.urls`: a list of URLs, or one URL (comma-separated from the environment).
    /// Errors never show the value: a URL may hold the password.
    static func brokerURLs(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> [String] {
        let shapeProblem = "expected a list of amqp:// or amqps:// URLs"
        let list: ConfigurationValue
        switch value {
        case .list, .text: list = value
        case .scalar(let text): list = .text(text)
        default: throw ConfigurationError(key: key, problem: shapeProblem)
        }
        return try list.list(key, whenEmpty: "expected at least one amqp:// or amqps:// URL") {
            item, itemKey, _ throws(ConfigurationError) in
            guard let url = item.string else { throw ConfigurationError(key: itemKey, problem: "expected an amqp:// or amqps:// URL") }
            return url
        }
    }

    /// `processing.chain`: provider names, no duplicates. Whether they exist
    /// is checked once all providers are known.
    static func chain(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> [String] {
        let whenEmpty = "expected at least one provider (builtin needs no network)"
        return try value.list(key, whenEmpty: whenEmpty) { item, itemKey, earlier throws(ConfigurationError) in
            let name = try item.string(itemKey)
            guard !earlier.contains(name) else {
                throw ConfigurationError(
                    key: itemKey,
                    problem: "provider \(ConfigurationValue.quoted(name)) is listed twice"
                )
            }
            return name
        }
    }

    /// `metrics.instance`: a word for routing keys and labels.
    static func instance(_ value: ConfigurationValue, key: String) throws(ConfigurationError) -> String? {
        guard let name = try value.optionalString(key) else { return nil }
        guard name.count <= 200,
            !name.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.value < 0x20 || "#*".unicodeScalars.contains($0)
            })
        else {
            throw ConfigurationError(
                key: key,
                problem: "expected at most 200 characters without spaces, '#' or '*', got \(value.shown)"
            )
        }
        return name
    }
}

// MARK: - Setting factories

extension ConfigurationSchema.Setting {
    typealias Apply = (inout Root, ConfigurationValue, String) throws(ConfigurationError) -> Void

    static func custom(_ path: String, _ apply: @escaping Apply) -> Self {
        Self(path: path, apply: apply)
    }

    /// A whole number within `range`; `reason` says why a value outside it
    /// is refused when the limit comes from the broker or the service manager.
    static func integer(
        _ path: String, _ field: WritableKeyPath<Root, Int>, _ range: ClosedRange<Int>, because reason: String? = nil
    ) -> Self {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try value.integer(key, in: range, because: reason)
        }
    }

    static func optionalInteger(_ path: String, _ field: WritableKeyPath<Root, Int?>, _ range: ClosedRange<Int>) -> Self
    {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try value.optionalInteger(key, in: range)
        }
    }

    static func boolean(_ path: String, _ field: WritableKeyPath<Root, Bool>) -> Self {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try value.boolean(key)
        }
    }

    static func string(_ path: String, _ field: WritableKeyPath<Root, String>) -> Self {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try value.string(key)
        }
    }

    static func optionalString(_ path: String, _ field: WritableKeyPath<Root, String?>) -> Self {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try value.optionalString(key)
        }
    }

    static func amqpName(_ path: String, _ field: WritableKeyPath<Root, String>) -> Self {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try ConfigurationSchema.amqpName(value, key: key)
        }
    }

    static func choice<E: RawRepresentable & CaseIterable>(_ path: String, _ field: WritableKeyPath<Root, E>) -> Self
    where E.RawValue == String {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            root[keyPath: field] = try value.choice(key, of: E.self)
        }
    }

    /// The name of an environment variable. The value is never echoed: a
    /// common slip is to paste the secret itself here.
    static func environmentVariable(_ path: String, _ field: WritableKeyPath<Root, String?>) -> Self {
        Self(path: path) { root, value, key throws(ConfigurationError) in
            guard let name = try value.optionalString(key) else {
                root[keyPath: field] = nil
                return
            }
            let valid = name.unicodeScalars.allSatisfy {
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
            }
            guard valid, let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
                throw ConfigurationError(
                    key: key,
                    problem: "expected the name of an environment variable (letters, digits and '_'), not its value"
                )
            }
            root[keyPath: field] = name
        }
    }
}
