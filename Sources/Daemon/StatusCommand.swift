import ArgumentParser
import Engine
import Foundation
import ServiceLifecycle

/// `tweetd status`: ready messages and consumers of every queue tweetd uses.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show ready messages and consumers of the input, retry, dead-letter and results queues, and the shared provider budgets.",
        discussion: """
            Counts come from passive declares: status never creates or changes a queue (a queue that \
            does not exist shows as missing). MESSAGES counts ready messages, not delivered unacked ones. \
            With --watch, RATE/S is the change of ready messages per second since the previous sample. \
            Each shared provider budget (providers.<name>.shared) shows the instances taking from it, \
            the instance that refills it, the tokens waiting and the cooldown, as its refiller last said.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, defaultAsFlag: 2.0, help: ArgumentHelp(
        "Repeat every SECONDS and add rates; Ctrl-C stops.", valueName: "seconds"
    ))
    var watch: Double? = nil

    @Flag(help: "One JSON object per sample on one line, for scripts.")
    var json = false

    func validate() throws {
        if let watch, !(watch >= 0.1) {
            throw ValidationError("--watch needs at least 0.1 seconds, got \(watch)")
        }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let logger = LoggingBootstrap.bootstrap(configuration.log).logger
        options.warnAboutSecretsOnCommandLine(logger)
        // Read only: status never declares, so a missing queue shows as missing.
        let publisher = try await PublisherConnection.startedForTool(configuration, name: "status", logger: logger, declaringTopology: false)
        let monitor = QueueStatusMonitor(
            publisher: publisher, queues: configuration.topology.monitoredQueues, broker: configuration.endpoint.redactedDescription,
            budgets: ProviderChainBuilder.sharedBudgetDefinitions(configuration)
        )
        let json = self.json
        // A table that repaints in place reads better than a scrolling one; pipes get plain text.
        let repaint = watch != nil && !json && isatty(STDOUT_FILENO) == 1
        let separateTables = watch != nil && !json && !repaint
        let show: @Sendable () async throws -> Void = {
            let report = try await monitor.next()
            let text = json ? report.json() : report.table()
            let prefix = repaint ? "\u{1B}[H\u{1B}[2J" : ""
            FileHandle.standardOutput.write(Data((prefix + text + (separateTables ? "\n\n" : "\n")).utf8))
        }
        do {
            if let watch {
                try await ServiceGroup.runUntilSignalled([RepeatingService(interval: .milliseconds(Int64(watch * 1000)), tick: show)], logger: logger)
            } else {
                try await show()
            }
        } catch {
            await publisher.close()
            throw CommandFailure.runtime("\(error)")
        }
        await publisher.close()
    }
}
