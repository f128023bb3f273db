import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the broker-side gauges fresh and publishes a ``MetricsSnapshot``
/// every `metrics.publish_interval_seconds` to the metrics exchange.
///
/// It has its own broker connection, so that asking for queue depths and
/// publishing snapshots never queue behind the pipeline's results. When the
/// broker is away it skips snapshots (saying so once) and resumes when the
/// connection is back; `/metrics` keeps answering meanwhile.
public final class MetricsReporter: Service {
    /// How often queue depths are polled when snapshots are off.
    static let gaugeInterval: Duration = .seconds(10)

    private let pipeline: TweetPipeline
    private let metrics: TweetdMetrics
    private let connection: PublisherConnection
    private let queues: [MonitoredQueue]
    private let exchange: String
    private let instance: String
    private let publishInterval: Duration?
    private let logger: Logger
    private let started = ContinuousClock.now
    /// The last published snapshot's numbers, for rates, and whether the broker took it.
    private let last: Mutex<(statistics: PipelineStatistics.Snapshot, at: ContinuousClock.Instant, reachable: Bool)>
    /// The queue depths the broker last gave.
    private let latestDepths = Mutex<QueueStatusSample?>(nil)

    /// A reporter for `pipeline`, watching the topology's queues.
    public init(
        pipeline: TweetPipeline,
        metrics: TweetdMetrics,
        endpoint: AMQPEndpoint,
        reconnect: ReconnectSettings,
        topology: TopologyConfiguration,
        configuration: MetricsConfiguration,
        logger: Logger
    ) {
        self.pipeline = pipeline
        self.metrics = metrics
        self.connection = PublisherConnection(endpoint: endpoint, name: "metrics", reconnect: reconnect, logger: logger)
        self.queues = topology.monitoredQueues
        self.exchange = topology.metricsExchange
        self.instance = configuration.effectiveInstance
        self.publishInterval = configuration.publishIntervalSeconds > 0 ? .seconds(configuration.publishIntervalSeconds) : nil
        self.logger = logger
        self.last = Mutex((PipelineStatistics.Snapshot(), started, true))
    }

    /// A snapshot now, with rates since the last published one and the last known queue depths:
    /// what the dashboard's `/api/stats` shows.
    public func currentSnapshot() -> MetricsSnapshot {
        let (previous, previousAt) = last.withLock { ($0.statistics, $0.at) }
        return snapshot(previous: previous, intervalSeconds: (ContinuousClock.now - previousAt).seconds, depths: latestDepths.withLock { $0 })
    }

    /// The routing key of this instance's snapshots.
    public var routingKey: String { "metrics.\(instance)" }

    /// Polls and publishes until graceful shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.connection.start() }
        } catch {
            if !Task.isShuttingDownGracefully {
                logger.warning("metrics: no broker connection; snapshots and queue gauges are off", metadata: [
                    LogKey.error: .string("\(error)"),
                ])
            }
            try? await gracefulShutdown()
            return
        }
        try await RepeatingService(interval: publishInterval ?? Self.gaugeInterval) {
            // While the broker is away a query would wait for the reconnect: skip it, keep the last depths.
            let depths = self.connection.isConnected ? try? await self.connection.sampleQueues(self.queues) : nil
            if let depths {
                self.latestDepths.withLock { $0 = depths }
                for reading in depths.readings {
                    self.metrics.queueMessages(queue: reading.queue.name, messages: reading.state?.messages ?? 0)
                }
            }
            self.pipeline.updateStateGauges()
            guard self.publishInterval != nil else { return }
            let now = ContinuousClock.now
            let (previous, previousAt) = self.last.withLock { ($0.statistics, $0.at) }
            let snapshot = self.snapshot(previous: previous, intervalSeconds: (now - previousAt).seconds, depths: depths)
            let reachable = await self.publish(snapshot)
            let wasReachable = self.last.withLock { last in
                defer { last = (snapshot.statistics.baseline, now, reachable) }
                return last.reachable
            }
            if reachable != wasReachable {
                if reachable {
                    self.logger.info("metrics: publishing snapshots again")
                } else {
                    self.logger.warning("metrics: cannot publish snapshots while the broker is away")
                }
            }
        }.run()
        await connection.close()
    }

    /// The snapshot now.
    func snapshot(previous: PipelineStatistics.Snapshot, intervalSeconds: Double, depths: QueueStatusSample?) -> MetricsSnapshot {
        // Statistics before in-flight, as progress reporting does, so one message is never counted twice.
        let statistics = pipeline.statistics.snapshot()
        let counts = pipeline.chain.statistics.snapshot()
        let providers = pipeline.chain.providers.map { entry in
            let limiter = entry.limiter.snapshot
            return ProviderUsage(
                name: entry.name,
                counts: counts[entry.name] ?? ProviderCallStatistics.Counts(),
                requestsPerMinute: limiter.limit.requestsPerMinute,
                burst: limiter.limit.burst,
                tokensPerMinute: limiter.limit.tokensPerMinute,
                requestsInLastMinute: limiter.requestsInLastMinute,
                tokensInLastMinute: limiter.tokensInLastMinute,
                coolingDownSeconds: limiter.coolingDownUntil.map { max(0, (limiter.takenAt.duration(to: $0)).seconds) } ?? 0,
                cooldowns: limiter.totalCooldowns
            )
        }
        let queueDepths = depths.map { sample in
            Dictionary(sample.readings.compactMap { reading in reading.state.map { (reading.queue.name, $0.messages) } }) { first, _ in first }
        }
        var budgets: [SharedBudgetStatus] = []
        for case let budget as SharedBudgetHandle in pipeline.chain.providers.compactMap(\.budget)
        where !budgets.contains(where: { $0.budget == budget.budgetName }) {
            budgets.append(budget.status)
        }
        let (inFlight, buffered) = pipeline.messageCounts
        var snapshot = MetricsSnapshot(
            instance: instance, time: Date(), uptimeSeconds: (ContinuousClock.now - started).seconds,
            intervalSeconds: intervalSeconds, statistics: statistics, previous: previous, providers: providers,
            inFlight: inFlight, buffered: buffered, workers: pipeline.workerCount,
            queues: queueDepths, pending: depths?.pendingMessages, brokerConnected: pipeline.readiness.ready
        )
        snapshot.sharedBudgets = budgets
        return snapshot
    }

    /// Publishes `snapshot`; false when the broker could not take it.
    private func publish(_ snapshot: MetricsSnapshot) async -> Bool {
        let properties = MessageProperties(
            contentType: "application/json",
            deliveryMode: 1,
            timestamp: UInt64(max(0, snapshot.time.timeIntervalSince1970)),
            type: "tweetd.metrics",
            appId: "tweetd"
        )
        let message = OutgoingMessage(exchange: exchange, routingKey: routingKey, mandatory: false, properties: properties, body: snapshot.json())
        do {
            try await connection.publish(message)
            return true
        } catch {
            logger.debug("metrics: snapshot not published", metadata: [LogKey.error: .string(error.description)])
            return false
        }
    }
}
