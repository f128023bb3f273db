import Logging
import Synchronization

/// A broker connection in publisher-confirm mode.
///
/// `publish` returns only when the broker has confirmed the message (persisted
/// it to every queue it routed to), and throws when the broker nacked it,
/// returned it as unroutable, or the channel or connection died first. That is
/// what lets tweetd ack an input only after its result is safe.
public final class PublisherConnection: Sendable {
    private let thread: ConnectionThread
    private let session: PublisherSession

    /// The channel publishes and confirms travel on.
    static let publishChannel: UInt16 = 1
    /// The channel for declarations and queries, so their errors never close the publish channel.
    static let controlChannel: UInt16 = 2

    /// Creates a publisher; `start` connects.
    ///
    /// - Parameters:
    ///   - reconnect: keep reconnecting after failures (the daemon) or fail at the first (``ReconnectSettings/never``, tools).
    ///   - onConnect: runs on every (re)connection before publishing resumes, for example to declare topology.
    ///   - onConfirmLatency: told, on the connection thread, how long each confirmed publish waited for its confirm.
    public init(
        endpoint: AMQPEndpoint,
        name: String = "publisher",
        reconnect: ReconnectSettings = .never,
        logger: Logger,
        onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)? = nil,
        onConfirmLatency: (@Sendable (Duration) -> Void)? = nil
    ) {
        thread = ConnectionThread(name: name, endpoint: endpoint, reconnect: reconnect, logger: logger)
        session = PublisherSession(logger: logger, onConnect: onConnect, onConfirmLatency: onConfirmLatency)
    }

    /// Connects (and runs `onConnect`); throws the first failure when reconnecting is off.
    public func start() async throws {
        try await thread.start(session: session)
    }

    /// Whether the connection is open right now.
    public var isConnected: Bool {
        thread.isConnected.load(ordering: .acquiring)
    }

    /// Publishes `message` and waits for the broker's confirm.
    ///
    /// `onConfirmed` runs on the connection thread as soon as the confirm arrives, before the
    /// caller resumes: the daemon acks the input there, so the broker can send the next delivery
    /// without waiting for a worker thread to be scheduled. It does not run when the publish fails.
    ///
    /// Cancelling the calling task ends the wait at once with a `.cancelled` error (a shutdown
    /// whose grace period ran out while the broker was away); the message may still be
    /// confirmed later, and `onConfirmed` then still runs.
    public func publish(_ message: OutgoingMessage, onConfirmed: (@Sendable () -> Void)? = nil) async throws(AMQPError) {
        let session = self.session
        let thread = self.thread
        let result = await PublishWaiter.wait(cancelledMessage: "stopped waiting for the broker's confirm") { waiter in
            thread.submit({ connection throws(AMQPError) in
                do throws(AMQPError) {
                    try session.send(message, on: connection, waiter: waiter, onConfirmed: onConfirmed)
                } catch {
                    waiter.finish(.failure(error))
                    throw error
                }
            }, onAbandon: { waiter.finish(.failure($0)) })
        }
        try result.get()
    }

    /// Whether publishes have kept failing for a while (a refused exchange, a broker that
    /// nacks); with the reason, for readiness. A single failure that the next publish
    /// repairs does not count.
    public var publishingFailure: String? {
        session.health.failure(now: .now)
    }

    /// Runs `body` on the connection thread with the control channel, and returns its result.
    ///
    /// Cancelling the calling task ends the wait at once (`.cancelled`); `body` may still run.
    public func perform<Result: Sendable>(_ body: @escaping @Sendable (BrokerAdmin) throws(AMQPError) -> Result) async throws(AMQPError) -> Result {
        let thread = self.thread
        let outcome = await ReplyWaiter<Result>.wait(cancelledMessage: "stopped waiting for the broker's answer") { waiter in
            thread.submit({ connection throws(AMQPError) in
                do throws(AMQPError) {
                    let admin = try BrokerAdmin(connection: connection, channel: Self.controlChannel)
                    waiter.finish(.success(try body(admin)))
                } catch {
                    waiter.finish(.failure(error))
                    if error.connectionIsDead { throw error }
                }
            }, onAbandon: { waiter.finish(.failure($0)) })
        }
        return try outcome.get()
    }

    /// Finishes queued work and closes the connection; returns after ``ConnectionThread/closeWaitLimit``
    /// at the latest, even if the broker stopped answering (the thread then ends on its own).
    public func close() async {
        thread.stop()
        await thread.waitUntilFinished(atMost: ConnectionThread.closeWaitLimit)
    }
}

