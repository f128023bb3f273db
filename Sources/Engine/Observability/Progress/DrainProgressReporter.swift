import Logging
import ServiceLifecycle
import Synchronization

/// Shows how a drain run is getting on, every `interval`: a bar redrawn on a
/// terminal, or one plain log line otherwise; a last update when the run ends.
///
/// It reads the pipeline's statistics and counts directly and asks the broker
/// for the input and retry queues' depth over a connection of its own, so the
/// pipeline's connections carry only the pipeline's work. When the broker
/// cannot be asked, the last depth it gave stands in.
public final class DrainProgressReporter: Service {
    /// Where progress goes.
    public enum Display: Sendable {
        /// A bar redrawn in place on a terminal.
        case terminal(TerminalStatusLine)
        /// One info log line per update.
        case log
    }

    private let pipeline: TweetPipeline
    private let workers: Int
    private let probe: PublisherConnection
    private let queues: [MonitoredQueue]
    private let interval: Duration
    private let display: Display
    private let logger: Logger

    /// Creates a reporter for `pipeline`, asking `queues` (the input and retry queues) for their depth.
    public init(
        pipeline: TweetPipeline,
        workers: Int,
        endpoint: AMQPEndpoint,
        queues: [MonitoredQueue],
        interval: Duration,
        display: Display,
        logger: Logger
    ) {
        self.pipeline = pipeline
        self.workers = workers
        // No reconnects: a start that waits for a broker would hold up shutdown, and the depth is only a nicety.
        self.probe = PublisherConnection(endpoint: endpoint, name: "progress", logger: logger)
        self.queues = queues.filter(\.holdsPendingWork)
        self.interval = interval
        self.display = display
        self.logger = logger
    }

    /// Reports until graceful shutdown (the pipeline has drained, or a signal), then once more.
    public func run() async throws {
        let probeStarted: Bool
        do {
            try await probe.start()
            probeStarted = true
        } catch {
            probeStarted = false
            logger.warning("progress: cannot ask the broker for queue depths", metadata: [LogKey.error: .string("\(error)")])
        }
        let started = ContinuousClock.now
        let tracker = Mutex(ProgressTracker(workers: workers))
        try await RepeatingService(interval: interval) {
            let sample = await self.sample(elapsed: ContinuousClock.now - started, askBroker: probeStarted)
            self.show(tracker.withLock { $0.record(sample) })
        }.run()
        let last = await sample(elapsed: ContinuousClock.now - started, askBroker: probeStarted)
        show(tracker.withLock { $0.finish(last) })
        if case .terminal(let line) = display {
            line.finish()
        }
        if probeStarted {
            await probe.close()
        }
    }

    private func sample(elapsed: Duration, askBroker: Bool) async -> ProgressSample {
        // Statistics, then in flight, then buffered, then the broker: see ProgressSample.
        let statistics = pipeline.statistics.snapshot()
        let (inFlight, buffered) = pipeline.messageCounts
        let waiting = askBroker ? try? await probe.sampleQueues(queues).pendingMessages : nil
        return ProgressSample(elapsedSeconds: elapsed.seconds, statistics: statistics, inFlight: inFlight, buffered: buffered, waiting: waiting)
    }

    private func show(_ state: ProgressState) {
        switch display {
        case .terminal(let line):
            line.show(ProgressRenderer.bar(state, columns: line.columns))
        case .log:
            logger.info("\(ProgressRenderer.logLine(state))")
        }
    }
}
