extension TopologyConfiguration {
    /// Every queue `tweetd status` reports: the input queues, the retry queues,
    /// the dead-letter queue, and the results queue when one is configured.
    public var monitoredQueues: [MonitoredQueue] {
        inputQueueNames.map { MonitoredQueue(name: $0, role: .input) }
            + retryQueues.map { MonitoredQueue(name: $0, role: .retry) }
            + [MonitoredQueue(name: deadLetterQueue, role: .deadLetter)]
            + (resultsQueue.map { [MonitoredQueue(name: $0, role: .results)] } ?? [])
    }
}
