import ArgumentParser
import Engine
import Foundation
import ServiceLifecycle

/// `tweetd subscribe`: results as JSON lines on standard output, for `jq`.
struct SubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print results (or, with --metrics, metric snapshots) as they are published: one JSON line each (for jq), or one line for people.",
        discussion: """
            Results come from a private queue (exclusive, auto-delete) bound to topology.results_exchange, \
            so the durable results queue and other subscribers are not disturbed. Results published \
            before the subscription started are not shown. With --metrics the queue is bound to \
            topology.metrics_exchange instead (default binding metrics.#: every instance). \
            SIGINT or SIGTERM stop it with exit code 0.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("binding"), help: ArgumentHelp(
        "Topic pattern (results: <provider>.<sentiment>, metrics: metrics.<instance>); repeatable. Default: # (metrics.# with --metrics).",
        valueName: "pattern"
    ))
    var bindings: [String] = []

    @Option(help: "Exit 0 after this many messages.")
    var count: Int?

    @Flag(help: "Metric snapshots from topology.metrics_exchange instead of results.")
    var metrics = false

    @Flag(help: "One short line per result for people instead of JSON.")
    var pretty = false

    func validate() throws {
        if let count, count < 1 {
            throw ValidationError("--count must be at least 1, got \(count)")
        }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let logger = LoggingBootstrap.bootstrap(configuration.log).logger
        options.warnAboutSecretsOnCommandLine(logger)
        let topology = configuration.topology
        let bindings = self.bindings.isEmpty ? [metrics ? "metrics.#" : "#"] : self.bindings
        let pretty = self.pretty
        let metrics = self.metrics
        let exchange = metrics ? topology.metricsExchange : topology.resultsExchange
        let subscriber = ResultSubscriber(
            endpoint: configuration.endpoint, topology: topology, bindings: bindings, count: count, exchange: exchange, logger: logger,
            onReady: { queue in
                logger.info("subscribed to \(exchange) with \(bindings.joined(separator: " "))", metadata: [LogKey.queue: .string(queue)])
            },
            onResult: { delivery in
                let line: String
                if pretty {
                    line = metrics ? MetricsSnapshot.humanLine(delivery.body) : ResultLine.human(delivery.body)
                } else if let json = ResultLine.json(delivery.body) {
                    line = json
                } else {
                    logger.warning("skipping a result that is not JSON", metadata: ["bytes": .stringConvertible(delivery.body.count)])
                    return false
                }
                // Unbuffered, so a pipe into jq sees each result as it arrives.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
                return true
            }
        )
        do {
            try await ServiceGroup.runUntilSignalled([subscriber], logger: logger)
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
    }
}
