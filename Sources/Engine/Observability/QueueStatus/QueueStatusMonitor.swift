import Synchronization

/// Samples the monitored queues again and again and reports each sample with rates against the one before.
public final class QueueStatusMonitor: Sendable {
    private let publisher: PublisherConnection
    private let queues: [MonitoredQueue]
    private let broker: String
    private let previous = Mutex<QueueStatusSample?>(nil)

    /// Creates a monitor that reads `queues` through `publisher`'s control channel.
    public init(publisher: PublisherConnection, queues: [MonitoredQueue], broker: String) {
        self.publisher = publisher
        self.queues = queues
        self.broker = broker
    }

    /// Takes a sample and reports it; rates compare it with the previous call's sample.
    public func next() async throws(AMQPError) -> QueueStatusReport {
        let sample = try await publisher.sampleQueues(queues)
        let before = previous.withLock { previous in
            defer { previous = sample }
            return previous
        }
        return QueueStatusReport(sample: sample, previous: before, broker: broker)
    }
}
