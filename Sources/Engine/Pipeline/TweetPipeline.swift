import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon's main job: consume tweets, process them with `workers` in flight,
/// publish each result and ack the input only after the broker confirmed the result.
///
/// This file is the pipeline's life (start, resize, readiness, shutdown); one message's
/// path is in `TweetPipeline+MessageFlow.swift`, the lifecycle's states in
/// `TweetPipeline+StateMachine.swift`, the worker count in ``WorkerPool`` and drain
/// mode's end in ``DrainDetector``.
///
/// On graceful shutdown it cancels its consumers, returns deliveries no worker
/// has started, lets in-flight messages finish (publish, confirm, ack), then
/// closes both connections.
public final class TweetPipeline: Service {
    let broker: any MessageBroker
    let topology: TopologyConfiguration
    let outcomes: OutcomeBuilder
    private let currentChain: Mutex<ProviderChain<ContinuousClock>>
    let settings: PipelineSettings
    let logger: Logger
    /// What the pipeline has done so far; shared with reporting.
    public let statistics: PipelineStatistics
    let metrics: TweetdMetrics
    private let lifecycle: Mutex<StateMachine>
    let workers: WorkerPool
    /// Prefetched deliveries waiting for a worker, highest priority first; it also counts every
    /// delivery handed over and not yet acked or given back (drain mode ends only at 0).
    let buffer = DeliveryBuffer()
    /// Producers' header values already reported as ignored.
    let ignoredHeaders = IgnoredHeaderLog()

    /// Creates the pipeline; `run` starts it.
    ///
    /// - Parameters:
    ///   - broker: the connections' maker: ``RabbitMQBroker`` in the daemon, an in-memory one in tests.
    ///   - outcomes: decodes and analyses each delivery, and builds its result, retry or dead letter.
    ///   - chain: the LLM providers; empty for the built-in analysis only.
    public init(
        broker: any MessageBroker,
        topology: TopologyConfiguration,
        outcomes: OutcomeBuilder,
        chain: ProviderChain<ContinuousClock> = ProviderChain(providers: [], maxHold: .seconds(600)),
        settings: PipelineSettings,
        metrics: TweetdMetrics = .discarding(),
        logger: Logger
    ) {
        self.broker = broker
        self.topology = topology
        self.outcomes = outcomes
        self.currentChain = Mutex(chain)
        self.settings = settings
        self.workers = WorkerPool(workers: settings.workers)
        self.lifecycle = Mutex(StateMachine(prefetch: settings.prefetch))
        self.metrics = metrics
        self.statistics = PipelineStatistics(metrics: metrics)
        self.logger = logger
    }

    /// The LLM providers, with their request statistics; replaced by ``replaceChain(_:)``.
    public var chain: ProviderChain<ContinuousClock> {
        currentChain.withLock { $0 }
    }

    /// Makes `chain` the one new messages are enriched by (configuration reload).
    ///
    /// Requests already sent finish on the old chain; messages waiting for one
    /// of its limiters move to the new chain at once.
    public func replaceChain(_ chain: ProviderChain<ContinuousClock>) {
        let old = currentChain.withLock { current in
            defer { current = chain }
            return current
        }
        if old !== chain {
            old.retire()
        }
    }

    /// Workers processing messages at once, as configured now.
    public var workerCount: Int {
        workers.target
    }

    /// Changes the number of workers and the prefetch (configuration reload).
    ///
    /// More workers start at once; with fewer, workers beyond the count stop
    /// after the message they hold (an idle one gives back the next delivery
    /// it is handed), so nothing is cut short. A new prefetch
    /// re-registers the consumers (RabbitMQ applies a per-consumer prefetch
    /// only to consumers registered after it).
    public func resize(workers count: Int, prefetch: Int) {
        workers.resize(to: count)
        metrics.workers(max(1, count))
        if case .apply(let source, let prefetch) = lifecycle.withLock({ $0.prefetchChanged(to: prefetch) }) {
            source.changePrefetch(prefetch)
        }
    }

    /// Whether the pipeline is ready to take work: consuming on an open
    /// consumer connection with an open publisher connection. When it is not,
    /// the reason, in one line.
    public var readiness: (ready: Bool, reason: String) {
        lifecycle.withLock { $0.readiness }
    }

