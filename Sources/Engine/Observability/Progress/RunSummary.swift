import Foundation

/// The human summary printed at the end of a drain run.
public struct RunSummary: Sendable {
    /// What the pipeline did.
    public var statistics: PipelineStatistics.Snapshot
    /// Wall-clock seconds from start to end.
    public var elapsedSeconds: Double
    /// Workers configured.
    public var workers: Int

    /// Creates a summary.
    public init(statistics: PipelineStatistics.Snapshot, elapsedSeconds: Double, workers: Int) {
        self.statistics = statistics
        self.elapsedSeconds = elapsedSeconds
        self.workers = workers
    }

    /// How many times faster than one worker doing the same work back to back:
    /// the processing times added up over the wall time; nil before any time has passed.
    public var speedUp: Double? {
        elapsedSeconds > 0 && statistics.processingSecondsTotal > 0 ? statistics.processingSecondsTotal / elapsedSeconds : nil
    }

    /// A few lines: counts, outcomes, processing times, speed-up, priorities.
    public var text: String {
        let settled = statistics.settled
        let rate = elapsedSeconds > 0 ? Double(settled) / elapsedSeconds : 0
        var lines = [
            "processed \(settled) messages in \(String(format: "%.2f", elapsedSeconds)) s (\(String(format: "%.0f", rate)) msg/s, "
                + "\(workers) worker\(workers == 1 ? "" : "s"))",
            "  results: \(statistics.succeeded)  dead letters: \(statistics.deadLetterTotal)  retried: \(statistics.retried)  requeued: \(statistics.requeued)",
        ]
        if !statistics.deadLetters.isEmpty {
            lines.append("  dead letters by category: " + statistics.deadLetters.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " "))
        }
        if let times = DurationSummary(statistics.processingSeconds) {
            lines.append(String(
                format: "  processing time: avg %.3f ms  p50 %.3f ms  p99 %.3f ms  max %.3f ms",
                times.average * 1000, times.p50 * 1000, times.p99 * 1000, times.max * 1000
            ))
        }
        if let speedUp {
            lines.append(String(
                format: "  speed-up over one worker: %.1fx (%.2f s of processing in %.2f s)",
                speedUp, statistics.processingSecondsTotal, elapsedSeconds
            ))
        }
        if !statistics.priorities.isEmpty {
            lines.append("  by priority: " + statistics.priorities.sorted { $0.key > $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
