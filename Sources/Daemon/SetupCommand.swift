import ArgumentParser
import Engine

/// `tweetd setup`: declares the exchanges and queues.
struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Declare the exchanges and queues (idempotent)."
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let logger = LoggingBootstrap.bootstrap(configuration.log).logger
        options.warnAboutSecretsOnCommandLine(logger)
        let topology = configuration.topology
        let publisher = PublisherConnection(endpoint: configuration.endpoint, name: "setup", logger: logger)
        do {
            try await publisher.start()
            try await publisher.perform { admin throws(AMQPError) in try topology.declare(using: admin) }
        } catch {
            await publisher.close()
            throw CommandFailure.runtime("setup failed: \(error)")
        }
        await publisher.close()
        print("declared on \(configuration.endpoint.redactedDescription):")
        print("  exchange \(topology.exchange) (topic) -> " + topology.queues.map { "\($0.name) [\($0.bindings.joined(separator: " "))]" }.joined(separator: ", ")
            + (topology.queueType == .classic
                ? " (x-max-priority \(topology.maxPriority))"
                : " (quorum: the broker keeps no priority order; tweetd orders what it prefetched)"))
        let type = topology.queueType == .quorum ? " (quorum)" : ""
        print("  exchange \(topology.resultsExchange) (topic)" + (topology.resultsQueue.map { " -> \($0) [#]\(type)" } ?? ""))
        print("  exchange \(topology.deadLetterExchange) (topic) -> \(topology.deadLetterQueue) [#]\(type)")
        print("  exchange \(topology.retryExchange) (headers) -> " + topology.retryQueues.joined(separator: ", "))
        print("  exchange \(topology.metricsExchange) (topic)")
    }
}
