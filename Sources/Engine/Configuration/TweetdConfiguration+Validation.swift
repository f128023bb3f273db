import Foundation

extension TweetdConfiguration {
    /// Checks what no single key can check alone: names that must differ,
    /// settings that go in pairs, files that must be readable, and chain
    /// entries that must name a provider. Each key's own type and range were
    /// checked when it was set.
    func validate() throws(ConfigurationError) {
        try validateBroker()
        try validateTopology()
        try validateProviders()
        try validateSharedBudgets()
        try validateChain()
    }

    private func validateBroker() throws(ConfigurationError) {
        if broker.reconnectInitialDelayMilliseconds > broker.reconnectMaxDelaySeconds * 1000 {
            throw ConfigurationError(
                key: "broker.reconnect_initial_delay_ms",
                problem: "must not exceed broker.reconnect_max_delay_seconds (\(broker.reconnectMaxDelaySeconds) s),"
                    + " got \(broker.reconnectInitialDelayMilliseconds) ms"
            )
        }
        // TLS settings only matter for amqps://, so a plain URL (a local test
        // broker, say) may keep them.
        guard broker.useTLS else { return }
        let tls = broker.tls
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            throw ConfigurationError(
                key: tls.certFile == nil ? "broker.tls.cert_file" : "broker.tls.key_file",
                problem: "a client certificate needs both broker.tls.cert_file and broker.tls.key_file"
            )
        }
        if tls.verifyPeer, tls.caFile == nil {
            throw ConfigurationError(
                key: "broker.tls.ca_file",
                problem:
                    "required with amqps:// while verify_peer is true (librabbitmq does not load the system CA store)"
            )
        }
        for (key, path) in [
            ("broker.tls.ca_file", tls.caFile), ("broker.tls.cert_file", tls.certFile),
            ("broker.tls.key_file", tls.keyFile),
        ] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError(key: key, problem: "cannot read \(path)")
            }
        }
    }

    private func validateTopology() throws(ConfigurationError) {
        let exchanges = [
            ("topology.exchange", topology.exchange),
            ("topology.results_exchange", topology.resultsExchange),
            ("topology.dead_letter_exchange", topology.deadLetterExchange),
            ("topology.retry_exchange", topology.retryExchange),
            ("topology.metrics_exchange", topology.metricsExchange),
        ]
        try requireDistinct(exchanges, what: "exchange")
        var queues = topology.queues.enumerated().map { ("topology.queues[\($0.offset)].name", $0.element.name) }
        if let results = topology.resultsQueue {
            queues.append(("topology.results_queue", results))
        }
        queues.append(("topology.dead_letter_queue", topology.deadLetterQueue))
        try requireDistinct(queues, what: "queue")
    }

    private func requireDistinct(_ names: [(key: String, name: String)], what: String) throws(ConfigurationError) {
        for (index, entry) in names.enumerated() {
            if let earlier = names[..<index].first(where: { $0.name == entry.name }) {
                throw ConfigurationError(
                    key: entry.key,
                    problem: "\(what) \(ConfigurationValue.quoted(entry.name)) is already used by \(earlier.key)"
                )
            }
        }
    }

    private func validateProviders() throws(ConfigurationError) {
        for name in providers.keys.sorted() {
            guard let provider = providers[name] else { continue }
            let prefix = "providers.\(name)"
            if name == "builtin", provider.kind != .builtin {
                throw ConfigurationError(key: "\(prefix).kind", problem: "the builtin provider's kind is builtin")
            }
            if provider.kind != .builtin {
                if provider.baseURL.isEmpty {
                    throw ConfigurationError(
                        key: "\(prefix).base_url",
                        problem: "required for kind \(provider.kind.rawValue)"
                    )
                }
                if provider.model.isEmpty {
                    throw ConfigurationError(
                        key: "\(prefix).model",
                        problem: "required for kind \(provider.kind.rawValue)"
                    )
                }
            }
            if provider.apiKeyEnv != nil, provider.apiKeyFile != nil {
                throw ConfigurationError(
                    key: "\(prefix).api_key_file",
                    problem: "set only one of api_key_env and api_key_file"
                )
            }
            if provider.burst > provider.rpm {
                throw ConfigurationError(
                    key: "\(prefix).burst",
                    problem: "must not exceed rpm (\(provider.rpm)), got \(provider.burst)"
                )
            }
            if provider.cooldownInitialSeconds > provider.cooldownMaxSeconds {
                throw ConfigurationError(
                    key: "\(prefix).cooldown_initial_seconds",
                    problem: "must not exceed cooldown_max_seconds (\(provider.cooldownMaxSeconds)),"
                        + " got \(provider.cooldownInitialSeconds)"
                )
            }
        }
    }

    /// Shared providers with one budget name in one configuration must agree on its limits:
    /// the budget has one refill rate.
    private func validateSharedBudgets() throws(ConfigurationError) {
        var first: [String: ProviderConfiguration] = [:]
        for name in providers.keys.sorted() {
            guard let provider = providers[name], provider.shared, provider.kind != .builtin else { continue }
            let budget = provider.effectiveBudgetName
            guard let other = first[budget] else {
                first[budget] = provider
                continue
            }
            if other.rpm != provider.rpm || other.burst != provider.burst || other.tpm != provider.tpm {
                throw ConfigurationError(
                    key: "providers.\(name).budget_name",
                    problem: "shares budget \(ConfigurationValue.quoted(budget)) with \(other.name), so rpm, burst and tpm must be the same"
                )
            }
        }
    }

    private func validateChain() throws(ConfigurationError) {
        for (index, name) in processing.chain.enumerated() where providers[name] == nil {
            let known = providers.keys.sorted().joined(separator: ", ")
            throw ConfigurationError(
                key: "processing.chain[\(index)]",
                problem: "unknown provider \(ConfigurationValue.quoted(name)) (known: \(known))"
            )
        }
    }
}
