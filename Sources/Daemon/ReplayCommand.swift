import ArgumentParser
import Engine
import Foundation

/// `tweetd replay`: dead letters back to the input exchange, each acked off the
/// dead-letter queue only after its republish is confirmed.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Move dead letters back to the input exchange, with fresh attempts.",
        discussion: """
            Each dead letter goes to its x-original-exchange (else topology.exchange) with its \
            x-original-routing-key, body and properties untouched, without the x-error-*, x-attempts, \
            x-first-failed-at, x-last-failed-at and x-provider headers, and with x-replays counting one more. \
            It leaves the dead-letter queue only after the broker confirmed the republish: an interrupted \
            replay loses nothing (a message may at worst be in both queues). One pass looks at no more \
            messages than the queue held when it began; the ones that do not match stay.
            """
    )

    /// Test hook: die with SIGKILL after this many confirmed republishes, before their acks.
    static let crashAfterVariable = "TWEETD_REPLAY_CRASH_AFTER"

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp(
        "Only dead letters of this x-error-category; repeat it or give a comma-separated list.",
        valueName: "category"
    ))
    var category: [String] = []

    @Option(help: "Replay at most this many dead letters.")
    var limit: Int?

    @Option(help: ArgumentHelp("Only dead letters whose x-last-failed-at is at least this long ago: 30s, 10m, 2h, 1d.", valueName: "duration"))
    var olderThan: String?

    @Flag(help: "Count the dead letters by category and show a few; move nothing.")
    var dryRun = false

    func validate() throws {
        if let limit, limit < 1 {
            throw ValidationError("--limit must be at least 1, got \(limit)")
        }
        _ = try filter()
    }

    private func filter() throws -> DeadLetterFilter {
        do {
            let categories = try DeadLetterFilter.categories(from: category)
            let age = try olderThan.map { text throws(HumanDuration.ParseError) in try HumanDuration.parse(text) }
            return DeadLetterFilter(categories: categories, olderThan: age)
        } catch {
            throw ValidationError(String(describing: error))
        }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let logger = LoggingBootstrap.bootstrap(configuration.log).logger
        options.warnAboutSecretsOnCommandLine(logger)
        let topology = configuration.topology
        let publisher = try await PublisherConnection.startedForTool(configuration, name: "replay", logger: logger)
        let crashAfter = ProcessInfo.processInfo.environment[Self.crashAfterVariable].flatMap { Int($0) }
        let outcome = await DeadLetterReplayer(publisher: publisher, topology: topology).run(
            DeadLetterReplayer.Options(filter: try filter(), limit: limit, dryRun: dryRun),
            onConfirmed: { confirmed in
                if let crashAfter, confirmed >= crashAfter {
                    kill(getpid(), SIGKILL)
                }
            }
        )
        await publisher.close()
        print(outcome.summary)
        if !outcome.succeeded {
            throw CommandFailure.runtime("replay incomplete: the dead letters not moved are still in \(topology.deadLetterQueue)")
        }
    }
}
