import Foundation

extension PublisherConnection {
    /// Reads the ready-message and consumer counts of `queues` with passive declares,
    /// all in one trip to the connection thread; a queue that does not exist reads as nil.
    public func sampleQueues(_ queues: [MonitoredQueue]) async throws(AMQPError) -> QueueStatusSample {
        let readings = try await perform { admin throws(AMQPError) in
            var readings: [QueueStatusSample.Reading] = []
            for queue in queues {
                do throws(AMQPError) {
                    readings.append(.init(queue: queue, state: try admin.inspectQueue(queue.name)))
                } catch where error.replyCode == 404 {
                    // The broker closed the control channel; the next inspect reopens it.
                    readings.append(.init(queue: queue, state: nil))
                }
            }
            return readings
        }
        return QueueStatusSample(time: Date(), instant: .now, readings: readings)
    }
}