/// A publish's caller, waiting for the confirm.
typealias PublishWaiter = ReplyWaiter<Void>

/// Whether publishing works, as seen from the confirms: read by readiness on any thread.
///
/// Failing means: publishes kept failing for at least ``tolerance`` with no success between,
/// and the last failure is recent (``memory``), so neither a passing failure nor an idle
/// daemon whose last publish failed long ago is reported unready.
final class PublishHealth: Sendable {
    /// How long publishes must keep failing before readiness says so.
    static let tolerance: Duration = .seconds(2)
    /// How long a failure counts when nothing has been published since.
    static let memory: Duration = .seconds(30)
    private let state = Mutex<(failingSince: ContinuousClock.Instant?, lastFailure: ContinuousClock.Instant?, reason: String?)>((nil, nil, nil))

    func succeeded() {
        state.withLock { state in
            if state.failingSince != nil { state = (nil, nil, nil) }
        }
    }

    func failed(_ error: AMQPError, at instant: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.failingSince = state.failingSince ?? instant
            state.lastFailure = instant
            state.reason = error.description
        }
    }

    func failure(now: ContinuousClock.Instant) -> String? {
        state.withLock { state in
            guard let since = state.failingSince, let last = state.lastFailure,
                last - since >= Self.tolerance, now - last < Self.memory
            else { return nil }
            return state.reason
        }
    }
}

/// The publisher's per-connection state: sequence numbers and who waits for which confirm.
///
/// Touched only on the publisher's connection thread.
final class PublisherSession: ConnectionSession, @unchecked Sendable {
    // @unchecked Sendable: every method runs on the one connection thread (see ConnectionSession),
    // except `health`, which is thread-safe.

    private struct Caller {
        var waiter: PublishWaiter
        var onConfirmed: (@Sendable () -> Void)?
    }

