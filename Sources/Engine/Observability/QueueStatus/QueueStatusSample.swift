import Foundation

/// The broker's counts for a set of queues at one moment.
public struct QueueStatusSample: Sendable {
    /// One queue's counts.
    public struct Reading: Sendable, Equatable {
        /// Which queue.
        public var queue: MonitoredQueue
        /// Ready messages and consumers; nil when the queue does not exist.
        public var state: QueueState?

        /// Creates a reading.
        public init(queue: MonitoredQueue, state: QueueState?) {
            self.queue = queue
            self.state = state
        }
    }

    /// Wall-clock time of the sample, for people and scripts.
    public var time: Date
    /// Monotonic time of the sample, for rates.
    public var instant: ContinuousClock.Instant
    /// One reading per queue, in the order asked for.
    public var readings: [Reading]

    /// Creates a sample.
    public init(time: Date, instant: ContinuousClock.Instant, readings: [Reading]) {
        self.time = time
        self.instant = instant
        self.readings = readings
    }

    /// Ready messages in the input and retry queues: the work still waiting.
    public var pendingMessages: Int {
        readings.filter(\.queue.holdsPendingWork).compactMap(\.state?.messages).reduce(0, +)
    }
}
