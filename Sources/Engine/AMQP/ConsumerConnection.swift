import Logging
import Synchronization

/// A broker connection that consumes from tweetd's input queues.
///
/// Deliveries go to `onDelivery` on the connection thread, which must not
/// block (it only hands them to the workers' buffer). Acks and nacks are queued
/// from any thread and sent by the connection thread; an ack for a delivery
/// from an earlier connection is dropped, because that message is redelivered anyway.
public final class ConsumerConnection: Sendable {
    private let thread: ConnectionThread
    private let session: ConsumerSession

    /// Creates a consumer; `start` connects and begins consuming.
    ///
    /// - Parameters:
    ///   - queues: the queues to consume from.
    ///   - prefetch: how many unacknowledged deliveries the broker may send ahead.
    ///   - reconnect: keep reconnecting after failures (the daemon) or fail at the first (``ReconnectSettings/never``, tools).
    ///   - onConnect: runs on every (re)connection before consuming, for example to declare topology.
    ///   - onDelivery: takes a delivery; returns false when it cannot, and the delivery goes back to the queue.
    ///   - bodyReadLimit: deliveries declaring a larger body arrive without it (``Delivery/unreadBodyBytes``).
    ///   - onConnectionLost: told the generation of a connection that died, on the connection thread:
    ///     its deliveries come back from the broker anyway, so whatever of them is still waiting
    ///     for a worker should be dropped rather than processed twice.
    public init(
        endpoint: AMQPEndpoint,
        queues: [String],
        prefetch: Int,
        reconnect: ReconnectSettings = .never,
        logger: Logger,
        onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)? = nil,
        onDelivery: @escaping @Sendable (Delivery) -> Bool,
        onConnectionLost: (@Sendable (UInt64) -> Void)? = nil,
        bodyReadLimit: Int? = nil
    ) {
        thread = ConnectionThread(name: "consumer", endpoint: endpoint, reconnect: reconnect, logger: logger)
        session = ConsumerSession(
            queues: queues, prefetch: prefetch, logger: logger, onConnect: onConnect, onDelivery: onDelivery, onConnectionLost: onConnectionLost
        )
        session.bodyReadLimit = bodyReadLimit
    }

    /// Whether a delivery from the connection `generation` can still be settled: false once that
    /// connection died, when the broker has already put its deliveries back in their queues.
    public func isLive(generation: UInt64) -> Bool {
        session.liveGeneration.load(ordering: .acquiring) == generation
    }

    /// Connects and starts consuming.
    public func start() async throws {
        try await thread.start(session: session)
    }

    /// Whether the connection is open and consuming right now.
    public var isConsuming: Bool {
        thread.isConnected.load(ordering: .acquiring) && session.consuming.load(ordering: .acquiring)
    }

    /// Acknowledges `delivery`: the broker forgets it.
    ///
    /// Acks wait in a list that the connection thread takes whole, so the acks
    /// of many workers go out together, as one multiple ack where the tags allow.
    public func ack(_ delivery: Delivery) {
        let session = self.session
        let first = session.waitingAcks.withLock { acks in
            acks.append((delivery.deliveryTag, delivery.connectionGeneration))
            return acks.count == 1
        }
        if first {
            thread.submit { connection throws(AMQPError) in
                try session.sendWaitingAcks(on: connection)
            }
        }
    }

    /// Returns `delivery` to its queue (`requeue`) or drops it to the queue's dead-letter exchange.
    public func nack(_ delivery: Delivery, requeue: Bool) {
        let tag = delivery.deliveryTag
        let generation = delivery.connectionGeneration
        let session = self.session
        thread.submit { connection throws(AMQPError) in
            guard connection.generation == generation else { return }
            try connection.nack(tag, multiple: false, requeue: requeue, channel: ConsumerSession.channel)
            session.settlement.settledWithoutAck(tag)
        }
    }

    /// The prefetch in force (or about to be, after ``changePrefetch(_:)``).
    public var prefetch: Int {
        session.prefetch.load(ordering: .relaxed)
    }

    /// Uses `prefetch` from now on, on this connection and the next ones.
    ///
    /// RabbitMQ applies a per-consumer prefetch only to consumers registered
    /// after it, so each consumer is cancelled and registered again; deliveries
    /// already sent stay valid (their channel stays open) and are settled as usual.
    public func changePrefetch(_ prefetch: Int) {
        let session = self.session
        session.prefetch.store(prefetch, ordering: .relaxed)
        thread.submit { connection throws(AMQPError) in
            do throws(AMQPError) {
                try session.applyPrefetch(on: connection)
            } catch {
                // A consumer cancelled and not registered again would leave a queue unconsumed
                // while `isConsuming` says otherwise: start over on a fresh connection instead,
                // which registers every consumer under the new prefetch.
                throw AMQPError(.connectionLost, "re-registering consumers under prefetch \(prefetch) failed: \(error)")
            }
        }
    }

    /// The ready messages in the consumed `queues`, asked on the channel the deliveries come on.
    ///
    /// Also a barrier: the broker answers on that channel only after every delivery it
    /// dispatched to it before counting, and those deliveries are handed to `onDelivery`
    /// before this returns. So when it returns 0 and nothing handed over is still
    /// unsettled, no message of these queues is left anywhere, not even on the wire
    /// (a passive declare on another channel or connection cannot tell that).
    ///
    /// Throws, without closing anything, when a queue answers without this consumer: a quorum
    /// queue whose leader is unreachable answers 0 messages and 0 consumers.
    public func readyMessages(in queues: [String]) async throws(AMQPError) -> Int {
        let session = self.session
        let thread = self.thread
        let outcome = await ReplyWaiter<Int>.wait(cancelledMessage: "stopped waiting for the broker's count") { waiter in
            thread.submit({ connection throws(AMQPError) in
                do throws(AMQPError) {
                    var total = 0
                    var countWithoutConsumer: String?
                    for queue in queues {
                        // Deliveries that come in before the answer are handed over as they arrive,
                        // their bodies read as always (one over the read limit is never held whole).
                        let answer = try connection.countReadyMessages(in: queue, channel: ConsumerSession.channel) { event throws(AMQPError) in
                            try session.handle(event, on: connection)
                        }
                        total += Int(answer.messages)
                        if answer.consumers == 0 { countWithoutConsumer = queue }
                    }
                    if let queue = countWithoutConsumer {
                        // This connection consumes every one of these queues, so a true count shows at least one
                        // consumer. A quorum queue whose leader cannot be reached (nodes stopping, an election)
                        // answers 0 messages and 0 consumers: believing it would end a drain with the queue full.
                        waiter.finish(.failure(AMQPError(
                            .notConnected, "queue \"\(queue)\" answered without this consumer: its count cannot be trusted now"
                        )))
                    } else {
                        waiter.finish(.success(total))
                    }
                } catch {
                    waiter.finish(.failure(error))
                    // A failed declare closed the delivery channel (its tags are gone with it):
                    // start over on a fresh connection, as when the broker closes that channel.
                    throw error.connectionIsDead ? error : AMQPError(.connectionLost, "counting ready messages on the consumer channel failed: \(error)")
                }
            }, onAbandon: { waiter.finish(.failure($0)) })
        }
        return try outcome.get()
    }

    /// Asks the broker to stop delivering (basic.cancel on every consumer); later reconnects do not consume.
    ///
    /// Deliveries already on the wire still arrive and must be settled.
    public func cancelConsumers() {
        let session = self.session
        session.cancelled.store(true, ordering: .releasing)
        thread.submit { connection throws(AMQPError) in
            try session.cancelAll(on: connection)
        }
    }

    /// Sends what is queued (final acks included) and closes the connection; returns after
    /// ``ConnectionThread/closeWaitLimit`` at the latest, even if the broker stopped answering.
    public func close() async {
        thread.stop()
        await thread.waitUntilFinished(atMost: ConnectionThread.closeWaitLimit)
    }
}

