import Foundation
import Logging
import Synchronization

/// What a connection thread's owner does at each turn of the loop.
///
/// Every method runs on the connection's own thread, never concurrently,
/// so implementations keep their per-connection state without locks.
protocol ConnectionSession: AnyObject {
    /// The connection is open: open channels, declare, start consuming.
    func connectionOpened(_ connection: AMQPConnection) throws(AMQPError)
    /// The broker sent something that was not the answer to a call.
    func handle(_ event: InboundEvent, on connection: AMQPConnection) throws(AMQPError)
    /// The connection failed; everything tied to it must be failed or forgotten.
    func connectionLost(_ error: AMQPError)
    /// Called once before the thread ends, with the connection still open when it was.
    func shutDown(_ connection: AMQPConnection?)
    /// Called at every turn of the loop, for work on a timer (a refiller's
    /// tokens); returns when it wants to be called again at the latest, or
    /// nil for no sooner than the usual poll interval.
    func tick(_ connection: AMQPConnection, now: ContinuousClock.Instant) throws(AMQPError) -> ContinuousClock.Instant?
}

extension ConnectionSession {
    func tick(_ connection: AMQPConnection, now: ContinuousClock.Instant) throws(AMQPError) -> ContinuousClock.Instant? {
        nil
    }
}

/// A dedicated OS thread that owns one broker connection and keeps it alive.
///
/// librabbitmq is not thread-safe and only serves heartbeats while a thread is
/// inside it, so each connection gets a thread of its own (never a task on the
/// cooperative pool). The loop runs queued commands, reads whatever the broker
/// sent, and sleeps in `poll` on the socket and a wake-up descriptor, so a
/// command submitted from any thread runs within microseconds.
final class ConnectionThread: @unchecked Sendable {
    // @unchecked Sendable: the mutable connection state is touched only by the
    // thread started in `start()`; other threads only use `commands` (a Mutex)
    // and `wake`, which are thread-safe.

    /// A unit of work to run on the connection thread with its open connection.
    typealias Command = @Sendable (AMQPConnection) throws(AMQPError) -> Void

    /// A command and what to tell its caller if it never runs.
    private struct QueuedCommand {
        var run: Command
        var abandon: (@Sendable (AMQPError) -> Void)?
    }

    private struct Pending {
        var commands: [QueuedCommand] = []
        var stopRequested = false
        /// The thread has ended: nothing submitted now would ever run.
        var finished = false
    }

    private let name: String
    private let endpoint: AMQPEndpoint
    private let reconnect: ReconnectSettings
    private let logger: Logger
    private let pending = Mutex(Pending())
    private let wake = WakeSignal()
    private let firstOpen = Mutex<(done: Bool, continuation: CheckedContinuation<Void, any Error>?, result: Result<Void, AMQPError>?)>(
        (false, nil, nil)
    )
    private let finished = Mutex<(done: Bool, waiters: [ReplyWaiter<Void>])>((false, []))
    private weak var session: (any ConnectionSession)?
    private var thread: Thread?
    /// Whether the connection is open right now, readable from any thread.
    let isConnected = Atomic<Bool>(false)

    /// Creates a thread for `endpoint`; `start` launches it.
    init(name: String, endpoint: AMQPEndpoint, reconnect: ReconnectSettings, logger: Logger) {
        self.name = name
        self.endpoint = endpoint
        self.reconnect = reconnect
        self.logger = logger
    }

