/// The runtime values the configuration stands for.
extension TweetdConfiguration {
    /// Where and how to reach the broker: its nodes in the order connections try them.
    ///
    /// With `node_order: random` the list starts at a node picked once per process, so
    /// every connection of this process starts at the same node (an operator finds all of
    /// them on one node) while many instances spread over the cluster.
    public var endpoint: AMQPEndpoint {
        let endpoint = AMQPEndpoint(
            nodes: broker.nodes,
            virtualHost: broker.virtualHost,
            username: broker.username,
            password: broker.password,
            heartbeatSeconds: broker.heartbeatSeconds,
            connectTimeoutSeconds: Double(broker.connectTimeoutSeconds),
            tls: broker.useTLS
                ? AMQPEndpoint.TLS(
                    caFile: broker.tls.caFile, certFile: broker.tls.certFile, keyFile: broker.tls.keyFile,
                    verifyPeer: broker.tls.verifyPeer, verifyHostname: broker.tls.verifyHostname
                )
                : nil
        )
        switch broker.nodeOrder {
        case .listed: return endpoint
        case .random: return endpoint.rotated(toStartAt: Self.processNodeOffset % broker.nodes.count)
        }
    }

    /// Picked once per process: where `node_order: random` starts.
    private static let processNodeOffset = Int.random(in: 0..<(1 << 30))

    /// How long-running connections reconnect.
    public var reconnectSettings: ReconnectSettings {
        ReconnectSettings(
            initialDelay: .milliseconds(broker.reconnectInitialDelayMilliseconds),
            maximumDelay: .seconds(broker.reconnectMaxDelaySeconds)
        )
    }

    /// The decoder that enforces the input contract's limits.
    public var tweetDecoder: TweetDecoder {
        TweetDecoder(
            maxMessageBytes: processing.maxMessageBytes,
            maxTextCharacters: processing.maxTextChars,
            maxDepth: processing.maxJSONDepth
        )
    }

    /// The pipeline's settings, in drain mode or not.
    ///
    /// Bodies up to four times `max_message_bytes` are read, so the usual too-large tweet
    /// still becomes tweetd's own `invalid_input` dead letter with its body; larger ones are
    /// rejected unread, which bounds memory at prefetch × that size whatever producers send.
    public func pipelineSettings(drain: Bool) -> PipelineSettings {
        PipelineSettings(
            workers: processing.workers, prefetch: processing.prefetch, drain: drain, maxAttempts: processing.maxAttempts,
            bodyReadLimit: processing.maxMessageBytes.multipliedReportingOverflow(by: 4).partialValue
        )
    }
}
