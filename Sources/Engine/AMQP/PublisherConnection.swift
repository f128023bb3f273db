import Logging

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
    ///   - reconnect: keep reconnecting after failures (the daemon) or fail at the first (tools).
    ///   - onConnect: runs on every (re)connection before publishing resumes, for example to declare topology.
    ///   - onConfirmLatency: told, on the connection thread, how long each confirmed publish waited for its confirm.
    public init(
        endpoint: AMQPEndpoint,
        name: String = "publisher",
        reconnect: ReconnectSettings? = nil,
        logger: Logger,
        onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)? = nil,
        onConfirmLatency: (@Sendable (Duration) -> Void)? = nil
    ) {
        thread = ConnectionThread(name: name, endpoint: endpoint, reconnect: reconnect?.policy ?? .never, logger: logger)
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
    public func publish(_ message: OutgoingMessage, onConfirmed: (@Sendable () -> Void)? = nil) async throws(AMQPError) {
        let session = self.session
        let result: Result<Void, AMQPError> = await withCheckedContinuation { continuation in
            thread.submit({ connection throws(AMQPError) in
                do throws(AMQPError) {
                    try session.send(message, on: connection, waiter: continuation, onConfirmed: onConfirmed)
                } catch {
                    continuation.resume(returning: .failure(error))
                    throw error
                }
            }, onAbandon: { continuation.resume(returning: .failure($0)) })
        }
        try result.get()
    }

    /// Runs `body` on the connection thread with the control channel, and returns its result.
    public func perform<Result: Sendable>(_ body: @escaping @Sendable (BrokerAdmin) throws(AMQPError) -> Result) async throws(AMQPError) -> Result {
        let outcome: Swift.Result<Result, AMQPError> = await withCheckedContinuation { continuation in
            thread.submit({ connection throws(AMQPError) in
                do throws(AMQPError) {
                    let admin = try BrokerAdmin(connection: connection, channel: Self.controlChannel)
                    continuation.resume(returning: .success(try body(admin)))
                } catch {
                    continuation.resume(returning: .failure(error))
                    if error.connectionIsDead { throw error }
                }
            }, onAbandon: { continuation.resume(returning: .failure($0)) })
        }
        return try outcome.get()
    }

    /// Finishes queued work and closes the connection.
    public func close() async {
        thread.stop()
        await thread.waitUntilFinished()
    }
}

/// How a long-running connection reconnects.
public struct ReconnectSettings: Sendable {
    /// First delay after a failure.
    public var initialDelay: Duration
    /// Longest delay between attempts.
    public var maximumDelay: Duration

    /// Creates settings.
    public init(initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(30)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    var policy: ConnectionThread.ReconnectPolicy {
        ConnectionThread.ReconnectPolicy(enabled: true, initialDelay: initialDelay, maximumDelay: maximumDelay)
    }
}

/// The publisher's per-connection state: sequence numbers and who waits for which confirm.
///
/// Touched only on the publisher's connection thread.
final class PublisherSession: ConnectionSession, @unchecked Sendable {
    // @unchecked Sendable: every method runs on the one connection thread (see ConnectionSession).

    typealias Waiter = CheckedContinuation<Result<Void, AMQPError>, Never>

    private struct Unconfirmed {
        var waiter: Waiter
        var onConfirmed: (@Sendable () -> Void)?
        var exchange: String
        var routingKey: String
        var returned: AMQPError?
        var sentAt: ContinuousClock.Instant
    }