/// The consumer's per-connection state. Touched only on the consumer's connection thread,
/// except `consuming`, which is atomic.
final class ConsumerSession: ConnectionSession, @unchecked Sendable {
    // @unchecked Sendable: mutable state is confined to the connection thread (see ConnectionSession).

    static let channel: UInt16 = 1
    static let controlChannel: UInt16 = 2

    private let queues: [String]
    /// Set from any thread (``ConsumerConnection/changePrefetch(_:)``), read on the connection thread.
    let prefetch: Atomic<Int>
    private let logger: Logger
    private let onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)?
    private let onDelivery: @Sendable (Delivery) -> Bool
    /// The consumers registered now: consumer tag → queue.
    private var queueByConsumerTag: [String: String] = [:]
    /// Every consumer tag of this connection, cancelled ones too, whose deliveries may still arrive.
    private var queueByAnyConsumerTag: [String: String] = [:]
    /// Which deliveries of this connection are settled; touched only on the connection thread.
    var settlement = DeliverySettlement()
    /// Acks from the workers, with the connection generation of their delivery, not sent yet.
    let waitingAcks = Mutex<[(tag: UInt64, generation: UInt64)]>([])
    /// Set once consuming should stop for good, from any thread.
    let cancelled = Atomic<Bool>(false)
    let consuming = Atomic<Bool>(false)
    /// The generation of the open connection, 0 while none is open.
    let liveGeneration = Atomic<UInt64>(0)
    /// Set once before the thread starts; see ``ConsumerConnection/init``.
    var bodyReadLimit: Int?
    private let onConnectionLost: (@Sendable (UInt64) -> Void)?

    init(
        queues: [String],
        prefetch: Int,
        logger: Logger,
        onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)?,
        onDelivery: @escaping @Sendable (Delivery) -> Bool,
        onConnectionLost: (@Sendable (UInt64) -> Void)?
    ) {
        self.queues = queues
        self.prefetch = Atomic(prefetch)
        self.logger = logger
        self.onConnect = onConnect
        self.onDelivery = onDelivery
        self.onConnectionLost = onConnectionLost
    }

    func connectionOpened(_ connection: AMQPConnection) throws(AMQPError) {
        liveGeneration.store(connection.generation, ordering: .releasing)
        connection.deliveryBodyLimit = bodyReadLimit
        queueByConsumerTag.removeAll()
        queueByAnyConsumerTag.removeAll()
        settlement = DeliverySettlement()
        if let onConnect {
            try onConnect(try BrokerAdmin(connection: connection, channel: Self.controlChannel))
        }
        try connection.openChannel(Self.channel)
        try connection.setPrefetch(prefetch.load(ordering: .relaxed), channel: Self.channel)
        guard !cancelled.load(ordering: .acquiring) else { return }
        for queue in queues {
            try consume(queue, on: connection)
        }
        consuming.store(true, ordering: .releasing)
    }

    private func consume(_ queue: String, on connection: AMQPConnection) throws(AMQPError) {
        let tag = try connection.consume(queue: queue, channel: Self.channel)
        queueByConsumerTag[tag] = queue
        queueByAnyConsumerTag[tag] = queue
    }

    /// Sends every waiting ack of this connection; acks of deliveries from an earlier
    /// connection are dropped, since those messages are redelivered anyway.
    func sendWaitingAcks(on connection: AMQPConnection) throws(AMQPError) {
        let waiting = waitingAcks.withLock { acks in
            defer { acks.removeAll(keepingCapacity: true) }
            return acks
        }
        let tags = waiting.filter { $0.generation == connection.generation }.map(\.tag)
        // Each ack is tried even when one before it failed, so a failure costs one ack, not the batch.
        var firstFailure: AMQPError?
        for ack in settlement.acknowledge(tags) {
            do throws(AMQPError) {
                try connection.ack(ack.tag, multiple: ack.multiple, channel: Self.channel)
            } catch {
                if error.connectionIsDead { throw error }
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
    }

    /// Sets the current prefetch and registers every consumer again under it.
    func applyPrefetch(on connection: AMQPConnection) throws(AMQPError) {
        try connection.setPrefetch(prefetch.load(ordering: .relaxed), channel: Self.channel)
        guard !cancelled.load(ordering: .acquiring) else { return }
        for (tag, queue) in queueByConsumerTag.sorted(by: { $0.key < $1.key }) {
            try connection.cancel(consumerTag: tag, channel: Self.channel)
            queueByConsumerTag[tag] = nil
            try consume(queue, on: connection)
        }
    }

    func cancelAll(on connection: AMQPConnection) throws(AMQPError) {
        consuming.store(false, ordering: .releasing)
        for tag in queueByConsumerTag.keys.sorted() {
            try connection.cancel(consumerTag: tag, channel: Self.channel)
        }
        queueByConsumerTag.removeAll()
    }

    func handle(_ event: InboundEvent, on connection: AMQPConnection) throws(AMQPError) {
        switch event {
        case .delivery(var delivery):
            // basic.deliver carries only the consumer tag; every tag of this connection is in the map.
            delivery.queue = queueByAnyConsumerTag[delivery.consumerTag] ?? delivery.queue
            settlement.delivered(delivery.deliveryTag)
            if !onDelivery(delivery) {
                try connection.nack(delivery.deliveryTag, multiple: false, requeue: true, channel: Self.channel)
                settlement.settledWithoutAck(delivery.deliveryTag)
            }
        case .consumerCancelled(let consumerTag):
            guard let queue = queueByConsumerTag.removeValue(forKey: consumerTag) else { return }
            logger.warning("the broker cancelled consuming (was the queue deleted?); declaring and consuming again", metadata: [LogKey.queue: .string(queue)])
            if let onConnect {
                try onConnect(try BrokerAdmin(connection: connection, channel: Self.controlChannel))
            }
            if !cancelled.load(ordering: .acquiring) {
                try consume(queue, on: connection)
            }
        case .channelClosed(let channel, let replyCode, let replyText):
            guard channel == Self.channel else { return }
            // Delivery tags die with the channel: start over on a fresh connection so stale acks are dropped.
            throw AMQPError(.channelClosed, "the broker closed the consumer channel", replyCode: replyCode, replyText: replyText)
        case .blocked(let reason):
            logger.warning("the broker blocked the consumer connection", metadata: ["reason": .string(reason)])
        case .unblocked:
            logger.info("the broker unblocked the consumer connection")
        case .ack, .nack, .returned:
            break
        }
    }

    func connectionLost(_ error: AMQPError) {
        consuming.store(false, ordering: .releasing)
        let lost = liveGeneration.exchange(0, ordering: .acquiringAndReleasing)
        if lost != 0 { onConnectionLost?(lost) }
    }

    func shutDown(_ connection: AMQPConnection?) {
        consuming.store(false, ordering: .releasing)
    }
}
