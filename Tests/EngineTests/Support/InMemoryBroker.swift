@testable import Engine
import Foundation
import Synchronization

/// A broker in memory behind the pipeline's seam (``MessageBroker``), for the pipeline's own
/// logic: order, settlement, shutdown, drain. It keeps ready messages per input queue (highest
/// priority first, then arrival), hands them over up to the prefetch, and keeps every
/// confirmed publish. It is not RabbitMQ: what the broker itself does (confirms, returns,
/// alarms, redelivery timing) is tested against a real node in IntegrationTests.
///
/// Faults a test can inject: publishes refused (``refusePublishes(_:)``), confirms held back
/// (``holdConfirms()``), and the consumer connection lost (``loseConsumerConnection()``).
final class InMemoryBroker: MessageBroker {
    /// One message waiting in a queue.
    struct Queued: Sendable {
        var properties: MessageProperties
        var body: [UInt8]
        var exchange: String
        var routingKey: String
        var redelivered: Bool
        var sequence: UInt64
        var unreadBodyBytes: UInt64? = nil
    }

    /// What a test can read about the broker at one moment.
    struct Snapshot: Sendable {
        /// Every confirmed publish, in confirm order.
        var published: [OutgoingMessage]
        /// Ready messages per queue.
        var ready: [String: Int]
        /// Deliveries handed over and not yet settled.
        var unacked: Int
        /// Delivery tags acked, in order.
        var acked: [UInt64]
        /// Deliveries nacked without requeue (the broker would dead-letter them).
        var rejected: [Delivery]
        /// Deliveries handed over, in order.
        var delivered: [Delivery]
        /// Publishes waiting for a held confirm.
        var confirmsHeld: Int
        /// Acks and nacks of a tag the current connection does not hold (unknown, or settled
        /// already): RabbitMQ would close the channel for each (PRECONDITION_FAILED).
        var invalidSettles: Int
        /// Publishes refused by ``refusePublishes(_:)``, in order.
        var refused: [OutgoingMessage]
        /// Whether consumers are registered.
        var consuming: Bool
        /// The prefetch the consumer has now.
        var prefetch: Int
    }

    private struct Unacked {
        var queue: String
        var message: Queued
        var generation: UInt64
    }

    private struct HeldConfirm {
        var id: UInt64
        var message: OutgoingMessage
        var onConfirmed: (@Sendable () -> Void)?
        var continuation: CheckedContinuation<Result<Void, AMQPError>, Never>
    }

    private struct State {
        var queues: [String: [Queued]] = [:]
        var unacked: [UInt64: Unacked] = [:]
        var nextTag: UInt64 = 1
        var nextSequence: UInt64 = 0
        var generation: UInt64 = 1
        var prefetch = 1
        var consumedQueues: [String] = []
        var consuming = false
        var handler: DeliveryHandler?
        var published: [OutgoingMessage] = []
        var acked: [UInt64] = []
        var rejected: [Delivery] = []
        var delivered: [Delivery] = []
        var refuse: (@Sendable (OutgoingMessage) -> AMQPError?)?
        var holdingConfirms = false
        var held: [HeldConfirm] = []
        var nextHeldID: UInt64 = 0
        var sinkOpen = false
        var retryChecks = 0
        var invalidSettles = 0
        var refused: [OutgoingMessage] = []

        /// A consumer connection ended: its unacked deliveries go back to their queues, marked
        /// redelivered, and the next connection has a new generation. Returns the ended one.
        mutating func endConsumerConnection() -> UInt64 {
            let ended = generation
            generation += 1
            for (_, entry) in unacked.sorted(by: { $0.key < $1.key }) {
                var message = entry.message
                message.redelivered = true
                enqueue(entry.queue, message)
            }
            unacked.removeAll()
            return ended
        }

        /// Puts `message` in its place in `queue`.
        mutating func enqueue(_ queue: String, _ message: Queued) {
            var messages = queues.removeValue(forKey: queue) ?? []
            var low = 0
            var high = messages.count
            while low < high {
                let middle = (low + high) / 2
                if InMemoryBroker.comesFirst(messages[middle], message) { low = middle + 1 } else { high = middle }
            }
            messages.insert(message, at: low)
            queues[queue] = messages
        }
    }