    private let logger: Logger
    private let onConnect: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)?
    private let onConfirmLatency: (@Sendable (Duration) -> Void)?
    /// Publishes awaiting a confirm, indexed by sequence number minus `firstSequence`.
    private var unconfirmed: [Unconfirmed?] = []
    private var firstSequence: UInt64 = 1
    private var nextSequence: UInt64 = 1
    private var settledPrefix = 0

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
    }

    private func openPublishChannel(_ connection: AMQPConnection) throws(AMQPError) {
        try connection.openChannel(PublisherConnection.publishChannel)
        try connection.selectConfirms(channel: PublisherConnection.publishChannel)
        firstSequence = 1
        nextSequence = 1
        unconfirmed.removeAll(keepingCapacity: true)
        settledPrefix = 0
    }

    func send(
        _ message: OutgoingMessage, on connection: AMQPConnection, waiter: Waiter, onConfirmed: (@Sendable () -> Void)? = nil
    ) throws(AMQPError) {
        if !connection.isChannelOpen(PublisherConnection.publishChannel) {
            try openPublishChannel(connection)
        }
        try connection.publish(message, channel: PublisherConnection.publishChannel)
        unconfirmed.append(Unconfirmed(
            waiter: waiter, onConfirmed: onConfirmed, exchange: message.exchange, routingKey: message.routingKey,
            sentAt: ContinuousClock.now
        ))
        nextSequence += 1
    }

    func handle(_ event: InboundEvent, on connection: AMQPConnection) throws(AMQPError) {
        switch event {
        case .ack(let tag, let multiple):
            settle(tag, multiple: multiple, failure: nil)
        case .nack(let tag, let multiple):
            settle(tag, multiple: multiple, failure: AMQPError(.publishNacked, "the broker could not take the message (basic.nack)"))
        case .returned(let replyCode, let replyText, let exchange, let routingKey):
            // The return comes just before its confirm: mark the oldest matching publish.
            let error = AMQPError(
                .publishReturned, "no queue is bound to exchange \"\(exchange)\" for routing key \"\(routingKey)\"",
                replyCode: replyCode, replyText: replyText
            )
            if let index = unconfirmed.firstIndex(where: { $0 != nil && $0!.returned == nil && $0!.exchange == exchange && $0!.routingKey == routingKey }) {
                unconfirmed[index]?.returned = error
            }
        case .channelClosed(let channel, let replyCode, let replyText):
            guard channel == PublisherConnection.publishChannel else { return }
            failAll(AMQPError(.channelClosed, "the broker closed the publish channel", replyCode: replyCode, replyText: replyText))
            logger.warning(
                "publish channel closed by the broker; reopening",
                metadata: [LogKey.error: .string("\(replyCode) \(replyText)")]
            )
        case .blocked(let reason):
            logger.warning("the broker blocked publishing", metadata: ["reason": .string(reason)])
        case .unblocked:
            logger.info("the broker unblocked publishing")
        case .delivery, .consumerCancelled:
            break
        }
    }

    func connectionLost(_ error: AMQPError) {
        failAll(error)
    }

    func shutDown(_ connection: AMQPConnection?) {
        failAll(AMQPError(.notConnected, "the publisher closed before the broker confirmed"))
    }

    private func settle(_ tag: UInt64, multiple: Bool, failure: AMQPError?) {
        guard tag >= firstSequence else { return }
        let last = Int(tag - firstSequence)
        guard last < unconfirmed.count else { return }
        let range = multiple ? settledPrefix...last : last...last
        let now = ContinuousClock.now
        for index in range {
            guard let entry = unconfirmed[index] else { continue }
            unconfirmed[index] = nil
            if let error = failure ?? entry.returned {
                entry.waiter.resume(returning: .failure(error))
            } else {
                entry.onConfirmed?()
                entry.waiter.resume(returning: .success(()))
                onConfirmLatency?(now - entry.sentAt)
            }
        }
        while settledPrefix < unconfirmed.count, unconfirmed[settledPrefix] == nil {
            settledPrefix += 1
        }
        // Compact now and then so the array does not grow without bound.
        if settledPrefix > 4096, settledPrefix * 2 > unconfirmed.count {
            unconfirmed.removeFirst(settledPrefix)
            firstSequence += UInt64(settledPrefix)
            settledPrefix = 0
        }
    }

    private func failAll(_ error: AMQPError) {
        for entry in unconfirmed {
            entry?.waiter.resume(returning: .failure(error))
        }
        unconfirmed.removeAll(keepingCapacity: true)
        firstSequence = nextSequence
        settledPrefix = 0
    }
}
