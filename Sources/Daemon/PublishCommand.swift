import ArgumentParser
import Engine
import Foundation

/// `tweetd publish FILE`: publishes tweets from a JSON-lines or CSV file, confirmed.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish tweets from a JSON-lines or CSV file to the input exchange.",
        discussion: """
            Each line (or CSV row) becomes one persistent message, published with confirms. \
            Invalid lines are published as they are: the daemon dead-letters them with a reason.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "File to read: JSON lines (one tweet per line) or CSV with a header row.")
    var file: String

    @Option(help: "AMQP priority: a number from 0 to topology.max_priority, or 'auto' (computed from the tweet).")
    var priority: String = "0"

    @Option(help: "Routing key for every message.")
    var routingKey: String = "tweet"

    @Option(help: "File format: jsonl or csv (default: from the file name).")
    var format: String?

    @Option(help: "Publishes waiting for their confirm at once.")
    var window: Int = 1000

    func validate() throws {
        if priority != "auto", Int(priority) == nil {
            throw ValidationError("--priority must be a number or 'auto', got '\(priority)'")
        }
        if let format, TweetFileReader.Format(rawValue: format) == nil {
            throw ValidationError("--format must be jsonl or csv, got '\(format)'")
        }
        if window < 1 {
            throw ValidationError("--window must be at least 1")
        }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let logger = LoggingBootstrap.bootstrap(configuration.log).logger
        options.warnAboutSecretsOnCommandLine(logger)
        let topology = configuration.topology
        let priorityChoice = try PriorityChoice(priority, maxPriority: topology.maxPriority)

        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure.usage("cannot read \(file)")
        }
        let fileFormat = format.flatMap(TweetFileReader.Format.init(rawValue:)) ?? TweetFileReader.format(forPath: file)
        let bodies: [[UInt8]]
        do {
            bodies = try TweetFileReader.bodies(from: Array(data), format: fileFormat)
        } catch {
            throw CommandFailure.usage("\(file): \(error)")
        }

        let decoder = configuration.tweetDecoder
        let scorer = PriorityScorer()
        let now = Date()
        let messages = bodies.map { body -> OutgoingMessage in
            let tweet = try? decoder.decode(body)
            let priority: Int
            switch priorityChoice {
            case .fixed(let value): priority = value
            case .auto: priority = tweet.map { scorer.priority(forScore: scorer.score($0, now: now), maxPriority: topology.maxPriority) } ?? 0
            }
            return OutgoingMessage(
                exchange: topology.exchange,
                routingKey: routingKey,
                mandatory: true,
                properties: MessageProperties(
                    contentType: "application/json",
                    deliveryMode: MessageProperties.persistent,
                    priority: UInt8(priority),
                    messageId: tweet?.id,
                    timestamp: UInt64(now.timeIntervalSince1970),
                    appId: "tweetd-publish"
                ),
                body: body
            )
        }

        let publisher = try await PublisherConnection.startedForTool(configuration, name: "publish", logger: logger)
        let started = ContinuousClock.now
        let failures = await Self.publishAll(messages, with: publisher, window: window)
        await publisher.close()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        if let first = failures.first {
            throw CommandFailure.runtime("\(failures.count) of \(messages.count) messages were not confirmed; first: \(first)")
        }
        let rate = seconds > 0 ? Double(messages.count) / seconds : 0
        print("published \(messages.count) messages from \(file) to exchange \(topology.exchange) "
            + "(routing key \(routingKey), priority \(priority)) in \(String(format: "%.2f", seconds)) s (\(Int(rate)) msg/s)")
    }

    /// Publishes with at most `window` confirms outstanding; returns the errors.
    private static func publishAll(_ messages: [OutgoingMessage], with publisher: PublisherConnection, window: Int) async -> [AMQPError] {
        await withTaskGroup(of: AMQPError?.self) { group in
            var failures: [AMQPError] = []
            var next = 0
            func collect(_ error: AMQPError??) { if let error, let error { failures.append(error) } }
            while next < messages.count {
                if next >= window { collect(await group.next()) }
                let message = messages[next]
                group.addTask {
                    do throws(AMQPError) {
                        try await publisher.publish(message)
                        return nil
                    } catch {
                        return error
                    }
                }
                next += 1
            }
            for await error in group { collect(error) }
            return failures
        }
    }
}

/// `--priority N` or `--priority auto`.
enum PriorityChoice {
    case fixed(Int)
    case auto

    init(_ text: String, maxPriority: Int) throws {
        if text == "auto" {
            self = .auto
            return
        }
        guard let value = Int(text), (0...maxPriority).contains(value) else {
            throw CommandFailure.usage("--priority must be 'auto' or a number from 0 to \(maxPriority), got '\(text)'")
        }
        self = .fixed(value)
    }
}
