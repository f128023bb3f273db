import Engine
import Foundation
import Testing

/// `tweetd replay` on a real broker: dead letters go back to the input with fresh attempts,
/// filters pick what moves, and no interruption loses a message.
@Suite("Replaying dead letters on a real broker")
struct ReplayTests {
    /// Runs `tweetd ARGUMENTS` to completion and returns it, failing the test on a timeout.
    private func runTool(_ arguments: [String], broker: TestBroker, environment: [String: String] = [:]) async throws -> (DaemonProcess, Int32?) {
        let tool = try DaemonProcess(arguments: arguments, configuration: broker.configurationYAML(workers: 2), environment: environment)
        let status = await tool.waitForExit(timeout: .seconds(60))
        return (tool, status)
    }

    @Test("Dead letters fixed by a config change come back with replay, with fresh attempts, and get their results")
    func fixedDeadLettersSucceedAfterReplay() async throws {
        try await TestBroker.with { broker, client in
            let ids = (0..<5).map { "long-\($0)" }
            try await broker.publish(
                ids.map { tweetBody(id: $0, text: "This tweet is longer than ten characters, number \($0)") },
                priorities: [3, 3, 3, 3, 3], messageIDs: ids, with: client
            )
            // A first daemon with a text limit set too low dead-letters every one of them.
            let strict = try DaemonProcess(
                arguments: ["run", "--drain"],
                configuration: broker.configurationYAML(workers: 2, processing: ["max_text_chars: 10"])
            )
            #expect(await strict.waitForExit(timeout: .seconds(60)) == 0, "stderr:\n\(strict.standardError.suffix(2000))")
            #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == ids.count)

            let (replay, status) = try await runTool(["replay"], broker: broker)
            print(replay.standardOutput)
            #expect(status == 0, "stderr:\n\(replay.standardError)")
            #expect(replay.standardOutput.contains("replayed 5 of 5 dead letters (by category: invalid_input=5)"))
            #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0, "the dead-letter queue is empty")

            let replayed = try await broker.peek(broker.inputQueue, with: client)
            #expect(Set(replayed.compactMap(\.properties.messageId)) == Set(ids), "every dead letter is back in the input")
            for message in replayed {
                let headers = message.properties.headers
                #expect(headers["x-replays"]?.integerValue == 1)
                #expect(headers["x-error-category"] == nil && headers["x-attempts"] == nil && headers["x-last-failed-at"] == nil)
                #expect(message.properties.priority == 3, "properties are kept")
                #expect(message.exchange == "", "straight back to the queue it was consumed from")
                #expect(message.routingKey == broker.inputQueue)
                #expect(headers["x-original-routing-key"]?.stringValue == "tweet", "the original routing key is kept")
            }

            // A daemon with the default limit now analyses them.
            let fixed = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 2))
            #expect(await fixed.waitForExit(timeout: .seconds(60)) == 0, "stderr:\n\(fixed.standardError.suffix(2000))")
            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            let resultIDs = try results.map { try #require(resultJSON($0)["id"] as? String) }
            #expect(Set(resultIDs) == Set(ids) && resultIDs.count == ids.count, "one result per replayed tweet")
            for result in results {
                #expect(try resultJSON(result)["attempts"] as? Int == 1, "a replayed message starts with fresh attempts")
            }
            #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0)
        }
    }

    @Test("A dead letter's hostile x-original-exchange cannot make replay publish elsewhere, and x-replays at Int64.max does not trap")
    func replayIgnoresHostileDestinations() async throws {
        try await TestBroker.with { broker, client in
            // Somewhere tweetd may write to, that is not the input: the results exchange.
            let results = broker.topology.resultsExchange
            try await client.publish(OutgoingMessage(
                exchange: broker.topology.deadLetterExchange, routingKey: "tweet",
                properties: MessageProperties(
                    contentType: "application/json",
                    headers: [
                        "x-error-category": .string("invalid_input"), "x-original-exchange": .string(results),
                        "x-original-routing-key": .string("builtin.positive"), "x-replays": .integer(.max),
                    ],
                    deliveryMode: MessageProperties.persistent, messageId: "hostile"
                ),
                body: tweetBody(id: "hostile", text: "a dead letter written by a producer")
            ))
            let (replay, status) = try await runTool(["replay"], broker: broker)
            #expect(status == 0, "stderr:\n\(replay.standardError)")
            #expect(try await broker.inspect(try #require(broker.topology.resultsQueue), with: client).messages == 0, "nothing went to the results")
            let input = try await broker.peek(broker.inputQueue, with: client)
            #expect(input.count == 1, "it went to the configured input exchange instead")
            #expect(input.first?.properties.headers["x-replays"]?.integerValue == 1, "a count tweetd could not have written counts as none")
        }
    }

    @Test("A pass that held skipped dead letters past its limit stops, gives them back, and says to run again")
    func longPassStopsBeforeTheConsumerTimeout() async throws {
        try await TestBroker.with { broker, client in
            for index in 0..<6 {
                let category = index.isMultiple(of: 2) ? "provider_unavailable" : "invalid_input"
                try await broker.publishDeadLetter(id: "held-\(index)", category: category, message: "HTTP 503", with: client)
            }
            let replayer = DeadLetterReplayer(publisher: client, topology: broker.topology)
            // A zero limit stands in for 20 minutes: the pass stops at the first batch that left something held.
            let outcome = await replayer.run(DeadLetterReplayer.Options(
                filter: DeadLetterFilter(categories: ["provider_unavailable"]), batchSize: 2, maximumHold: .zero
            ))
            print(outcome.summary)
            #expect(outcome.interruption?.contains("run tweetd replay again") == true)
            #expect(outcome.examined < 6, "it stopped before the end of the queue")
            let left = try await eventually(timeout: .seconds(10)) {
                try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 6 - outcome.replayed
            }
            #expect(left, "the held dead letters are back in the queue")
            #expect(try await broker.peek(broker.inputQueue, with: client).count == outcome.replayed)
        }
    }

    @Test("An input queue that refuses republishes (full, reject-publish-dlx) stops the pass at the first refused batch; nothing is lost")
    func fullInputStopsThePass() async throws {
        try await TestBroker.with { broker, client in
            for index in 0..<6 {
                try await broker.publishDeadLetter(id: "full-\(index)", category: "provider_unavailable", message: "HTTP 503", with: client)
            }
            let policy = "\(broker.prefix)-full"
            try await ChaosTests.brokerctl(
                ["set_policy", "--apply-to", "queues", policy, "^\(broker.inputQueue)$", #"{"max-length":0,"overflow":"reject-publish-dlx"}"#],
                node: .shared
            )
            let outcome = await DeadLetterReplayer(publisher: client, topology: broker.topology).run(DeadLetterReplayer.Options(batchSize: 2))
            try await ChaosTests.brokerctl(["clear_policy", policy], node: .shared)
            print(outcome.summary)
            #expect(outcome.replayed == 0)
            #expect(outcome.interruption?.contains("refused") == true)
            #expect(outcome.examined == 2, "it stopped after the first batch")
            // The 6 dead letters are all still there; reject-publish-dlx added a copy of each refused one (2), no more.
            let dead = try await eventually(timeout: .seconds(10)) {
                try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 6 + 2
            }
            let deadCount = try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages
            #expect(dead, "\(deadCount) dead letters")
        }
    }

    @Test("A replay into a full drop-head input queue says how many waiting tweets it pushed out, and exits non-zero")
    func dropHeadEvictionIsReported() async throws {
        try await TestBroker.with { broker, client in
            let policy = "\(broker.prefix)-drophead"
            try await ChaosTests.brokerctl(
                ["set_policy", "--apply-to", "queues", policy, "^\(broker.inputQueue)$", #"{"max-length":3,"overflow":"drop-head"}"#],
                node: .shared
            )
            try await broker.publish((0..<3).map { tweetBody(id: "waiting-\($0)", text: "waiting") }, messageIDs: (0..<3).map { "waiting-\($0)" }, with: client)
            for index in 0..<2 {
                try await broker.publishDeadLetter(id: "back-\(index)", category: "provider_unavailable", message: "HTTP 503", with: client)
            }
            let outcome = await DeadLetterReplayer(publisher: client, topology: broker.topology).run(DeadLetterReplayer.Options())
            try await ChaosTests.brokerctl(["clear_policy", policy], node: .shared)
            print(outcome.summary)
            #expect(outcome.replayed == 2)
            #expect(outcome.interruption?.contains("2 waiting tweets were pushed out") == true)
            #expect(!outcome.succeeded, "the exit code says something went wrong")
            let dead = try await broker.peek(broker.topology.deadLetterQueue, with: client).compactMap(\.properties.messageId)
            #expect(Set(dead) == ["waiting-0", "waiting-1"], "the pushed-out tweets are in the dead-letter queue, not lost")
        }
    }

    @Test("A replay killed between republish confirms and acks loses nothing; a second replay finishes the job")
    func interruptedReplayLosesNothing() async throws {
        try await TestBroker.with { broker, client in
            let ids = (0..<10).map { "dl-\($0)" }
            for id in ids {
                try await broker.publishDeadLetter(id: id, category: "provider_unavailable", message: "HTTP 503", with: client)
            }

            // The test hook makes replay SIGKILL itself after the third confirm, before any ack is sent.
            let (crashed, status) = try await runTool(["replay"], broker: broker, environment: ["TWEETD_REPLAY_CRASH_AFTER": "3"])
            #expect(status == SIGKILL, "replay died by SIGKILL; stdout:\n\(crashed.standardOutput)\nstderr:\n\(crashed.standardError)")

            // Its connection is gone, so the broker has put back whatever it had not acked.
            let settled = try await eventually(timeout: .seconds(10)) {
                try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == ids.count
            }
            #expect(settled, "no dead letter was acked, so all are still in the dead-letter queue")
            let dead = try await broker.peek(broker.topology.deadLetterQueue, with: client).compactMap(\.properties.messageId)
            let input = try await broker.peek(broker.inputQueue, with: client).compactMap(\.properties.messageId)
            print("after the crash: dead \(dead.count), input \(input.count), duplicates \(dead.count + input.count - ids.count)")
            #expect(Set(dead).union(input) == Set(ids), "every message is in one queue or the other")
            #expect(input.count >= 3, "the confirmed republishes are in the input")

            let (second, secondStatus) = try await runTool(["replay"], broker: broker)
            #expect(secondStatus == 0, "stderr:\n\(second.standardError)")
            #expect(second.standardOutput.contains("replayed 10 of 10 dead letters"), "\(second.standardOutput)")
            #expect(try await broker.inspect(broker.topology.deadLetterQueue, with: client).messages == 0)
            let finalInput = try await broker.peek(broker.inputQueue, with: client).compactMap(\.properties.messageId)
            #expect(Set(finalInput) == Set(ids), "all ten are in the input, some twice: \(finalInput.count) messages")
        }
    }

    @Test("--dry-run moves nothing, --older-than skips fresh ones, --category and --limit move only what they name")
    func filtersPickWhatMoves() async throws {
        try await TestBroker.with { broker, client in
            // Three invalid_input dead letters made by the daemon from bad JSON…
            try await broker.publish(
                [Array("{not json".utf8), Array("[1,2".utf8), Array("{\"id\":\"x\"}".utf8)], messageIDs: ["bad-0", "bad-1", "bad-2"], with: client
            )
            let daemon = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 2))
            #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "stderr:\n\(daemon.standardError.suffix(2000))")
            // …and two provider_unavailable ones made by hand.
            for id in ["prov-0", "prov-1"] {
                try await broker.publishDeadLetter(id: id, category: "provider_unavailable", message: "HTTP 503 after 4 attempts", with: client)
            }
            let deadQueue = broker.topology.deadLetterQueue
            #expect(try await broker.inspect(deadQueue, with: client).messages == 5)

            let (dryRun, dryStatus) = try await runTool(["replay", "--dry-run"], broker: broker)
            print(dryRun.standardOutput)
            #expect(dryStatus == 0, "stderr:\n\(dryRun.standardError)")
            #expect(dryRun.standardOutput.contains("would replay 5 of 5 dead letters (by category: invalid_input=3, provider_unavailable=2)"))
            #expect(dryRun.standardOutput.contains("prov-0  provider_unavailable  HTTP 503 after 4 attempts"))
            #expect(try await broker.inspect(deadQueue, with: client).messages == 5, "a dry run moves nothing")
            #expect(try await broker.inspect(broker.inputQueue, with: client).messages == 0)

            let (aged, agedStatus) = try await runTool(["replay", "--older-than", "1h"], broker: broker)
            #expect(agedStatus == 0)
            #expect(aged.standardOutput.contains("replayed 0 of 5 dead letters"), "\(aged.standardOutput)")
            #expect(try await broker.inspect(deadQueue, with: client).messages == 5, "none failed an hour ago")

            let (byCategory, categoryStatus) = try await runTool(["replay", "--category", "provider_unavailable"], broker: broker)
            print(byCategory.standardOutput)
            #expect(categoryStatus == 0, "stderr:\n\(byCategory.standardError)")
            #expect(byCategory.standardOutput.contains("replayed 2 of 5 dead letters (by category: provider_unavailable=2)"))
            let input = try await broker.peek(broker.inputQueue, with: client)
            #expect(Set(input.compactMap(\.properties.messageId)) == ["prov-0", "prov-1"])
            let left = try await broker.peek(deadQueue, with: client)
            #expect(left.count == 3)
            #expect(left.allSatisfy { $0.properties.headers["x-error-category"]?.stringValue == "invalid_input" })

            let (limited, limitStatus) = try await runTool(["replay", "--category", "invalid_input,internal", "--limit", "1"], broker: broker)
            #expect(limitStatus == 0)
            #expect(limited.standardOutput.contains("replayed 1 of 3 dead letters (by category: invalid_input=1)"), "\(limited.standardOutput)")
            #expect(try await broker.inspect(deadQueue, with: client).messages == 2)

            let (typo, typoStatus) = try await runTool(["replay", "--category", "invalid"], broker: broker)
            #expect(typoStatus == 2, "a misspelt category is a usage error")
            #expect(typo.standardError.contains("unknown category 'invalid'"))
        }
    }
}