    /// Starts the thread and waits until the first connection is open and the session set up.
    ///
    /// With reconnecting disabled, the first failure is thrown here. Cancelling the waiting
    /// task stops the thread, so a shutdown while the broker is unreachable ends the wait
    /// (with an error) instead of waiting for a broker that may never come.
    func start(session: any ConnectionSession) async throws {
        self.session = session
        let thread = Thread { [self] in self.run() }
        thread.name = "tweetd-\(name)"
        // librabbitmq decodes a field table recursively; a producer's header nested ~26,000 deep
        // (what one 128 KB frame holds) needs a few MB of this thread's stack to decode.
        thread.stackSize = 16 << 20
        self.thread = thread
        thread.start()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result: Result<Void, AMQPError>? = firstOpen.withLock { state in
                    if let result = state.result { return result }
                    state.continuation = continuation
                    return nil
                }
                if let result {
                    continuation.resume(with: result.mapError { $0 as any Error })
                }
            }
        } onCancel: {
            // The thread's loop ends and reports the first open as failed, which resumes the wait.
            stop()
        }
    }

    /// Queues `command` for the connection thread, waking it if it may be asleep.
    ///
    /// `onAbandon` is called instead when the command will never run because the
    /// thread has ended (the connection failed without reconnecting, or was
    /// closed), so a caller waiting for the command's answer is not left waiting forever.
    func submit(_ command: @escaping Command, onAbandon: (@Sendable (AMQPError) -> Void)? = nil) {
        let (accepted, first) = pending.withLock { state in
            guard !state.finished else { return (false, false) }
            state.commands.append(QueuedCommand(run: command, abandon: onAbandon))
            return (true, state.commands.count == 1)
        }
        // Only the command that makes the queue non-empty needs to wake the thread: the thread takes
        // the whole queue at once and looks again before it sleeps, so under load most commands
        // cost no system call.
        if first {
            wake.signal()
        } else if !accepted {
            onAbandon?(abandonedError)
        }
    }

    private var abandonedError: AMQPError {
        AMQPError(.notConnected, "the \(name) connection to \(endpoint.redactedDescription) is closed")
    }

    /// Asks the thread to finish: queued commands still run, then the session shuts down.
    func stop() {
        pending.withLock { $0.stopRequested = true }
        wake.signal()
    }

    /// How long closing a connection may hold its caller: a polite close waits
    /// ``AMQPConnection/closeTimeout`` for the broker, and a shutdown must end within the
    /// service group's cancellation budget (5 s) even when the broker stopped reading.
    static let closeWaitLimit: Duration = .seconds(3)

    /// Waits until the thread has ended, or `limit` has passed, whichever comes first; the
    /// caller's cancellation does not cut it short, so final acks get their chance.
    ///
    /// A thread stuck in a call the broker never answers ends on its own later (or with the
    /// process); its unacked deliveries go back to their queues when the socket closes.
    func waitUntilFinished(atMost limit: Duration) async {
        _ = await ReplyWaiter<Void>.wait(cancelledMessage: nil) { waiter in
            let done = finished.withLock { state in
                if state.done { return true }
                state.waiters.append(waiter)
                return false
            }
            if done {
                waiter.finish(.success(()))
            } else {
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(limit.milliseconds))) {
                    waiter.finish(.success(()))
                }
            }
        }
    }

    /// Waits until the thread has ended; cancelling the caller ends the wait.
    func waitUntilFinished() async {
        _ = await ReplyWaiter<Void>.wait(cancelledMessage: "stopped waiting for the \(name) connection to close") { waiter in
            let done = finished.withLock { state in
                if state.done { return true }
                state.waiters.append(waiter)
                return false
            }
            if done { waiter.finish(.success(())) }
        }
    }

    // MARK: - The thread

    private func run() {
        var generation: UInt64 = 0
        var delay = reconnect.initialDelay
        var connection: AMQPConnection?
        var everOpened = false
        // Which of the endpoint's nodes the next attempt opens: a failed attempt or a lost
        // connection moves on to the next, so a dead node is not tried again before the others.
        var nodeIndex = 0
        // Nodes that refused the TLS handshake before any connection opened: a configuration
        // problem once every node has (the CA file, the client certificate), but one node's
        // expired certificate must not stop a start that another node can serve.
        var nodesFailingTLS = Set<Int>()
        var nodesTriedBeforeFirstOpen = Set<Int>()
        var errorsBeforeFirstOpen: [String] = []
        while !stopRequested {
            generation += 1
            let index = nodeIndex % endpoint.nodes.count
            let node = endpoint.node(at: index)
            let candidate = AMQPConnection(endpoint: node, generation: generation)
            do throws(AMQPError) {
                try candidate.open(connectionName: "tweetd \(name) \(ProcessInfo.processInfo.processIdentifier)")
                try session?.connectionOpened(candidate)
                connection = candidate
                let reconnected = everOpened
                everOpened = true
                isConnected.store(true, ordering: .releasing)
                reportFirstOpen(.success(()))
                let metadata: Logger.Metadata = [LogKey.amqpConnection: .string(name), LogKey.brokerNode: .string(node.redactedDescription)]
                if reconnected {
                    logger.info("reconnected to the broker", metadata: metadata)
                } else if endpoint.nodes.count > 1 || generation > 1 {
                    logger.info("connected to the broker", metadata: metadata)
                }
                delay = reconnect.initialDelay
                try serve(candidate)
                // serve returns normally only when a stop was requested.
                break
            } catch {
                isConnected.store(false, ordering: .releasing)
                connection = nil
                candidate.close()
                session?.connectionLost(error)
                // A failed attempt or a lost connection moves on to the next node, so a dead node is
                // not tried again before the others.
                nodeIndex = index + 1
                var finalError = error
                if !everOpened {
                    nodesTriedBeforeFirstOpen.insert(index)
                    if error.code == .tlsFailed { nodesFailingTLS.insert(index) }
                    if endpoint.nodes.count > 1 {
                        errorsBeforeFirstOpen.append(error.description)
                        finalError = AMQPError(
                            error.code, "no node of \(endpoint.redactedDescription) could be opened: " + errorsBeforeFirstOpen.suffix(endpoint.nodes.count).joined(separator: "; "),
                            replyCode: error.replyCode, replyText: error.replyText
                        )
                    }
                }
                // A tool (no reconnecting) tries every node once when a node does not answer; an answer
                // that refuses (wrong password, a queue declared otherwise) would be the same on every node.
                let nodeUnreachable = [AMQPError.Code.connectFailed, .connectionLost, .connectionClosed, .tlsFailed].contains(error.code)
                if !reconnect.enabled, !everOpened, nodeUnreachable, nodesTriedBeforeFirstOpen.count < endpoint.nodes.count {
                    logger.info(
                        "broker node did not answer; trying the next",
                        metadata: [
                            LogKey.amqpConnection: .string(name), LogKey.brokerNode: .string(node.redactedDescription),
                            LogKey.error: .string(error.description),
                        ]
                    )
                    continue
                }
                // A certificate every node refused before the first open is a configuration problem: waiting
                // will not fix it, and a service that exits says so at once. Later, a rotated certificate may still come.
                let tlsRefusedEverywhere = error.code == .tlsFailed && nodesFailingTLS.count == endpoint.nodes.count
                guard reconnect.enabled, everOpened || !tlsRefusedEverywhere else {
                    reportFirstOpen(.failure(finalError))
                    break
                }
                var metadata: Logger.Metadata = [
                    LogKey.amqpConnection: .string(name), LogKey.error: .string(error.description),
                    "retry_in_ms": .stringConvertible(Int(delay.milliseconds)),
                ]
                if endpoint.nodes.count > 1 {
                    metadata[LogKey.brokerNode] = .string(node.redactedDescription)
                    metadata[LogKey.nextBrokerNode] = .string(endpoint.node(at: nodeIndex).redactedDescription)
                }
                logger.warning("broker connection failed; reconnecting", metadata: metadata)
                sleepUnlessStopped(Self.jittered(delay))
                delay = min(delay * 2, reconnect.maximumDelay)
            }
        }
        // Commands queued before the stop still run, so final acks are not lost.
        if let connection {
            try? runCommands(connection)
        }
        session?.shutDown(connection)
        connection?.close()
        isConnected.store(false, ordering: .releasing)
        let abandoned = pending.withLock { state in
            state.finished = true
            defer { state.commands.removeAll() }
            return state.commands
        }
        for command in abandoned {
            command.abandon?(abandonedError)
        }
        reportFirstOpen(.failure(AMQPError(.notConnected, "stopped before the connection to \(endpoint.redactedDescription) opened")))
        let waiters = finished.withLock { state in
            state.done = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.finish(.success(())) }
    }

    /// Runs commands and reads frames until a stop is requested or the connection fails.
    private func serve(_ connection: AMQPConnection) throws(AMQPError) {
        let socket = connection.socketDescriptor
        // Heartbeats are checked on every read attempt; waking at least this often keeps them flowing.
        let pollTimeoutMilliseconds: Int32 = 100
        while true {
            try runCommands(connection)
            if stopRequested { return }
            try readAvailableEvents(connection)
            let now = ContinuousClock.now
            let wanted = try session?.tick(connection, now: now)
            connection.releaseBuffers()
            if connection.hasBufferedFrames || hasPendingCommands { continue }
            var timeout = pollTimeoutMilliseconds
            if let wanted {
                // Rounded up: waking a millisecond early would only spin once more.
                let nanoseconds = max(now.duration(to: wanted).nanoseconds, 0)
                timeout = Int32(min(Int64(timeout), (nanoseconds + 999_999) / 1_000_000))
            }
            var descriptors = [
                pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, timeout)
            if ready > 0, descriptors[1].revents != 0 {
                wake.clear()
            }
        }
    }

    private func readAvailableEvents(_ connection: AMQPConnection) throws(AMQPError) {
        // Bounded, so a flood of deliveries cannot starve queued acks and publishes.
        for _ in 0..<256 {
            switch try connection.nextEvent() {
            case .wouldBlock:
                return
            case .event(let event):
                try session?.handle(event, on: connection)
            case .ignoredFrame:
                break
            }
            // Once librabbitmq holds nothing more, another read would only find the socket empty
            // (a recv and a poll, each a system call): `poll` in `serve` says when more has come.
            if !connection.hasBufferedFrames { return }
        }
    }

    private func runCommands(_ connection: AMQPConnection) throws(AMQPError) {
        let commands = pending.withLock { state in
            defer { state.commands.removeAll(keepingCapacity: true) }
            return state.commands
        }
        // Many publishes and acks at once: their frames go out in full segments when the batch ends,
        // instead of a packet per frame (fewer packets for the kernel and the broker to handle).
        // A command that waits for a reply uncorks first (AMQPConnection.requireStateForReply).
        if commands.count > 1 { connection.cork() }
        defer { connection.uncork() }
        for (index, command) in commands.enumerated() {
            do throws(AMQPError) {
                try command.run(connection)
            } catch {
                if error.connectionIsDead {
                    // The rest were meant for this connection; put them back for the next one
                    // to decide (acks of old deliveries check their generation and drop out).
                    let remaining = Array(commands[(index + 1)...])
                    pending.withLock { $0.commands.insert(contentsOf: remaining, at: 0) }
                    throw error
                }
                logger.warning("broker command failed", metadata: [LogKey.amqpConnection: .string(name), LogKey.error: .string(error.description)])
            }
        }
    }

    private var stopRequested: Bool {
        pending.withLock { $0.stopRequested }
    }

    private var hasPendingCommands: Bool {
        pending.withLock { !$0.commands.isEmpty }
    }

    private func sleepUnlessStopped(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !stopRequested, ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, min(100, (deadline - ContinuousClock.now).milliseconds)))
            if poll(&descriptor, 1, remaining) > 0 { wake.clear() }
        }
    }

    private func reportFirstOpen(_ result: Result<Void, AMQPError>) {
        let continuation = firstOpen.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.done else { return nil }
            state.done = true
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }

    private static func jittered(_ delay: Duration) -> Duration {
        delay * Double.random(in: 0.8...1.2)
    }
}
