import Yams

extension TweetdConfiguration: CustomStringConvertible {
    /// The effective configuration as YAML, in the layout of `tweetd.yaml`,
    /// for start-up logs. It holds no secret: the broker password shows as
    /// `***`, API keys are only ever named (`api_key_env`, `api_key_file`),
    /// and credentials in a `base_url` are masked.
    /// Derived values (prefetch, burst, max_concurrency) appear resolved; an
    /// unset optional value appears as `null`.
    public func redactedDescription() -> String {
        do {
            return try Yams.serialize(node: redactedNode, indent: 2, width: -1, allowUnicode: true)
        } catch {
            // Not reachable with the nodes built below; never fall back to
            // anything that could show a secret.
            return "(configuration could not be rendered: \(error))\n"
        }
    }

    /// The effective configuration as dotted keys and their values
    /// (`processing.workers` → `15`, `providers.openai.rpm` → `3500`), holding
    /// no secret, like ``redactedDescription()``: for the start-up log line.
    public func redactedSettings() -> [(key: String, value: String)] {
        var settings: [(key: String, value: String)] = []
        func flatten(_ node: Node, prefix: String) {
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    let name = key.string ?? "?"
                    flatten(value, prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
                }
            case .sequence(let sequence):
                settings.append((prefix, "[" + sequence.map { $0.string ?? "?" }.joined(separator: ", ") + "]"))
            case .scalar(let scalar):
                settings.append((prefix, scalar.string))
            }
        }
        flatten(redactedNode, prefix: "")
        return settings
    }

    private var redactedNode: Node {
        Self.mapping([
            ("broker", brokerNode),
            ("topology", topologyNode),
            ("processing", processingNode),
            (
                "providers",
                Self.mapping(
                    providers.keys.sorted().compactMap { name in
                        providers[name].map { (name, Self.node(for: $0)) }
                    }
                )
            ),
            (
                "metrics",
                Self.mapping([
                    ("listen", Self.scalar(metrics.listen?.description ?? "")),
                    ("publish_interval_seconds", Self.scalar(metrics.publishIntervalSeconds)),
                    ("instance", Self.scalar(metrics.instance)),
                ])
            ),
            (
                "log",
                Self.mapping([
                    ("level", Self.scalar(log.level.rawValue)),
                    ("format", Self.scalar(log.format.rawValue)),
                ])
            ),
        ])
    }

    /// The same text as ``redactedDescription()``.
    public var description: String { redactedDescription() }

    private var brokerNode: Node {
        let urls: (String, Node) =
            broker.nodes.count == 1
            ? ("url", Self.scalar(broker.redactedURL))
            : ("urls", Node(broker.redactedURLs.map { Self.scalar($0) }, .implicit, .flow))
        return Self.mapping([
            urls,
            ("node_order", Self.scalar(broker.nodeOrder.rawValue)),
            ("username_env", Self.scalar(broker.usernameEnv)),
            ("password_env", Self.scalar(broker.passwordEnv)),
            ("password_file", Self.scalar(broker.passwordFile)),
            ("heartbeat_seconds", Self.scalar(broker.heartbeatSeconds)),
            ("connect_timeout_seconds", Self.scalar(broker.connectTimeoutSeconds)),
            ("reconnect_initial_delay_ms", Self.scalar(broker.reconnectInitialDelayMilliseconds)),
            ("reconnect_max_delay_seconds", Self.scalar(broker.reconnectMaxDelaySeconds)),
            (
                "tls",
                Self.mapping([
                    ("ca_file", Self.scalar(broker.tls.caFile)),
                    ("cert_file", Self.scalar(broker.tls.certFile)),
                    ("key_file", Self.scalar(broker.tls.keyFile)),
                    ("verify_peer", Self.scalar(broker.tls.verifyPeer)),
                    ("verify_hostname", Self.scalar(broker.tls.verifyHostname)),
                ])
            ),
        ])
    }

    private var topologyNode: Node {
        Self.mapping([
            ("exchange", Self.scalar(topology.exchange)),
            (
                "queues",
                Node(
                    topology.queues.map { queue in
                        Self.mapping([
                            ("name", Self.scalar(queue.name)),
                            ("bindings", Node(queue.bindings.map { Self.scalar($0) }, .implicit, .flow)),
                        ])
                    }
                )
            ),
            ("results_exchange", Self.scalar(topology.resultsExchange)),
            ("results_queue", Self.scalar(topology.resultsQueue ?? "")),
            ("dead_letter_exchange", Self.scalar(topology.deadLetterExchange)),
            ("dead_letter_queue", Self.scalar(topology.deadLetterQueue)),
            ("retry_exchange", Self.scalar(topology.retryExchange)),
            ("metrics_exchange", Self.scalar(topology.metricsExchange)),
            ("max_priority", Self.scalar(topology.maxPriority)),
            ("queue_type", Self.scalar(topology.queueType.rawValue)),
            ("retry_delays_seconds", Node(topology.retryDelaysSeconds.map { Self.scalar($0) }, .implicit, .flow)),
        ])
    }

    private var processingNode: Node {
        Self.mapping([
            ("workers", Self.scalar(processing.workers)),
            ("prefetch", Self.scalar(processing.prefetch)),
            ("max_attempts", Self.scalar(processing.maxAttempts)),
            ("max_message_bytes", Self.scalar(processing.maxMessageBytes)),
            ("max_text_chars", Self.scalar(processing.maxTextChars)),
            ("max_json_depth", Self.scalar(processing.maxJSONDepth)),
            ("shutdown_grace_seconds", Self.scalar(processing.shutdownGraceSeconds)),
            ("max_hold_seconds", Self.scalar(processing.maxHoldSeconds)),
            ("chain", Node(processing.chain.map { Self.scalar($0) }, .implicit, .flow)),
        ])
    }

    private static func node(for provider: ProviderConfiguration) -> Node {
        // The network-free provider uses none of the HTTP and rate-limit keys.
        guard provider.kind != .builtin else {
            return mapping([
                ("kind", scalar(provider.kind.rawValue)),
                ("max_concurrency", scalar(provider.maxConcurrency)),
            ])
        }
        return mapping([
            ("kind", scalar(provider.kind.rawValue)),
            ("base_url", scalar(provider.redactedBaseURL)),
            ("model", scalar(provider.model)),
            ("api_key_env", scalar(provider.apiKeyEnv)),
            ("api_key_file", scalar(provider.apiKeyFile)),
            ("rpm", scalar(provider.rpm)),
            ("burst", scalar(provider.burst)),
            ("tpm", scalar(provider.tpm.map(String.init))),
            ("timeout_seconds", scalar(provider.timeoutSeconds)),
            ("max_concurrency", scalar(provider.maxConcurrency)),
            ("multimodal", scalar(provider.multimodal)),
            ("max_output_tokens", scalar(provider.maxOutputTokens)),
            ("prompt_template", scalar(provider.promptTemplate)),
            ("cooldown_initial_seconds", scalar(provider.cooldownInitialSeconds)),
            ("cooldown_max_seconds", scalar(provider.cooldownMaxSeconds)),
            ("shared", scalar(provider.shared)),
            ("budget_name", scalar(provider.budgetName)),
        ])
    }

    private static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    /// A string, quoted by the emitter when it would otherwise read as
    /// another type (`"10"`, `"true"`, `"#"`).
    private static func scalar(_ string: String) -> Node {
        Node(string, Tag(.str))
    }

    private static func scalar(_ string: String?) -> Node {
        guard let string else { return Node("null", Tag(.null)) }
        return scalar(string)
    }

    private static func scalar(_ number: Int) -> Node {
        Node(String(number), Tag(.int))
    }

    private static func scalar(_ flag: Bool) -> Node {
        Node(flag ? "true" : "false", Tag(.bool))
    }
}