    private let logger: Logger
    private let onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)?
    private let onConfirmLatency: (@Sendable (Duration) -> Void)?
    private var confirms = ConfirmTracker<Caller>()
    /// When tweetd last declared its topology again after the broker said something of it was missing.
    private var lastRedeclare: ContinuousClock.Instant?
    /// Whether publishing works; read by readiness.
    let health = PublishHealth()

    init(
        logger: Logger,
        onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)?,
        onConfirmLatency: (@Sendable (Duration) -> Void)? = nil
    ) {
        self.logger = logger
        self.onConnect = onConnect
        self.onConfirmLatency = onConfirmLatency
    }

    func connectionOpened(_ connection: AMQPConnection) throws(AMQPError) {
        if let onConnect {
            try onConnect(try BrokerAdmin(connection: connection, channel: PublisherConnection.controlChannel))
        }
        try openPublishChannel(connection)
        health.succeeded()
    }

    private func openPublishChannel(_ connection: AMQPConnection) throws(AMQPError) {
        try connection.openChannel(PublisherConnection.publishChannel)
        try connection.selectConfirms(channel: PublisherConnection.publishChannel)
        confirms.reset()
    }

    func send(
        _ message: OutgoingMessage, on connection: AMQPConnection, waiter: PublishWaiter, onConfirmed: (@Sendable () -> Void)? = nil
    ) throws(AMQPError) {
        if !connection.isChannelOpen(PublisherConnection.publishChannel) {
            try openPublishChannel(connection)
        }
        try connection.publish(message, channel: PublisherConnection.publishChannel)
        confirms.published(message, waiter: Caller(waiter: waiter, onConfirmed: onConfirmed))
    }

    func handle(_ event: InboundEvent, on connection: AMQPConnection) throws(AMQPError) {
        switch event {
        case .ack(let tag, let multiple):
            settle(confirms.settle(tag, multiple: multiple, nackError: nil))
        case .nack(let tag, let multiple):
            let error = AMQPError(.publishNacked, "the broker could not take the message (basic.nack)")
            settle(confirms.settle(tag, multiple: multiple, nackError: error))
        case .returned(let replyCode, let replyText, let exchange, let routingKey, let properties, let body):
            // The return comes just before its confirm: mark the publish it belongs to.
            let error = AMQPError(
                .publishReturned, "no queue is bound to exchange \"\(exchange)\" for routing key \"\(routingKey)\"",
                replyCode: replyCode, replyText: replyText
            )
            confirms.returned(exchange: exchange, routingKey: routingKey, properties: properties, body: body, error: error)
            // A queue or binding tweetd declares may have been deleted: declare them again.
            redeclareTopology(on: connection, because: error)
        case .channelClosed(let channel, let replyCode, let replyText):
            guard channel == PublisherConnection.publishChannel else { return }
            let error = AMQPError(.channelClosed, "the broker closed the publish channel", replyCode: replyCode, replyText: replyText)
            failAll(error)
            logger.warning(
                "publish channel closed by the broker; reopening",
                metadata: [LogKey.error: .string("\(replyCode) \(replyText)")]
            )
            if replyCode == 404 {
                // 404 NOT_FOUND: an exchange tweetd publishes to was deleted; it is tweetd's to declare.
                redeclareTopology(on: connection, because: error)
            }
        case .blocked(let reason):
            logger.warning("the broker blocked publishing", metadata: ["reason": .string(reason)])
        case .unblocked:
            logger.info("the broker unblocked publishing")
        case .delivery, .consumerCancelled:
            break
        }
    }

    /// Declares the topology again, at most once a second, so a deleted exchange, queue or
    /// binding of tweetd's comes back instead of failing every publish for ever.
    private func redeclareTopology(on connection: AMQPConnection, because error: AMQPError) {
        guard let onConnect else { return }
        let now = ContinuousClock.now
        if let lastRedeclare, now - lastRedeclare < .seconds(1) { return }
        lastRedeclare = now
        do throws(AMQPError) {
            try onConnect(try BrokerAdmin(connection: connection, channel: PublisherConnection.controlChannel))
            logger.info("declared the topology again", metadata: [LogKey.error: .string(error.description)])
        } catch {
            logger.warning("could not declare the topology again", metadata: [LogKey.error: .string(error.description)])
        }
    }

    func connectionLost(_ error: AMQPError) {
        failAll(error)
    }

    func shutDown(_ connection: AMQPConnection?) {
        failAll(AMQPError(.notConnected, "the publisher closed before the broker confirmed"))
    }

    private func settle(_ settled: [ConfirmTracker<Caller>.Settled]) {
        let now = ContinuousClock.now
        for entry in settled {
            if let failure = entry.failure {
                health.failed(failure, at: now)
                entry.waiter.waiter.finish(.failure(failure))
            } else {
                health.succeeded()
                entry.waiter.onConfirmed?()
                entry.waiter.waiter.finish(.success(()))
                onConfirmLatency?(now - entry.sentAt)
            }
        }
    }

    private func failAll(_ error: AMQPError) {
        let waiting = confirms.failAll()
        // A lost connection is readiness's own concern; a channel the broker closed over a publish is this one's.
        if !waiting.isEmpty, error.code == .channelClosed { health.failed(error) }
        for caller in waiting {
            caller.waiter.finish(.failure(error))
        }
    }
}
