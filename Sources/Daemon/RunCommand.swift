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
