@testable import Engine
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The pipeline's own logic on an in-memory broker: settlement, order, shutdown, drain,
/// lost connections and resizing. What RabbitMQ does is tested against a real node in
/// IntegrationTests; these run in milliseconds and need no broker.
@Suite("Pipeline on an in-memory broker")
struct PipelineTests {
    private let topology = TopologyConfiguration()

    /// A pipeline running in its own service group, as the daemon runs it.
    private struct Running {
        let broker: InMemoryBroker
        let pipeline: TweetPipeline
        let group: ServiceGroup
        let task: Task<Void, any Error>

        /// Graceful shutdown (SIGTERM), then waits for the run to end.
        func shutDown() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    private func start(
        _ broker: InMemoryBroker, workers: Int, prefetch: Int, drain: Bool = false, logger: Logger = Logger(label: "test")
    ) -> Running {
        var logger = logger
        logger.logLevel = .error
        let pipeline = TweetPipeline(
            broker: broker, topology: topology,
            outcomes: OutcomeBuilder(decoder: TweetDecoder(), topology: topology),
            settings: PipelineSettings(
                workers: workers, prefetch: prefetch, drain: drain, requeueDelay: .milliseconds(5), drainCheckInterval: .milliseconds(2)
            ),
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup)], logger: logger
        ))
        let task = Task { try await group.run() }
        return Running(broker: broker, pipeline: pipeline, group: group, task: task)
    }

    private func tweet(_ id: String, _ text: String = "a fine day for #swift") -> String {
        #"{"id":"\#(id)","text":"\#(text)"}"#
    }

    private func resultIDs(_ messages: [OutgoingMessage]) throws -> [String] {
        try messages.map { message in
            let object = try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any]
            return try #require(object?["id"] as? String)
        }
    }

    @Test("2,000 tweets with random priorities: exactly one result each, every delivery acked once, nothing left")
    func everyDeliveryGetsExactlyOneResult() async throws {
        let broker = InMemoryBroker(topology: topology)
        var random = SplitMix64(seed: 7)
        let ids = (0..<2000).map { "t\($0)" }
        for id in ids {
            broker.publishInput(tweet(id), priority: UInt8(random.next() % 11), messageID: id)
        }
        let running = start(broker, workers: 15, prefetch: 40, drain: true)
        try await running.task.value

        let snapshot = broker.snapshot
        let results = try resultIDs(broker.results)
        #expect(results.count == ids.count)
        #expect(Set(results) == Set(ids))
        #expect(snapshot.acked.count == ids.count)
        #expect(Set(snapshot.acked).count == ids.count, "no delivery acked twice")
        #expect(snapshot.unacked == 0 && snapshot.ready.values.reduce(0, +) == 0)
        #expect(snapshot.invalidSettles == 0, "no ack or nack of a tag already settled")
        #expect(broker.deadLetters.isEmpty)
        #expect(running.pipeline.statistics.snapshot().settled == ids.count)
    }

    @Test("Prefetched deliveries leave the buffer highest priority first, whatever order they arrived in")
    func bufferedDeliveriesGoHighestPriorityFirst() async throws {
        let broker = InMemoryBroker(topology: topology)
        broker.holdConfirms()
        let running = start(broker, workers: 1, prefetch: 100)
        broker.publishInput(tweet("blocker"), priority: 0)
        #expect(await broker.wait { $0.confirmsHeld == 1 }, "the one worker holds the first tweet")
        // These arrive one by one while the worker is busy: the pipeline's buffer orders them.
        let priorities = (0..<60).map { ($0 * 7) % 11 }
        for (index, priority) in priorities.enumerated() {
            broker.publishInput(tweet("p\(index)-\(priority)"), priority: UInt8(priority))
        }
        #expect(await broker.wait { $0.delivered.count == 61 })
        broker.releaseConfirms()
        #expect(await broker.wait { $0.published.count == 61 })
        try await running.shutDown()

        let order = try resultIDs(broker.results).dropFirst().map { Int($0.split(separator: "-")[1])! }
        #expect(order.count == 60)
        #expect(order == order.sorted(by: >), "results leave highest priority first: \(order)")
    }

    @Test("No delivery is acked before the broker confirms its result")
    func ackWaitsForTheConfirm() async throws {
        let broker = InMemoryBroker(topology: topology)
        broker.holdConfirms()
        let running = start(broker, workers: 4, prefetch: 4)
        for index in 0..<4 { broker.publishInput(tweet("c\(index)")) }
        #expect(await broker.wait { $0.confirmsHeld == 4 })
        #expect(broker.snapshot.acked.isEmpty, "nothing acked while the results wait for their confirms")
        #expect(broker.snapshot.unacked == 4)
        #expect(running.pipeline.inFlightCount == 4)
        broker.releaseConfirms()
        #expect(await broker.wait { $0.acked.count == 4 })
        #expect(broker.results.count == 4)
        try await running.shutDown()
    }

    @Test("A result the broker refuses leaves the input unacked and back in its queue; after the repair each tweet gets one result")
    func refusedResultReturnsTheInput() async throws {
        let broker = InMemoryBroker(topology: topology)
        let results = topology.resultsExchange
        broker.refusePublishes { $0.exchange == results ? AMQPError(.publishNacked, "refused by test") : nil }
        let running = start(broker, workers: 2, prefetch: 5)
        let ids = (0..<5).map { "r\($0)" }
        for id in ids { broker.publishInput(tweet(id)) }
        #expect(await broker.wait { $0.delivered.count >= 10 }, "each came back and was delivered again")
        #expect(broker.snapshot.acked.isEmpty)
        #expect(broker.snapshot.published.isEmpty, "nothing was dead-lettered instead")
        #expect(running.pipeline.statistics.snapshot().requeued >= 5)

        broker.refusePublishes(nil)
        #expect(await broker.wait { $0.acked.count == 5 })
        #expect(try resultIDs(broker.results).sorted() == ids)
        try await running.shutDown()
    }

    @Test("A dead letter refused twice goes in its minimal form: tweetd's headers, the category, no producer headers")
    func refusedDeadLetterGoesMinimal() async throws {
        let broker = InMemoryBroker(topology: topology)
        broker.refusePublishes { message in
            message.properties.headers["trace"] != nil ? AMQPError(.channelClosed, "PRECONDITION_FAILED - refused by test") : nil
        }
        let running = start(broker, workers: 1, prefetch: 1)
        broker.publishInput("{not json", headers: ["trace": .string("abc")])
        #expect(await broker.wait { $0.acked.count == 1 })
        let dead = try #require(broker.deadLetters.first)
        #expect(broker.deadLetters.count == 1)
        let refused = broker.snapshot.refused
        #expect(refused.count == 2, "the full copy was tried twice before the minimal form")
        #expect(refused.allSatisfy { $0.properties.headers["trace"] == .string("abc") })
        #expect(dead.properties.headers[DeadLetter.Header.category] == .string(ErrorCategory.invalidInput.rawValue))
        #expect(dead.properties.headers["trace"] == nil)
        #expect(dead.body == Array("{not json".utf8), "the body is untouched")
        try await running.shutDown()
    }

    @Test("Graceful shutdown: buffered deliveries go back at once, in-flight ones finish; a later drain leaves no duplicates")
    func gracefulShutdownFinishesInFlightAndReturnsTheRest() async throws {
        let broker = InMemoryBroker(topology: topology)
        broker.holdConfirms()
        let first = start(broker, workers: 2, prefetch: 10)
        let ids = (0..<10).map { "s\($0)" }
        for id in ids { broker.publishInput(tweet(id)) }
        #expect(await broker.wait { $0.confirmsHeld == 2 && $0.unacked == 10 })

        await first.group.triggerGracefulShutdown()
        #expect(await broker.wait { $0.ready.values.reduce(0, +) == 8 }, "the 8 no worker started are back in the queue")
        #expect(first.pipeline.readiness.ready == false)
        #expect(first.pipeline.readiness.reason == "shutting down")
        #expect(broker.snapshot.acked.isEmpty, "the two in flight still wait for their confirms")
        broker.releaseConfirms()
        try await first.task.value
        #expect(broker.snapshot.acked.count == 2)
        #expect(broker.results.count == 2)
        #expect(first.pipeline.isStopped)

        let drain = start(broker, workers: 2, prefetch: 10, drain: true)
        try await drain.task.value
        let results = try resultIDs(broker.results)
        #expect(results.count == ids.count, "no duplicates")
        #expect(Set(results) == Set(ids), "nothing lost")
        #expect(broker.snapshot.invalidSettles == 0)
    }

    @Test("Drain mode does not end while a retry waits in a delay queue; it ends once that retry has its result")
    func drainWaitsForRetries() async throws {
        let broker = InMemoryBroker(topology: topology)
        for index in 0..<3 { broker.publishInput(tweet("d\(index)")) }
        // A retry of an earlier run, waiting in its delay queue.
        try await broker.makeSink().publish(
            OutgoingMessage(exchange: topology.retryExchange, routingKey: topology.inputQueueNames[0], body: Array(tweet("waiting").utf8)),
            onConfirmed: nil
        )
        let running = start(broker, workers: 2, prefetch: 4, drain: true)
        #expect(await broker.wait { $0.acked.count == 3 })
        let checks = broker.retryChecks
        #expect(await broker.wait { _ in broker.retryChecks >= checks + 5 }, "the drain check keeps looking")
        #expect(!running.pipeline.isStopped, "a waiting retry keeps the drain going")

        broker.expireRetries()
        try await running.task.value
        #expect(try resultIDs(broker.results).sorted() == ["d0", "d1", "d2", "waiting"])
    }

    @Test("A lost consumer connection: its buffered deliveries are dropped, not processed; only the one in flight comes twice")
    func lostConnectionDropsBufferedDeliveries() async throws {
        let broker = InMemoryBroker(topology: topology)
        broker.holdConfirms()
        let running = start(broker, workers: 1, prefetch: 10, drain: true)
        let ids = (0..<10).map { "l\($0)" }
        for id in ids { broker.publishInput(tweet(id)) }
        #expect(await broker.wait { $0.confirmsHeld == 1 && $0.unacked == 10 })
        #expect(running.pipeline.messageCounts.buffered == 9)

        broker.loseConsumerConnection()
        // The 9 buffered copies of the lost connection are gone; the broker's 10 redeliveries wait (19 if they stayed).
        #expect(running.pipeline.messageCounts.buffered == 10, "the lost connection's copies are gone from the buffer")
        broker.releaseConfirms()
        try await running.task.value

        let results = try resultIDs(broker.results)
        let duplicates = results.count - Set(results).count
        #expect(Set(results) == Set(ids), "nothing lost")
        #expect(duplicates == 1, "only the delivery in flight at the loss has a second result (at least once): \(duplicates)")
        #expect(broker.snapshot.invalidSettles == 0, "the lost connection's ack was dropped, not sent on the new one")
    }

    @Test("A reload raising the workers starts them at once; lowering them loses nothing")
    func resizingWorkers() async throws {
        let broker = InMemoryBroker(topology: topology)
        broker.holdConfirms()
        let running = start(broker, workers: 1, prefetch: 10)
        let ids = (0..<10).map { "w\($0)" }
        for id in ids { broker.publishInput(tweet(id)) }
        #expect(await broker.wait { $0.confirmsHeld == 1 })
        running.pipeline.resize(workers: 4, prefetch: 20)
        #expect(await broker.wait { $0.confirmsHeld == 4 }, "three more workers started")
        #expect(broker.snapshot.prefetch == 20, "the consumer has the new prefetch")
        #expect(running.pipeline.workerCount == 4)

        running.pipeline.resize(workers: 1, prefetch: 20)
        broker.releaseConfirms()
        #expect(await broker.wait { $0.acked.count == 10 })
        #expect(try resultIDs(broker.results).sorted() == ids.sorted())
        #expect(broker.snapshot.invalidSettles == 0)
        try await running.shutDown()
    }

    @Test("A body too large to read is rejected without requeue and counted as an invalid_input dead letter")
    func unreadBodyIsRejected() async throws {
        let broker = InMemoryBroker(topology: topology)
        let running = start(broker, workers: 1, prefetch: 2, drain: true)
        broker.publishInput("", unreadBodyBytes: 50_000_000)
        broker.publishInput(tweet("after"))
        try await running.task.value
        #expect(broker.snapshot.rejected.count == 1)
        #expect(try resultIDs(broker.results) == ["after"])
        #expect(running.pipeline.statistics.snapshot().deadLetters[.invalidInput] == 1)
    }
}
