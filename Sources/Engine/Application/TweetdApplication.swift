import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// A whole tweetd, put together from its configuration and ready to run: the
/// pipeline, the drain progress, the metrics reporter, the HTTP listener with
/// its dashboard, the configuration reloader, in one `ServiceGroup`.
///
/// `tweetd run` is ``build(configuration:options:logger:logLevel:registry:)``
/// then ``run()``; a test starts a daemon in-process the same way and stops it
/// with ``triggerGracefulShutdown()`` instead of a signal. What only a process
/// may do once (bootstrapping logging and swift-metrics, ignoring SIGHUP until
/// the reloader listens) stays with the caller.
public struct TweetdApplication: Sendable {
    /// How this run differs from a plain daemon's.
    public struct Options: Sendable {
        /// Exit once the input and retry queues are empty and nothing is in flight (`--drain`).
        public var drain: Bool
        /// How often the drain progress is shown; unused without `drain`.
        public var progressInterval: Duration
        /// Where the drain progress goes: a status line on a terminal, or log lines.
        public var progressDisplay: DrainProgressReporter.Display
        /// The variables the providers' API keys are read from (`api_key_env`).
        public var environment: [String: String]
        /// The signals that shut the group down gracefully; empty for a test that
        /// must not take the test process's Ctrl-C.
        public var gracefulShutdownSignals: [UnixSignal]
        /// Reads the configuration again for a reload (SIGHUP), with the same
        /// environment and overrides as the first time; nil reloads the starting one.
        public var reload: (@Sendable () throws(ConfigurationError) -> TweetdConfiguration)?

        /// Options for a daemon that runs until SIGTERM or SIGINT.
        public init(
            drain: Bool = false,
            progressInterval: Duration = .seconds(2),
            progressDisplay: DrainProgressReporter.Display = .log,
            environment: [String: String] = ProcessInfo.processInfo.environment,
            gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
            reload: (@Sendable () throws(ConfigurationError) -> TweetdConfiguration)? = nil
        ) {
            self.drain = drain
            self.progressInterval = progressInterval
            self.progressDisplay = progressDisplay
            self.environment = environment
            self.gracefulShutdownSignals = gracefulShutdownSignals
            self.reload = reload
        }
    }

    /// The pipeline the group runs; its statistics are the run's numbers.
    public let pipeline: TweetPipeline
    private let group: ServiceGroup
    private let chainBuilder: ProviderChainBuilder
    /// The starting `processing.prefetch`, which the report shows even after a reload.
    private let prefetch: Int

