import ArgumentParser
import Engine
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `tweetd run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: consume, analyse, publish results, ack after confirm.",
        discussion: "SIGTERM or SIGINT: stop consuming, finish in-flight messages within processing.shutdown_grace_seconds, exit 0."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Exit 0 once the input and retry queues are empty and nothing is in flight, with a summary.")
    var drain = false

    @Option(help: "Messages processed at once; overrides processing.workers.")
    var workers: Int?

    @Option(help: "Deliveries prefetched; overrides processing.prefetch.")
    var prefetch: Int?

    @Option(help: ArgumentHelp(
        "Seconds between progress updates with --drain; default $\(Self.progressIntervalVariable), else 2.", valueName: "seconds"
    ))
    var progressInterval: Double?

    @Option(help: ArgumentHelp("Write a JSON report of the run to this file when it ends.", valueName: "file"))
    var report: String?

    /// The original pipeline's setting for the progress interval, still honoured.
    static let progressIntervalVariable = "PROGRESS_UPDATE_INTERVAL"

    func validate() throws {
        if let progressInterval, !(progressInterval >= 0.1) {
            throw ValidationError("--progress-interval needs at least 0.1 seconds, got \(progressInterval)")
        }
        if let report {
            // Found out now rather than after a long run.
            let directory = URL(fileURLWithPath: report).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw ValidationError("--report: cannot write to the directory \(directory)")
            }
        }
    }

    /// The flag, else the environment variable, else 2 seconds.
    private func progressUpdateInterval() throws -> Duration {
        if let progressInterval { return .milliseconds(Int64(progressInterval * 1000)) }
        guard let text = ProcessInfo.processInfo.environment[Self.progressIntervalVariable], !text.isEmpty else { return .seconds(2) }
        guard let seconds = Double(text), seconds >= 0.1 else {
            throw CommandFailure.usage("\(Self.progressIntervalVariable): expected seconds (at least 0.1), got '\(text)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    func run() async throws {
        // Until the reloader listens, a SIGHUP (systemctl reload) must not end the daemon.
        signal(SIGHUP, SIG_IGN)
        var overrides: [String: String] = [:]
        if let workers { overrides["processing.workers"] = String(workers) }
        if let prefetch { overrides["processing.prefetch"] = String(prefetch) }
        let configuration = try options.loadConfiguration(overrides: overrides)
        let reloadConfiguration = options.configurationLoader(overrides: overrides)
        let progressInterval = try progressUpdateInterval()
        // The bar goes to standard error, so standard output keeps only the summary.
        let statusLine = drain && TerminalStatusLine.isTerminal() ? TerminalStatusLine() : nil
        let (logger, logLevel) = LoggingBootstrap.bootstrap(configuration.log, statusLine: statusLine)
        logger.info("starting tweetd \(TweetdVersion.current)", metadata: [
            "config": .string(options.configurationPath(environment: ProcessInfo.processInfo.environment) ?? "(defaults)"),
            "broker": .string(configuration.endpoint.redactedDescription),
            "workers": .stringConvertible(configuration.processing.workers),
            "prefetch": .stringConvertible(configuration.processing.prefetch),
            "chain": .string(configuration.processing.chain.joined(separator: ",")),
        ])

        options.warnAboutSecretsOnCommandLine(logger)
        if let file = options.configurationPath(environment: ProcessInfo.processInfo.environment) {
            for warning in SecretExposure.warnings(configurationFile: file) {
                logger.warning("secret readable by other users", metadata: [LogKey.error: .string(warning)])
            }
        }
        logger.info("effective configuration", metadata: [
            "config": .dictionary(Logger.Metadata(
                configuration.redactedSettings().map { ($0.key, Logger.MetadataValue.string($0.value)) }
            ) { first, _ in first }),
        ])

        let topology = configuration.topology
        let registry = PrometheusCollectorRegistry()
        let metrics = TweetdMetrics.prometheus(registry: registry)
        // Anything else in the process that uses swift-metrics lands in the same registry.
        MetricsSystem.bootstrap(TweetdMetrics.prometheusFactory(registry: registry))
        let chainBuilder = ProviderChainBuilder(environment: ProcessInfo.processInfo.environment, metrics: metrics)
        let chain: ProviderChain<ContinuousClock>
        do {
            chain = try chainBuilder.build(configuration)
        } catch {
            await chainBuilder.shutdown()
            throw CommandFailure.usage(error.description)
        }
        // The providers' series were registered by the chain builder.
        metrics.register(queues: topology.monitoredQueues.map(\.name), workers: configuration.processing.workers)
        let settings = configuration.pipelineSettings(drain: drain)
        let pipeline = TweetPipeline(
            broker: RabbitMQBroker(
                endpoint: configuration.endpoint, topology: topology, reconnect: configuration.reconnectSettings,
                bodyReadLimit: settings.bodyReadLimit, metrics: metrics, logger: logger
            ),
            topology: topology,
            outcomes: OutcomeBuilder(decoder: configuration.tweetDecoder, topology: topology),
            chain: chain,
            settings: settings,
            metrics: metrics,
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if drain {
            // Listed first so it is shut down last, after the pipeline's final numbers are in.
            let progress = DrainProgressReporter(
                pipeline: pipeline, workers: configuration.processing.workers, endpoint: configuration.endpoint,
                queues: topology.monitoredQueues, interval: progressInterval,
                display: statusLine.map { .terminal($0) } ?? .log, logger: logger
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
                guard drain else {
                    await chainBuilder.shutdown()
                    throw CommandFailure.runtime(problem)
                }
                logger.warning("no metrics listener for this drain run", metadata: [LogKey.error: .string(problem)])
            }
        }
        // Queue depths and snapshots cost a broker connection and a poll of every queue: only for someone to read them.
        if configuration.metrics.listen != nil || configuration.metrics.publishIntervalSeconds > 0 {
            services.append(.init(service: reporter))
        }
        services.append(.init(service: ConfigurationReloader(
            running: configuration, load: reloadConfiguration, pipeline: pipeline, chainBuilder: chainBuilder,
            logLevel: logLevel, logger: logger
        )))
        services.append(.init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.processing.shutdownGraceSeconds)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)

        let started = ContinuousClock.now
        let startedAt = Date()
        do {
            try await group.run()
        } catch {
            await chainBuilder.shutdown()
            throw CommandFailure.runtime("\(error)")
        }
        await chainBuilder.shutdown()
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        let statistics = pipeline.statistics.snapshot()
        if drain {
            print(RunSummary(statistics: statistics, elapsedSeconds: elapsed, workers: pipeline.workerCount).text)
        }
        if let report {
            let input = DrainReportInput(
                startedAt: startedAt, finishedAt: Date(), elapsedSeconds: elapsed,
                workers: pipeline.workerCount, prefetch: configuration.processing.prefetch, statistics: statistics,
                providers: DrainReport.derivedProviderStatistics(statistics)
                    .merging(pipeline.chain.statistics.snapshot().mapValues(\.reportStatistics)) { _, requests in requests }
            )
            do {
                try Data(DrainReport.json(input)).write(to: URL(fileURLWithPath: report))
            } catch {
                throw CommandFailure.runtime("could not write the report to \(report): \(error.localizedDescription)")
            }
            logger.info("report written", metadata: ["file": .string(report)])
        }
    }
}
