/// One reading of a running pipeline, for the progress display.
public struct ProgressSample: Sendable, Equatable {
    /// Seconds since the run started.
    public var elapsedSeconds: Double
    /// Messages settled with a result.
    public var succeeded: Int
    /// Messages settled as dead letters.
    public var deadLetters: Int
    /// Messages settled by sending them to a retry queue.
    public var retried: Int
    /// Messages a worker is processing.
    public var inFlight: Int
    /// Prefetched messages waiting for a worker.
    public var buffered: Int
    /// Ready messages in the input and retry queues; nil when the broker could not be asked.
    public var waiting: Int?
    /// Processing times of the settled messages added up, in seconds.
    public var busySeconds: Double
    /// Results by provider.
    public var providers: [String: Int]

    /// Creates a sample from its parts.
    public init(
        elapsedSeconds: Double, succeeded: Int, deadLetters: Int, retried: Int, inFlight: Int, buffered: Int,
        waiting: Int?, busySeconds: Double, providers: [String: Int] = [:]
    ) {
        self.elapsedSeconds = elapsedSeconds
        self.succeeded = succeeded
        self.deadLetters = deadLetters
        self.retried = retried
        self.inFlight = inFlight
        self.buffered = buffered
        self.waiting = waiting
        self.busySeconds = busySeconds
        self.providers = providers
    }

    /// Creates a sample from the pipeline's statistics and counts.
    ///
    /// Read the statistics first, then in-flight and buffered together
    /// (``TweetPipeline/messageCounts``), then the queues: a message moves the other
    /// way (queue → buffer → in flight → settled), so in that order it can be missed
    /// for one reading but never counted twice.
    public init(elapsedSeconds: Double, statistics: PipelineStatistics.Snapshot, inFlight: Int, buffered: Int, waiting: Int?) {
        self.init(
            elapsedSeconds: elapsedSeconds, succeeded: statistics.succeeded, deadLetters: statistics.deadLetterTotal,
            retried: statistics.retried, inFlight: inFlight, buffered: buffered, waiting: waiting,
            busySeconds: statistics.processingSecondsTotal, providers: statistics.providers
        )
    }

    /// Messages settled one way or another.
    public var done: Int { succeeded + deadLetters + retried }
}