    private let state = Mutex(State())

    /// A priority queue's order: higher priority first, then earlier arrival (a requeued message keeps its place).
    fileprivate static func comesFirst(_ a: Queued, _ b: Queued) -> Bool {
        let (left, right) = (a.properties.priority ?? 0, b.properties.priority ?? 0)
        return left != right ? left > right : a.sequence < b.sequence
    }
    let topology: TopologyConfiguration

    init(topology: TopologyConfiguration = TopologyConfiguration()) {
        self.topology = topology
    }

    var redactedDescription: String { "in-memory" }

    // MARK: Test side

    /// Publishes a tweet to the input queue as a producer would.
    /// With `unreadBodyBytes`, the delivery arrives as a body over the consumer's read limit does: declared, not read.
    func publishInput(
        _ body: String, priority: UInt8? = nil, headers: [String: FieldValue] = [:], messageID: String? = nil, queue: String? = nil,
        unreadBodyBytes: UInt64? = nil
    ) {
        var properties = MessageProperties(priority: priority)
        properties.headers = headers
        properties.messageId = messageID
        let queue = queue ?? topology.inputQueueNames[0]
        state.withLock { state in
            state.nextSequence += 1
            state.enqueue(queue, Queued(
                properties: properties, body: Array(body.utf8), exchange: topology.exchange, routingKey: "tweet",
                redelivered: false, sequence: state.nextSequence, unreadBodyBytes: unreadBodyBytes
            ))
        }
        dispatch()
    }

    /// What the broker holds now.
    var snapshot: Snapshot {
        state.withLock { state in
            Snapshot(
                published: state.published, ready: state.queues.mapValues(\.count), unacked: state.unacked.count,
                acked: state.acked, rejected: state.rejected, delivered: state.delivered, confirmsHeld: state.held.count,
                invalidSettles: state.invalidSettles, refused: state.refused,
                consuming: state.consuming, prefetch: state.prefetch
            )
        }
    }

    /// Confirmed publishes to the results exchange.
    var results: [OutgoingMessage] { snapshot.published.filter { $0.exchange == topology.resultsExchange } }
    /// Confirmed publishes to the dead-letter exchange.
    var deadLetters: [OutgoingMessage] { snapshot.published.filter { $0.exchange == topology.deadLetterExchange } }
    /// Confirmed publishes to the retry exchange (waiting in a delay queue).
    var retries: [OutgoingMessage] { state.withLock { $0.queues[Self.retryQueue] ?? [] }.map { OutgoingMessage(exchange: $0.exchange, routingKey: $0.routingKey, properties: $0.properties, body: $0.body) } }

    /// Every publish `refusal` returns an error for is refused (nil: stored and confirmed).
    func refusePublishes(_ refusal: (@Sendable (OutgoingMessage) -> AMQPError?)?) {
        state.withLock { $0.refuse = refusal }
    }

    /// Publishes from now on wait for ``releaseConfirms()``.
    func holdConfirms() {
        state.withLock { $0.holdingConfirms = true }
    }

    /// Confirms every held publish, and no longer holds new ones.
    func releaseConfirms() {
        let held = state.withLock { state -> [HeldConfirm] in
            state.holdingConfirms = false
            defer { state.held.removeAll() }
            return state.held
        }
        for confirm in held {
            store(confirm.message)
            confirm.onConfirmed?()
            confirm.continuation.resume(returning: .success(()))
        }
    }

    /// The delay queues expire: every waiting retry goes back to the queue its routing key names.
    func expireRetries() {
        state.withLock { state in
            let waiting = state.queues[Self.retryQueue] ?? []
            state.queues[Self.retryQueue] = nil
            for var message in waiting {
                state.nextSequence += 1
                message.sequence = state.nextSequence
                message.exchange = ""
                state.enqueue(message.routingKey, message)
            }
        }
        dispatch()
    }

    /// The consumer connection dies and reconnects: its unacked deliveries go back to their
    /// queues, marked redelivered, the pipeline is told, and consuming resumes on a new generation.
    func loseConsumerConnection() {
        let (lost, handler) = state.withLock { state in (state.endConsumerConnection(), state.handler) }
        handler?.connectionLost(lost)
        dispatch()
    }

