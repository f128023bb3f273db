/// Where a drain run stands, ready to display.
public struct ProgressState: Sendable, Equatable {
    /// Seconds since the run started.
    public var elapsedSeconds: Double
    /// Messages settled.
    public var done: Int
    /// Messages to settle in all: done, in flight, buffered and waiting, never decreasing.
    public var total: Int
    /// Messages settled per second, smoothed over recent intervals.
    public var messagesPerSecond: Double
    /// Seconds until `total` is reached at the current rate; nil while nothing moves.
    public var etaSeconds: Double?
    /// Results among results and dead letters, 0…1; nil before either.
    public var successRate: Double?
    /// Average share of busy workers over the last interval, 0…1; nil for the first sample.
    public var utilisation: Double?
    /// Results by provider.
    public var providers: [String: Int]
    /// Dead letters so far.
    public var deadLetters: Int

    /// Done over total, 0…1.
    public var fraction: Double {
        total > 0 ? min(1, Double(done) / Double(total)) : 0
    }
}

/// Turns successive `ProgressSample`s into `ProgressState`s: the growing total,
/// a smoothed rate, the ETA and worker utilisation.
///
/// The total is the queue depth at the start plus whatever arrives later:
/// done + in flight + buffered + waiting, never allowed to go down (a message
/// on the wire between the broker and the buffer is briefly in none of them).
/// Utilisation is the processing time completed in an interval over
/// workers × the interval: by Little's law, the average number of busy workers
/// over that interval divided by the workers.
public struct ProgressTracker: Sendable {
    /// How much a new interval's rate moves the smoothed rate; lower is steadier.
    static let smoothing = 0.3

    private let workers: Int
    private var previous: ProgressSample?
    private var total = 0
    private var lastWaiting = 0
    private var smoothedRate: Double?

    /// Creates a tracker for a pipeline with `workers` workers.
    public init(workers: Int) {
        self.workers = max(1, workers)
    }

    /// The run's last word: like `record`, but the rate and utilisation are
    /// averages over the whole run rather than the last interval, which is mostly idle.
    public mutating func finish(_ sample: ProgressSample) -> ProgressState {
        var state = record(sample)
        if sample.elapsedSeconds > 0 {
            state.messagesPerSecond = Double(sample.done) / sample.elapsedSeconds
            state.utilisation = min(1, max(0, sample.busySeconds / (Double(workers) * sample.elapsedSeconds)))
        }
        return state
    }

    /// Takes the next sample and says where the run stands.
    public mutating func record(_ sample: ProgressSample) -> ProgressState {
        let waiting = sample.waiting ?? lastWaiting
        lastWaiting = waiting
        total = max(total, sample.done + sample.inFlight + sample.buffered + waiting)

        var utilisation: Double?
        if let previous, sample.elapsedSeconds > previous.elapsedSeconds {
            let interval = sample.elapsedSeconds - previous.elapsedSeconds
            let rate = Double(sample.done - previous.done) / interval
            smoothedRate = smoothedRate.map { $0 + Self.smoothing * (rate - $0) } ?? rate
            let busy = (sample.busySeconds - previous.busySeconds) / (Double(workers) * interval)
            utilisation = min(1, max(0, busy))
        } else if previous == nil, sample.elapsedSeconds > 0, sample.done > 0 {
            // The first sample can still give a rate when work was done before it.
            smoothedRate = Double(sample.done) / sample.elapsedSeconds
        }
        previous = sample

        let rate = smoothedRate ?? 0
        let remaining = total - sample.done
        let outcomes = sample.succeeded + sample.deadLetters
        return ProgressState(
            elapsedSeconds: sample.elapsedSeconds,
            done: sample.done,
            total: total,
            messagesPerSecond: rate,
            etaSeconds: remaining == 0 ? 0 : (rate > 0 ? Double(remaining) / rate : nil),
            successRate: outcomes > 0 ? Double(sample.succeeded) / Double(outcomes) : nil,
            utilisation: utilisation,
            providers: sample.providers,
            deadLetters: sample.deadLetters
        )
    }
}
