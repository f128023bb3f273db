import Foundation
import Logging
import ServiceLifecycle

/// A tap on the results exchange (`tweetd subscribe`): a private queue, bound
/// with the given topic patterns, whose messages go to `onResult` one by one.
///
/// The queue is exclusive and auto-delete, so it lives exactly as long as the
/// connection and never competes with the durable results queue or another
/// subscriber. Each result is acked after `onResult` returns. The run ends after
/// `count` results, on graceful shutdown, or (with an error) when the connection is lost.
public final class ResultSubscriber: Service {
    private let endpoint: AMQPEndpoint
    private let exchange: String
    private let bindings: [String]
    private let count: Int?
    private let prefetch: Int
    private let logger: Logger
    private let onReady: @Sendable (String) -> Void
    private let onResult: @Sendable (Delivery) -> Bool

    /// Creates a subscriber; `run` connects, declares its queue and consumes.
    ///
    /// - Parameters:
    ///   - bindings: topic patterns on the results exchange (`#`, `builtin.negative`, `*.positive`).
    ///   - count: stop after this many results; nil to run until shutdown.
    ///   - onReady: called with the queue's name once it is bound and consumed, so no result published after it is missed.
    ///   - onResult: called for each result, in order; the result is acked when it returns,
    ///     and counts towards `count` when it returns true (false: skipped, for example not JSON).
    public init(
        endpoint: AMQPEndpoint,
        topology: TopologyConfiguration,
        bindings: [String],
        count: Int?,
        exchange: String? = nil,
        prefetch: Int = 64,
        logger: Logger,
        onReady: @escaping @Sendable (String) -> Void = { _ in },
        onResult: @escaping @Sendable (Delivery) -> Bool
    ) {
        self.endpoint = endpoint
        self.exchange = exchange ?? topology.resultsExchange
        self.bindings = bindings.isEmpty ? ["#"] : bindings
        self.count = count
        self.prefetch = prefetch
        self.logger = logger
        self.onReady = onReady
        self.onResult = onResult
    }

    /// Subscribes and hands results to `onResult` until done.
    public func run() async throws {
        let queue = "\(exchange).subscriber.\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: .min ... .max))"
        let (exchange, bindings) = (self.exchange, self.bindings)
        let (deliveries, continuation) = AsyncStream<Delivery>.makeStream()
        let consumer = ConsumerConnection(
            endpoint: endpoint, queues: [queue], prefetch: prefetch, logger: logger,
            onConnect: { admin throws(AMQPError) in
                try admin.declareExchange(exchange, type: "topic")
                try admin.declareQueue(queue, durable: false, exclusive: true, autoDelete: true)
                for binding in bindings {
                    try admin.bindQueue(queue, to: exchange, routingKey: binding)
                }
            },
            onDelivery: { delivery in
                continuation.yield(delivery)
                return true
            }
        )
        try await consumer.start()
        onReady(queue)
        defer { continuation.finish() }

        // Deliveries still buffered at the end go with the exclusive queue, which the broker deletes on close.
        do {
            try await consume(deliveries, from: consumer)
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    /// Hands results over until `count`, graceful shutdown, or a lost connection (which throws).
    private func consume(_ deliveries: AsyncStream<Delivery>, from consumer: ConsumerConnection) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var delivered = 0
                for await delivery in deliveries.cancelOnGracefulShutdown() {
                    let shown = self.onResult(delivery)
                    consumer.ack(delivery)
                    if shown { delivered += 1 }
                    if let count = self.count, delivered >= count { return }
                }
            }
            group.addTask {
                // Without reconnects a lost connection just stops the deliveries: notice it and fail.
                while consumer.isConsuming {
                    try await Task.sleep(for: .milliseconds(200))
                }
                throw AMQPError(.connectionLost, "the subscription to exchange \"\(self.exchange)\" ended: the connection to the broker closed")
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