    /// Waits until `condition` holds for the broker's state, checking at every millisecond; false after `timeout`.
    ///
    /// The timeout is long because `swift test` runs every suite in one process: CPU-bound tests
    /// can hold the cooperative pool's threads (two on a 2-core machine) for seconds, and a
    /// pipeline's 5 ms sleep then takes that long. Alone, these conditions hold within milliseconds.
    func wait(timeout: Duration = .seconds(60), until condition: (Snapshot) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(snapshot) { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return condition(snapshot)
    }

    /// The queue retries wait in.
    static let retryQueue = "in-memory.retry"

    // MARK: Broker side

    func makeSource(consuming queues: [String], prefetch: Int, bodyReadLimit: Int?, handler: DeliveryHandler) -> any DeliverySource {
        state.withLock { state in
            state.consumedQueues = queues
            state.prefetch = prefetch
            state.handler = handler
        }
        return Source(broker: self)
    }

    func makeSink() -> any MessageSink {
        Sink(broker: self)
    }

    /// Hands ready messages to the consumer while the prefetch allows, highest priority first.
    fileprivate func dispatch() {
        while true {
            let next = state.withLock { state -> (Delivery, DeliveryHandler)? in
                guard state.consuming, let handler = state.handler, state.unacked.count < state.prefetch else { return nil }
                // Each queue is kept in delivery order; across queues the higher priority goes first.
                var best: String?
                for queue in state.consumedQueues {
                    guard let head = state.queues[queue]?.first else { continue }
                    if let current = best, let held = state.queues[current]?.first, !Self.comesFirst(head, held) { continue }
                    best = queue
                }
                guard let best, let message = state.queues[best]?.removeFirst() else { return nil }
                let tag = state.nextTag
                state.nextTag += 1
                state.unacked[tag] = Unacked(queue: best, message: message, generation: state.generation)
                var delivery = Delivery(
                    deliveryTag: tag, connectionGeneration: state.generation, queue: best, exchange: message.exchange,
                    routingKey: message.routingKey, redelivered: message.redelivered, properties: message.properties, body: message.body
                )
                delivery.unreadBodyBytes = message.unreadBodyBytes
                state.delivered.append(delivery)
                return (delivery, handler)
            }
            guard let (delivery, handler) = next else { return }
            if !handler.deliver(delivery) {
                // The pipeline takes no more work: the delivery goes back, and nothing more is handed over now.
                settle(delivery, requeue: true)
                return
            }
        }
    }

    fileprivate func settle(_ delivery: Delivery, requeue: Bool?) {
        state.withLock { state in
            // A tag of a lost connection is dropped, as ConsumerConnection drops it.
            guard delivery.connectionGeneration == state.generation else { return }
            guard let entry = state.unacked.removeValue(forKey: delivery.deliveryTag) else {
                state.invalidSettles += 1
                return
            }
            switch requeue {
            case nil:
                state.acked.append(delivery.deliveryTag)
            case true?:
                var message = entry.message
                message.redelivered = true
                state.enqueue(entry.queue, message)
            case false?:
                state.rejected.append(delivery)
            }
        }
    }

    fileprivate func publish(_ message: OutgoingMessage, onConfirmed: (@Sendable () -> Void)?) async throws(AMQPError) {
        let refusal = state.withLock { state -> AMQPError? in
            guard let error = state.refuse?(message) else { return nil }
            state.refused.append(message)
            return error
        }
        if let refusal {
            throw refusal
        }
        let id = state.withLock { state in
            defer { state.nextHeldID += 1 }
            return state.nextHeldID
        }
        let result: Result<Void, AMQPError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let held = state.withLock { state -> Bool? in
                    // Cancelled before it got here: onCancel found nothing to end.
                    if Task.isCancelled { return nil }
                    guard state.holdingConfirms else { return false }
                    state.held.append(HeldConfirm(id: id, message: message, onConfirmed: onConfirmed, continuation: continuation))
                    return true
                }
                if held == nil {
                    continuation.resume(returning: .failure(AMQPError(.cancelled, "stopped waiting for the broker's confirm")))
                } else if held == false {
                    store(message)
                    onConfirmed?()
                    continuation.resume(returning: .success(()))
                }
            }
        } onCancel: {
            // As PublisherConnection: the wait ends, the message may still be confirmed later (not here: it is dropped).
            let cancelled = state.withLock { state -> HeldConfirm? in
                guard let index = state.held.firstIndex(where: { $0.id == id }) else { return nil }
                return state.held.remove(at: index)
            }
            cancelled?.continuation.resume(returning: .failure(AMQPError(.cancelled, "stopped waiting for the broker's confirm")))
        }
        try result.get()
    }

    private func store(_ message: OutgoingMessage) {
        state.withLock { state in
            state.published.append(message)
            if message.exchange == topology.retryExchange {
                state.nextSequence += 1
                state.enqueue(Self.retryQueue, Queued(
                    properties: message.properties, body: message.body, exchange: message.exchange, routingKey: message.routingKey,
                    redelivered: false, sequence: state.nextSequence
                ))
            }
        }
    }

    fileprivate func startConsuming() {
        state.withLock { $0.consuming = true }
        dispatch()
    }

    fileprivate func cancelConsuming() {
        state.withLock { $0.consuming = false }
    }

    fileprivate func changePrefetch(_ prefetch: Int) {
        state.withLock { $0.prefetch = prefetch }
        dispatch()
    }

    fileprivate func readyCount(_ queues: [String]) -> Int {
        state.withLock { state in queues.reduce(0) { $0 + (state.queues[$1]?.count ?? 0) } }
    }

    fileprivate func closeConsumer() {
        // As a closed connection: whatever is unacked goes back to its queue.
        state.withLock { state in
            state.consuming = false
            _ = state.endConsumerConnection()
        }
    }

    /// How often the retry queues were counted (drain mode's checks).
    var retryChecks: Int { state.withLock { $0.retryChecks } }
    fileprivate func countRetryCheck() { state.withLock { $0.retryChecks += 1 } }

    fileprivate var generation: UInt64 { state.withLock { $0.generation } }
    fileprivate var isConsuming: Bool { state.withLock { $0.consuming } }
    fileprivate var prefetch: Int { state.withLock { $0.prefetch } }
    fileprivate func setSinkOpen(_ open: Bool) { state.withLock { $0.sinkOpen = open } }
    fileprivate var sinkOpen: Bool { state.withLock { $0.sinkOpen } }

    private final class Source: DeliverySource {
        let broker: InMemoryBroker
        init(broker: InMemoryBroker) { self.broker = broker }
        func start() async throws { broker.startConsuming() }
        var isConsuming: Bool { broker.isConsuming }
        func isLive(generation: UInt64) -> Bool { broker.generation == generation }
        func ack(_ delivery: Delivery) {
            broker.settle(delivery, requeue: nil)
            broker.dispatch()
        }
        func nack(_ delivery: Delivery, requeue: Bool) {
            broker.settle(delivery, requeue: requeue)
            broker.dispatch()
        }
        var prefetch: Int { broker.prefetch }
        func changePrefetch(_ prefetch: Int) { broker.changePrefetch(prefetch) }
        func readyMessages(in queues: [String]) async throws(AMQPError) -> Int { broker.readyCount(queues) }
        func cancelConsumers() { broker.cancelConsuming() }
        func close() async { broker.closeConsumer() }
    }

    private final class Sink: MessageSink {
        let broker: InMemoryBroker
        init(broker: InMemoryBroker) { self.broker = broker }
        func start() async throws { broker.setSinkOpen(true) }
        var isConnected: Bool { broker.sinkOpen }
        var publishingFailure: String? { nil }
        func publish(_ message: OutgoingMessage, onConfirmed: (@Sendable () -> Void)?) async throws(AMQPError) {
            try await broker.publish(message, onConfirmed: onConfirmed)
        }
        func messageCount(in queues: [String]) async throws(AMQPError) -> Int {
            // Every retry queue of the topology is the one in-memory delay queue.
            broker.countRetryCheck()
            return broker.readyCount([InMemoryBroker.retryQueue])
        }
        func close() async { broker.setSinkOpen(false) }
    }
}
