import Engine
import Foundation
import Logging
import Synchronization
import Testing

/// The small AMQP additions the tools rely on, on a real broker.
@Suite("Fetching and settling on the control channel")
struct BrokerAdminFetchTests {
    @Test("A fetched message stays the broker's until acknowledged or requeued, in its place")
    func fetchAcknowledgeRequeue() async throws {
        try await TestBroker.with { broker, client in
            try await broker.publish((0..<3).map { tweetBody(id: "f\($0)", text: "fetch") }, messageIDs: ["f0", "f1", "f2"], with: client)
            let queue = broker.inputQueue
            let fetched = try await client.perform { admin throws(AMQPError) in
                let first = try admin.fetch(from: queue)
                let second = try admin.fetch(from: queue)
                if let first { try admin.acknowledge(first) }
                return second
            }
            let held = try #require(fetched)
            #expect(held.properties.messageId == "f1")
            #expect(try await broker.inspect(queue, with: client).messages == 1, "one acked, one held, one ready")
            try await client.perform { admin throws(AMQPError) in try admin.requeue(held) }
            let left = try await broker.takeAll(from: queue, with: client).compactMap(\.properties.messageId)
            #expect(left == ["f1", "f2"], "the requeued message is back in its place")
        }
    }

    @Test("A fetched message whose channel closed cannot be settled, and the broker has put it back")
    func staleMessageIsNotSettled() async throws {
        try await TestBroker.with { broker, client in
            try await broker.publish([tweetBody(id: "s0", text: "stale")], with: client)
            let queue = broker.inputQueue
            let fetched = try #require(try await client.perform { admin throws(AMQPError) in try admin.fetch(from: queue) })
            // A query for a missing queue makes the broker close the control channel (404).
            await #expect(throws: AMQPError.self) { try await broker.inspect("\(broker.prefix).no-such-queue", with: client) }
            let error = await #expect(throws: AMQPError.self) {
                try await client.perform { admin throws(AMQPError) in try admin.acknowledge(fetched) }
            }
            #expect(error?.code == .channelClosed)
            #expect(try await broker.inspect(queue, with: client).messages == 1, "the message is back in the queue")
        }
    }

    @Test("Counting ready messages on the consumer's channel brings in every delivery dispatched before the count")
    func readyCountIsABarrierForDeliveries() async throws {
        try await TestBroker.with { broker, client in
            let count = 40
            // Bodies of 200 kB: each takes a while on the wire, the case a count on another channel gets wrong.
            let padding = String(repeating: "p", count: 200_000)
            try await broker.publish((0..<count).map { tweetBody(id: "b\($0)", text: padding) }, with: client)
            let handedOver = Mutex(0)
            let origins = Mutex<Set<[String]>>([])
            let consumer = ConsumerConnection(
                endpoint: broker.endpoint, queues: [broker.inputQueue], prefetch: count,
                logger: Logger(label: "test"),
                onDelivery: { delivery in
                    handedOver.withLock { $0 += 1 }
                    origins.withLock { _ = $0.insert([delivery.queue, delivery.consumerTag]) }
                    return true
                }
            )
            try await consumer.start()
            // Right after consuming starts, most deliveries are still on their way; whatever the count
            // says, each message is either still ready or already handed over when it returns.
            for _ in 0..<5 {
                let ready = try await consumer.readyMessages(in: [broker.inputQueue])
                let delivered = handedOver.withLock { $0 }
                #expect(ready + delivered == count, "ready \(ready) + handed over \(delivered)")
                if ready == 0 { break }
            }
            #expect(try await consumer.readyMessages(in: [broker.inputQueue]) == 0)
            #expect(handedOver.withLock { $0 } == count)
            // Every delivery names the queue it came from and the one consumer that received it.
            let seen = origins.withLock { $0 }
            #expect(seen.count == 1)
            #expect(seen.first?.first == broker.inputQueue)
            #expect(seen.first?.last?.isEmpty == false)
            await consumer.close()
        }
    }

    @Test("A query or publish after the connection closed fails at once instead of waiting forever")
    func closedConnectionFailsFast() async throws {
        let broker = try TestBroker()
        let publisher = try await broker.connect()
        await publisher.close()
        let query = await #expect(throws: AMQPError.self) {
            try await publisher.perform { admin throws(AMQPError) in try admin.inspectQueue("anything") }
        }
        #expect(query?.code == .notConnected)
        await #expect(throws: AMQPError.self) {
            try await publisher.publish(OutgoingMessage(exchange: "", routingKey: "x", body: []))
        }
        let cleaner = try await broker.connect()
        await broker.cleanUp(with: cleaner)
    }
}
