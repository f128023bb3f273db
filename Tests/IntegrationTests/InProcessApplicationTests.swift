import Engine
import Foundation
import Testing

/// A whole tweetd, built by ``TweetdApplication`` as `tweetd run` builds it, run inside the
/// test process on a real broker: the composition (services, their order, shutdown) is
/// tested without launching the binary.
@Suite("A whole tweetd in-process on a real broker", .serialized)
struct InProcessApplicationTests {
    /// Long enough for a few hundred tweets on a slow machine; after it the watchdog shuts the run down.
    static let limit = Duration.seconds(60)

    @Test("A drain run built in-process gives each of 200 tweets exactly one result and reports 200 settled")
    func drainRunSettlesEveryTweet() async throws {
        try await TestBroker.with { broker, client in
            let count = 200
            let ids = (0..<count).map { "inproc-\($0)" }
            let bodies = ids.map { tweetBody(id: $0, text: "In-process tweet \($0) about #swift, a good day") }
            try await broker.publish(bodies, priorities: (0..<count).map { $0 % 11 }, messageIDs: ids, with: client)

            let application = try await Self.build(broker, drain: true, workers: 8)
            let outcome = try await Self.run(application)

            #expect(outcome.elapsedSeconds < Self.limit / .seconds(1), "the drain ended by itself, not by the watchdog")
            #expect(outcome.statistics.settled == count)
            #expect(outcome.statistics.succeeded == count)
            #expect(outcome.providers["builtin"]?.ok == count)
            #expect(outcome.summary.text.contains("processed \(count) messages"))
            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            let resultIDs = try results.map { try #require(resultJSON($0)["id"] as? String) }
            #expect(results.count == count)
            #expect(Set(resultIDs) == Set(ids), "every tweet's id appears among the results")
            #expect(Set(resultIDs).count == resultIDs.count, "no tweet has two results")
            let input = try await broker.inspect(broker.inputQueue, with: client)
            #expect(input.messages == 0 && input.consumers == 0, "the input is empty and the run let go of it")
            #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0)
        }
    }

    @Test("A daemon built in-process keeps consuming until a graceful shutdown, then stops with nothing unacked")
    func gracefulShutdownStopsTheDaemon() async throws {
        try await TestBroker.with { broker, client in
            let application = try await Self.build(broker, drain: false, workers: 4)
            async let running = Self.run(application)

            let consuming = try await eventually(timeout: .seconds(30)) {
                try await broker.inspect(broker.inputQueue, with: client).consumers == 1
            }
            #expect(consuming, "the daemon started consuming")
            let ids = (0..<50).map { "live-\($0)" }
            try await broker.publish(ids.map { tweetBody(id: $0, text: "live tweet \($0)") }, messageIDs: ids, with: client)
            let settled = await eventually(timeout: .seconds(30)) { application.pipeline.statistics.snapshot().settled == ids.count }
            #expect(settled, "the running daemon settled what was published")
            #expect(try await broker.inspect(broker.inputQueue, with: client).consumers == 1, "an empty queue does not end a daemon")

            await application.triggerGracefulShutdown()
            let outcome = try await running

            #expect(outcome.elapsedSeconds < Self.limit / .seconds(1), "the shutdown was the test's, not the watchdog's")
            #expect(outcome.statistics.settled == ids.count)
            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            #expect(Set(try results.map { try #require(resultJSON($0)["id"] as? String) }) == Set(ids))
            let input = try await broker.inspect(broker.inputQueue, with: client)
            #expect(input.messages == 0 && input.consumers == 0, "nothing is left unacked and the consumer is gone")
        }
    }

    @Test("Cancelling the task of a daemon built in-process ends its run without an error and lets go of the input queue")
    func cancellationStopsTheDaemon() async throws {
        try await TestBroker.with { broker, client in
            let application = try await Self.build(broker, drain: false, workers: 4)
            let outcome = try await withThrowingTaskGroup(of: TweetdApplication.Outcome.self) { group in
                group.addTask { try await application.run() }
                let consuming = try await eventually(timeout: .seconds(30)) {
                    try await broker.inspect(broker.inputQueue, with: client).consumers == 1
                }
                #expect(consuming, "the daemon started consuming")
                group.cancelAll()
                return try await group.next()
            }

            #expect(outcome?.statistics.settled == 0)
            let input = try await broker.inspect(broker.inputQueue, with: client)
            #expect(input.consumers == 0, "the consumer is gone")
        }
    }

    /// A tweetd on `broker`'s names, taking no signals (they belong to the test process) and no API keys.
    static func build(_ broker: TestBroker, drain: Bool, workers: Int) async throws -> TweetdApplication {
        let configuration = try TweetdConfiguration.load(
            yaml: broker.configurationYAML(workers: workers, logLevel: "warning"), environment: [:]
        )
        return try await TweetdApplication.build(
            configuration: configuration,
            options: TweetdApplication.Options(drain: drain, environment: [:], gracefulShutdownSignals: []),
            logger: broker.logger,
            logLevel: LogLevelSwitch(.warning)
        )
    }

    /// Runs `application` to its end; after ``limit`` a watchdog shuts it down, so a hang fails
    /// the test's checks instead of stalling the suite.
    static func run(_ application: TweetdApplication) async throws -> TweetdApplication.Outcome {
        try await withThrowingTaskGroup(of: TweetdApplication.Outcome?.self) { group in
            group.addTask { try await application.run() }
            group.addTask {
                try await Task.sleep(for: limit)
                await application.triggerGracefulShutdown()
                return nil
            }
            while let finished = try await group.next() {
                if let outcome = finished {
                    group.cancelAll()
                    return outcome
                }
            }
            preconditionFailure("the run's task always returns an outcome or throws")
        }
    }
}
