import Synchronization

/// Samples the monitored queues again and again and reports each sample with rates against the one before.
public final class QueueStatusMonitor: Sendable {
    private let publisher: PublisherConnection
    private let queues: [MonitoredQueue]
    private let broker: String
    private let budgets: [SharedBudgetDefinition]
    private let previous = Mutex<QueueStatusSample?>(nil)

    /// Creates a monitor that reads `queues`, and the shared `budgets`, through `publisher`'s control channel.
    public init(publisher: PublisherConnection, queues: [MonitoredQueue], broker: String, budgets: [SharedBudgetDefinition] = []) {
        self.publisher = publisher
        self.queues = queues
        self.broker = broker
        self.budgets = budgets
    }

    /// Takes a sample and reports it; rates compare it with the previous call's sample.
    public func next() async throws(AMQPError) -> QueueStatusReport {
        let sample = try await publisher.sampleQueues(queues)
        let before = previous.withLock { previous in
            defer { previous = sample }
            return previous
        }
        var report = QueueStatusReport(sample: sample, previous: before, broker: broker)
        if !budgets.isEmpty {
            let budgets = self.budgets
            report.budgets = try await publisher.perform { admin throws(AMQPError) in
                var statuses: [SharedBudgetStatus] = []
                for budget in budgets {
                    statuses.append(try SharedBudgetStatus.inspect(budget, with: admin))
                }
                return statuses
            }
        }
        return report
    }
}
