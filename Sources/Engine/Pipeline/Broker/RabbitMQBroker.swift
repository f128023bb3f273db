import Logging

/// The production ``MessageBroker``: a consumer connection and a publisher connection to RabbitMQ,
/// each on its own thread, both declaring tweetd's topology whenever they (re)connect.
public struct RabbitMQBroker: MessageBroker {
    private let endpoint: AMQPEndpoint
    private let topology: TopologyConfiguration
    private let reconnect: ReconnectSettings
    private let metrics: TweetdMetrics
    private let logger: Logger

    /// Creates the broker's description; nothing connects until the pipeline starts its connections.
    public init(
        endpoint: AMQPEndpoint, topology: TopologyConfiguration, reconnect: ReconnectSettings = ReconnectSettings(),
        metrics: TweetdMetrics = .discarding(), logger: Logger
    ) {
        self.endpoint = endpoint
        self.topology = topology
        self.reconnect = reconnect
        self.metrics = metrics
        self.logger = logger
    }

    public var redactedDescription: String { endpoint.redactedDescription }

    public func makeSource(consuming queues: [String], prefetch: Int, bodyReadLimit: Int?, handler: DeliveryHandler) -> any DeliverySource {
        let topology = self.topology
        return ConsumerConnection(
            endpoint: endpoint, queues: queues, prefetch: prefetch, reconnect: reconnect, logger: logger,
            onConnect: { admin throws(AMQPError) in try topology.declare(using: admin) },
            onDelivery: handler.deliver,
            onConnectionLost: handler.connectionLost,
            bodyReadLimit: bodyReadLimit
        )
    }

    public func makeSink() -> any MessageSink {
        let topology = self.topology
        let metrics = self.metrics
        return PublisherConnection(
            endpoint: endpoint, name: "publisher", reconnect: reconnect, logger: logger,
            onConnect: { admin throws(AMQPError) in try topology.declare(using: admin) },
            onConfirmLatency: { metrics.publishConfirmed(after: $0) }
        )
    }
}

extension ConsumerConnection: DeliverySource {}

extension PublisherConnection: MessageSink {
    public func messageCount(in queues: [String]) async throws(AMQPError) -> Int {
        try await perform { admin throws(AMQPError) in
            var total = 0
            for queue in queues {
                total += try admin.inspectQueue(queue).messages
            }
            return total
        }
    }
}
