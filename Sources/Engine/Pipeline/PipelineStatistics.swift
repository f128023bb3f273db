import Synchronization

/// What the pipeline has done so far: counts, outcomes and processing times.
///
/// Shared by every worker; updates take a short lock, reads take a snapshot.
public final class PipelineStatistics: Sendable {
    /// A consistent copy of the numbers at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Messages settled (acked) with a result.
        public var succeeded = 0
        /// Messages settled as dead letters, by category.
        public var deadLetters: [ErrorCategory: Int] = [:]
        /// Messages sent to a retry queue.
        public var retried = 0
        /// Messages returned to their queue because their result could not be published.
        public var requeued = 0
        /// Settled messages by the AMQP priority they arrived with.
        public var priorities: [Int: Int] = [:]
        /// Results by provider.
        public var providers: [String: Int] = [:]
        /// Processing time of each settled message, in seconds (bounded sample).
        public var processingSeconds: [Double] = []
        /// Processing time of every settled message added up, in seconds: the work one worker
        /// alone would have done, for speed-up and worker utilisation (the sample above is bounded).
        public var processingSecondsTotal = 0.0
        /// Processing time of the results of each provider added up, in seconds.
        public var providerProcessingSeconds: [String: Double] = [:]

        /// The same numbers without the processing-time sample, to keep as a baseline for rates:
        /// a kept copy of the sample (up to 200,000 values) would make the next recorded message
        /// copy it whole, inside the lock every worker shares.
        public var baseline: Snapshot {
            var copy = self
            copy.processingSeconds = []
            return copy
        }

        /// Every dead letter, whatever its category.
        public var deadLetterTotal: Int { deadLetters.values.reduce(0, +) }
        /// Every settled message.
        public var settled: Int { succeeded + deadLetterTotal + retried }
    }

    /// How many processing times are kept; later ones replace random earlier ones (reservoir sampling).
    static let sampleLimit = 200_000

    private struct State {
        var snapshot = Snapshot()
        var samplesSeen = 0
        var generator = SystemRandomNumberGenerator()
    }

    private let state = Mutex(State())
    private let metrics: TweetdMetrics

    /// Creates empty statistics that also count into `metrics`.
    public init(metrics: TweetdMetrics = .discarding()) {
        self.metrics = metrics
    }

    /// Records a message acked with a result.
    public func recordSuccess(provider: String, priority: Int, seconds: Double) {
        state.withLock { state in
            state.snapshot.succeeded += 1
            state.snapshot.providers[provider, default: 0] += 1
            state.snapshot.providerProcessingSeconds[provider, default: 0] += seconds
            Self.record(priority: priority, seconds: seconds, in: &state)
        }
    }

    /// Records a message acked as a dead letter.
    public func recordDeadLetter(_ category: ErrorCategory, priority: Int, seconds: Double) {
        state.withLock { state in
            state.snapshot.deadLetters[category, default: 0] += 1
            Self.record(priority: priority, seconds: seconds, in: &state)
        }
    }

    /// Records a message acked after it went to a retry queue.
    public func recordRetry(priority: Int, seconds: Double) {
        state.withLock { state in
            state.snapshot.retried += 1
            Self.record(priority: priority, seconds: seconds, in: &state)
        }
    }

    /// Records a message settled with `kind`: a result, a dead letter or a retry;
    /// `provider` is the provider that answered or was last involved, if any.
    public func record(_ kind: ProcessingOutcome.Kind, provider: String? = nil, priority: Int, seconds: Double) {
        let outcome: TweetdMetrics.MessageOutcome
        switch kind {
        case .result(let answering):
            recordSuccess(provider: answering, priority: priority, seconds: seconds)
            outcome = .ok
        case .deadLetter(let category, _):
            recordDeadLetter(category, priority: priority, seconds: seconds)
            outcome = category == .invalidInput ? .invalid : .dead
        case .retry:
            recordRetry(priority: priority, seconds: seconds)
            outcome = .retried
        }
        metrics.messageSettled(outcome, provider: provider, processing: .seconds(seconds))
    }

    /// Records a message given back to its queue unprocessed.
    public func recordRequeue() {
        state.withLock { $0.snapshot.requeued += 1 }
    }

    /// The numbers now.
    public func snapshot() -> Snapshot {
        state.withLock { $0.snapshot }
    }

    private static func record(priority: Int, seconds: Double, in state: inout State) {
        state.snapshot.priorities[priority, default: 0] += 1
        state.snapshot.processingSecondsTotal += seconds
        state.samplesSeen += 1
        if state.snapshot.processingSeconds.count < sampleLimit {
            state.snapshot.processingSeconds.append(seconds)
        } else {
            let slot = Int.random(in: 0..<state.samplesSeen, using: &state.generator)
            if slot < sampleLimit { state.snapshot.processingSeconds[slot] = seconds }
        }
    }
}

/// Summary statistics of a sample of durations.
public struct DurationSummary: Sendable, Equatable {
    /// Smallest value.
    public var min: Double
    /// Mean.
    public var average: Double
    /// Median.
    public var p50: Double
    /// 99th percentile.
    public var p99: Double
    /// Largest value.
    public var max: Double

    /// Summarises `values`; nil when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double {
            sorted[Swift.min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
        min = sorted[0]
        max = sorted[sorted.count - 1]
        average = sorted.reduce(0, +) / Double(sorted.count)
        p50 = percentile(0.50)
        p99 = percentile(0.99)
    }
}