    /// True once ``run()`` has returned.
    public var isStopped: Bool {
        lifecycle.withLock { $0.isStopped }
    }

    /// Sets the gauges that reflect the pipeline's state now; called before a scrape or a snapshot.
    public func updateStateGauges() {
        metrics.state(inFlight: inFlightCount, brokerConnected: readiness.ready)
    }

    /// Messages a worker holds right now (processing, or waiting for the confirm of their result).
    public var inFlightCount: Int {
        buffer.counts.held
    }

    /// Messages in flight and deliveries buffered, read at one instant: no delivery is in both.
    public var messageCounts: (inFlight: Int, buffered: Int) {
        let counts = buffer.counts
        return (counts.held, counts.buffered)
    }

    /// Runs until graceful shutdown, or in drain mode until the queues are empty.
    public func run() async throws {
        let source = broker.makeSource(
            consuming: topology.inputQueueNames,
            prefetch: lifecycle.withLock { $0.prefetch },
            bodyReadLimit: settings.bodyReadLimit,
            handler: DeliveryHandler(
                deliver: { delivery in self.accept(delivery) },
                connectionLost: { generation in self.dropDeliveries(ofLostConnection: generation) }
            )
        )
        let sink = broker.makeSink()
        defer { lifecycle.withLock { $0.stopped() } }
        do {
            // Both starts wait for the broker; a shutdown meanwhile cancels the wait.
            try await cancelWhenGracefulShutdown {
                try await sink.start()
                do {
                    try await source.start()
                } catch {
                    await sink.close()
                    throw error
                }
            }
        } catch where Task.isShuttingDownGracefully || Task.isCancelled {
            // A failed start has ended its connection's thread already; a source that never started has none.
            logger.info("stopped before the broker connection opened")
            return
        }
        let connections = Connections(source: source, sink: sink)
        switch lifecycle.withLock({ $0.connected(connections) }) {
        case .consume(.apply(let source, let prefetch)):
            source.changePrefetch(prefetch)
        case .consume(.none):
            break
        case .stopConsuming(let source):
            source.cancelConsumers()
        }
        logger.info("consuming", metadata: [
            LogKey.queue: .string(topology.inputQueueNames.joined(separator: ",")),
            LogKey.worker: .stringConvertible(settings.workers),
            "prefetch": .stringConvertible(settings.prefetch),
            "broker": .string(broker.redactedDescription),
        ])

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if settings.drain {
                    group.addTask { await self.stopWhenDrained(connections) }
                }
                group.addTask {
                    await self.workers.run { worker in await self.work(worker: worker, connections: connections) }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: finishing in-flight messages", metadata: ["in_flight": .stringConvertible(self.inFlightCount)])
            self.stopTakingWork()
        }

        // Every worker is done: send the last acks, then close.
        if let connections = lifecycle.withLock({ $0.workersFinished() }) {
            // Both at once: each waits at most ConnectionThread.closeWaitLimit, and a shutdown whose
            // grace period ran out has 5 s in all before the service group gives up on it.
            async let sourceClosed: Void = connections.source.close()
            async let sinkClosed: Void = connections.sink.close()
            _ = await (sourceClosed, sinkClosed)
        }
        logger.info("stopped", metadata: ["settled": .stringConvertible(statistics.snapshot().settled)])
    }

    /// Cancels consuming and gives back every delivery no worker has started; acts once.
    func stopTakingWork() {
        let action = lifecycle.withLock { $0.stopTakingWork() }
        let source: (any DeliverySource)?
        switch action {
        case .none:
            return
        case .stopConsuming(let consuming):
            consuming.cancelConsumers()
            source = consuming
        case .finishWithoutConsumer:
            source = nil
        }
        // Without a source (stopped while connecting) they need no nack: closing that connection gives them back.
        for delivery in buffer.finish() {
            source?.nack(delivery, requeue: true)
        }
        workers.stopStarting()
    }

    /// Drain mode: ends the run once nothing is left anywhere (``DrainDetector``).
    private func stopWhenDrained(_ connections: Connections) async {
        let detector = DrainDetector(
            inputQueues: topology.inputQueueNames, retryQueues: topology.retryQueues,
            checkInterval: settings.drainCheckInterval, buffer: buffer
        )
        if await detector.waitUntilDrained(connections) {
            logger.info("drained: the input and retry queues are empty")
            stopTakingWork()
        }
    }
}
