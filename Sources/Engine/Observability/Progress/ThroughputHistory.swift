import Foundation
import Synchronization

/// Throughput and worker utilisation over the last minutes, one point per
/// sample, for the dashboard's chart.
public final class ThroughputHistory: Sendable {
    /// Rates over the interval that ended at `time`.
    public struct Point: Sendable, Equatable {
        /// The end of the interval.
        public var time: Date
        /// Results per second.
        public var ok: Double
        /// Dead letters (invalid input excluded) per second.
        public var dead: Double
        /// Retries per second.
        public var retried: Double
        /// Invalid-input dead letters per second.
        public var invalid: Double
        /// Share of the workers' time spent processing, 0…1.
        public var utilisation: Double
    }

    /// How many points are kept: 15 minutes at one sample every 5 s.
    public let capacity: Int
    /// The sampling interval the points assume.
    public let interval: Duration
    private let state = Mutex<(points: [Point], last: (statistics: PipelineStatistics.Snapshot, at: ContinuousClock.Instant)?)>(([], nil))

    /// A history of `capacity` points sampled every `interval`.
    public init(interval: Duration = .seconds(5), capacity: Int = 180) {
        self.interval = interval
        self.capacity = max(1, capacity)
    }

    /// Adds the point for the interval since the previous call; the first call only sets the baseline.
    public func record(_ statistics: PipelineStatistics.Snapshot, at instant: ContinuousClock.Instant, time: Date, workers: Int) {
        state.withLock { state in
            defer { state.last = (statistics.baseline, instant) }
            guard let last = state.last else { return }
            let seconds = (instant - last.at).seconds
            guard seconds > 0 else { return }
            let now = MetricsSnapshot.outcomes(statistics).map(\.1)
            let before = MetricsSnapshot.outcomes(last.statistics).map(\.1)
            let rates = zip(now, before).map { Double($0 - $1) / seconds }
            let busy = statistics.processingSecondsTotal - last.statistics.processingSecondsTotal
            let point = Point(
                time: time, ok: rates[0], dead: rates[1], retried: rates[2], invalid: rates[3],
                utilisation: min(1, max(0, busy / (seconds * Double(max(workers, 1)))))
            )
            if state.points.count >= capacity {
                state.points.removeFirst(state.points.count - capacity + 1)
            }
            state.points.append(point)
        }
    }

    /// The points, oldest first.
    public func points() -> [Point] {
        state.withLock { $0.points }
    }
}