    /// Builds the provider chain and every service, and binds the metrics listener, without
    /// starting anything; ``run()`` must follow, since only it shuts the provider clients down.
    ///
    /// A provider that cannot be built (no API key, unknown name) is a
    /// ``BuildError/Code/providerChain`` error. A `metrics.listen` address that cannot
    /// be bound is a ``BuildError/Code/metricsListener`` error, except with `drain`: a
    /// batch run next to a running daemon goes on without a listener, with a warning.
    /// Nothing is left open when this throws.
    ///
    /// - Parameter registry: The registry `/metrics` serves; the caller may bootstrap
    ///   swift-metrics on it so that the libraries' own metrics appear there too.
    public static func build(
        configuration: TweetdConfiguration,
        options: Options = Options(),
        logger: Logger,
        logLevel: LogLevelSwitch,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) async throws(BuildError) -> TweetdApplication {
        let topology = configuration.topology
        let metrics = TweetdMetrics.prometheus(registry: registry)
        let budgetDefinitions = ProviderChainBuilder.sharedBudgetDefinitions(configuration)
        let sharedBudgets = budgetDefinitions.isEmpty ? nil : SharedBudgetService(
            endpoint: configuration.endpoint, reconnect: configuration.reconnectSettings,
            definitions: budgetDefinitions, replicated: configuration.topology.queueType == .quorum, logger: logger
        )
        let chainBuilder = ProviderChainBuilder(environment: options.environment, metrics: metrics, sharedBudgets: sharedBudgets)
        let chain: ProviderChain<ContinuousClock>
        do {
            chain = try chainBuilder.build(configuration)
        } catch {
            await chainBuilder.shutdown()
            throw BuildError(.providerChain, error.description)
        }
        // The providers' series were registered by the chain builder.
        metrics.register(queues: topology.monitoredQueues.map(\.name), workers: configuration.processing.workers)
        let pipeline = makePipeline(configuration: configuration, drain: options.drain, chain: chain, metrics: metrics, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if options.drain {
            // Listed first so it is shut down last, after the pipeline's final numbers are in.
            let progress = DrainProgressReporter(
                pipeline: pipeline, workers: configuration.processing.workers, endpoint: configuration.endpoint,
                queues: topology.monitoredQueues, interval: options.progressInterval,
                display: options.progressDisplay, logger: logger
            )
            services.append(.init(service: progress, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        // The listener and the snapshots come before the pipeline, so they are shut down after it
        // and /readyz says "shutting down" while in-flight messages finish.
        let reporter = MetricsReporter(
            pipeline: pipeline, metrics: metrics, endpoint: configuration.endpoint, reconnect: configuration.reconnectSettings,
            topology: topology, configuration: configuration.metrics, logger: logger
        )
        if let listen = configuration.metrics.listen {
            let history = ThroughputHistory()
            let stats = CachedStats {
                Dashboard.statsJSON(snapshot: reporter.currentSnapshot(), history: history, version: TweetdVersion.current)
            }
            let server = ObservabilityHTTPServer(
                address: listen, logger: logger,
                route: ObservabilityEndpoints.route(pipeline: pipeline, registry: registry) { stats.current }
            )
            do {
                let port = try await server.bind()
                logger.info("metrics listening", metadata: [
                    "address": .string("http://\(MetricsConfiguration.ListenAddress(host: listen.host, port: port))"),
                ])
                services.append(.init(service: server))
                services.append(.init(service: RepeatingService(interval: history.interval) {
                    history.record(pipeline.statistics.snapshot(), at: .now, time: Date(), workers: pipeline.workerCount)
                }))
                // The page polls every 2 s; the body is rebuilt as often, whatever the number of viewers.
                services.append(.init(service: RepeatingService(interval: .seconds(2)) { stats.refresh() }))
            } catch {
                let problem = "metrics.listen \(listen): \(error)"
                // A batch run next to a running daemon should not fail over the daemon's port.
                guard options.drain else {
                    await chainBuilder.shutdown()
                    throw BuildError(.metricsListener, problem)
                }
                logger.warning("no metrics listener for this drain run", metadata: [LogKey.error: .string(problem)])
            }
        }
        // Queue depths and snapshots cost a broker connection and a poll of every queue: only for someone to read them.
        if configuration.metrics.listen != nil || configuration.metrics.publishIntervalSeconds > 0 {
            services.append(.init(service: reporter))
        }
        services.append(.init(service: ConfigurationReloader(
            running: configuration, load: options.reload ?? { configuration }, pipeline: pipeline, chainBuilder: chainBuilder,
            logLevel: logLevel, logger: logger
        )))
        if let sharedBudgets {
            // Before the pipeline, so it is shut down after it: requests still in flight keep their budget's cooldowns.
            services.append(.init(service: sharedBudgets))
        }
        services.append(.init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: options.gracefulShutdownSignals,
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.processing.shutdownGraceSeconds)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        return TweetdApplication(
            pipeline: pipeline, group: ServiceGroup(configuration: groupConfiguration), chainBuilder: chainBuilder,
            prefetch: configuration.processing.prefetch
        )
    }

    /// The only place a pipeline is made, so a change to its initializer is one edit.
    private static func makePipeline(
        configuration: TweetdConfiguration, drain: Bool, chain: ProviderChain<ContinuousClock>, metrics: TweetdMetrics, logger: Logger
    ) -> TweetPipeline {
        TweetPipeline(
            broker: RabbitMQBroker(
                endpoint: configuration.endpoint, topology: configuration.topology, reconnect: configuration.reconnectSettings,
                metrics: metrics, logger: logger
            ),
            topology: configuration.topology,
            outcomes: OutcomeBuilder(decoder: configuration.tweetDecoder, topology: configuration.topology),
            chain: chain,
            settings: configuration.pipelineSettings(drain: drain),
            metrics: metrics,
            logger: logger
        )
    }

    /// Runs every service until the pipeline ends (a drain finished, or graceful shutdown
    /// after a signal or ``triggerGracefulShutdown()``), then shuts the provider clients
    /// down, also when the group fails. Call it once.
    ///
    /// - Throws: The service group's error, when a service failed.
    /// - Returns: The run's numbers, for the drain summary and the report.
    public func run() async throws -> Outcome {
        let started = ContinuousClock.now
        let startedAt = Date()
        do {
            try await group.run()
        } catch {
            await chainBuilder.shutdown()
            throw error
        }
        await chainBuilder.shutdown()
        let statistics = pipeline.statistics.snapshot()
        return Outcome(
            statistics: statistics,
            startedAt: startedAt,
            finishedAt: Date(),
            elapsedSeconds: (ContinuousClock.now - started) / .seconds(1),
            workers: pipeline.workerCount,
            prefetch: prefetch,
            providers: DrainReport.derivedProviderStatistics(statistics)
                .merging(pipeline.chain.statistics.snapshot().mapValues(\.reportStatistics)) { _, requests in requests }
        )
    }

    /// Asks every service to finish as SIGTERM would: the pipeline stops consuming and
    /// finishes what is in flight within `processing.shutdown_grace_seconds`. Returns at once;
    /// ``run()`` returns when the services are done. Before ``run()``, the request waits for it.
    public func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }
}
