import ArgumentParser
import Engine
import Foundation
import Logging
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

    func run() async throws {
        var overrides: [String: String] = [:]
        if let workers { overrides["processing.workers"] = String(workers) }
        if let prefetch { overrides["processing.prefetch"] = String(prefetch) }
        let configuration = try options.loadConfiguration(overrides: overrides)
        let logger = LoggingBootstrap.bootstrap(configuration.log)
        logger.info("starting tweetd \(TweetdVersion.current)", metadata: [
            "config": .string(options.configurationPath(environment: ProcessInfo.processInfo.environment) ?? "(defaults)"),
            "broker": .string(configuration.endpoint.redactedDescription),
            "workers": .stringConvertible(configuration.processing.workers),
            "prefetch": .stringConvertible(configuration.processing.prefetch),
            "chain": .string(configuration.processing.chain.joined(separator: ",")),
        ])

        let topology = configuration.topology
        let pipeline = TweetPipeline(
            endpoint: configuration.endpoint,
            topology: topology,
            processor: MessageProcessor(decoder: configuration.tweetDecoder, topology: topology),
            settings: configuration.pipelineSettings(drain: drain),
            reconnect: configuration.reconnectSettings,
            logger: logger
        )
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.processing.shutdownGraceSeconds)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)

        let started = ContinuousClock.now
        do {
            try await group.run()
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
        if drain {
            let elapsed = (ContinuousClock.now - started) / .seconds(1)
            print(RunSummary(statistics: pipeline.statistics.snapshot(), elapsedSeconds: elapsed, workers: configuration.processing.workers).text)
        }
    }
}

/// The human summary printed at the end of a drain run.
struct RunSummary {
    var statistics: PipelineStatistics.Snapshot
    var elapsedSeconds: Double
    var workers: Int

    var text: String {
        let settled = statistics.settled
        let rate = elapsedSeconds > 0 ? Double(settled) / elapsedSeconds : 0
        var lines = [
            "processed \(settled) messages in \(String(format: "%.2f", elapsedSeconds)) s (\(String(format: "%.0f", rate)) msg/s, \(workers) workers)",
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
        if !statistics.priorities.isEmpty {
            lines.append("  by priority: " + statistics.priorities.sorted { $0.key > $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
