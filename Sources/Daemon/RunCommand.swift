import ArgumentParser
import Engine
import Foundation
import Logging
import Metrics
import Prometheus

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

        let registry = PrometheusCollectorRegistry()
        // Anything else in the process that uses swift-metrics lands in the same registry.
        MetricsSystem.bootstrap(TweetdMetrics.prometheusFactory(registry: registry))
        let application: TweetdApplication
        do {
            application = try await TweetdApplication.build(
                configuration: configuration,
                options: TweetdApplication.Options(
                    drain: drain, progressInterval: progressInterval,
                    progressDisplay: statusLine.map { .terminal($0) } ?? .log, reload: reloadConfiguration
                ),
                logger: logger, logLevel: logLevel, registry: registry
            )
        } catch {
            switch error.code {
            case .providerChain: throw CommandFailure.usage(error.message)
            case .metricsListener: throw CommandFailure.runtime(error.message)
            }
        }
        let outcome: TweetdApplication.Outcome
        do {
            outcome = try await application.run()
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
        if drain {
            print(outcome.summary.text)
        }
        if let report {
            do {
                try Data(DrainReport.json(outcome.reportInput)).write(to: URL(fileURLWithPath: report))
            } catch {
                throw CommandFailure.runtime("could not write the report to \(report): \(error.localizedDescription)")
            }
            logger.info("report written", metadata: ["file": .string(report)])
        }
    }
}
