import Foundation
import Logging
import ServiceLifecycle

/// A budget to share, as the configuration defines it.
public struct SharedBudgetDefinition: Sendable, Equatable {
    /// `budget_name`, or the provider's name.
    public var name: String
    /// The providers of this instance that take from it.
    public var providers: [String]
    /// Tokens derived from the limits.
    public var plan: SharedBudgetPlan

    /// Creates a definition.
    public init(name: String, providers: [String], plan: SharedBudgetPlan) {
        self.name = name
        self.providers = providers
        self.plan = plan
    }
}

/// Every budget this instance shares with other instances, over a broker
/// connection (and thread) of its own.
///
/// The connection takes part in each budget's election, refills the budgets
/// this instance was elected for, takes tokens for waiting callers and hears
/// cooldown announcements. Its thread is separate from the consumer's and
/// the publisher's so that a refiller's schedule never waits behind a burst
/// of deliveries or confirms, and so that the connection holding the baton is
/// the one that publishes tokens: a refiller whose connection the broker has
/// closed (it was SIGSTOPped past the heartbeat timeout, say) can publish
/// nothing more, whatever its own clock says.
public final class SharedBudgetService: Service, Sendable {
    private let thread: ConnectionThread
    private let session: SharedBudgetSession
    private let logger: Logger
    /// This instance's name in status output: `host:pid`.
    public let instanceName: String
    /// The budgets, in configuration order.
    public let budgets: [SharedBudgetHandle]

    /// Creates the service; `start` connects. With `replicated` (`topology.queue_type: quorum`)
    /// the budgets' queues are quorum queues, which survive the death of a minority of a cluster's nodes.
    public init(
        endpoint: AMQPEndpoint,
        reconnect: ReconnectSettings,
        definitions: [SharedBudgetDefinition],
        replicated: Bool = false,
        logger: Logger,
        instanceName: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    ) {
        let thread = ConnectionThread(name: "budget", endpoint: endpoint, reconnect: reconnect, logger: logger)
        self.thread = thread
        self.logger = logger
        self.instanceName = instanceName
        let wake: @Sendable () -> Void = { thread.submit({ _ in }) }
        let announce: @Sendable (SharedBudgetHandle, ContinuousClock.Instant) -> Void = { handle, until in
            thread.submit({ connection throws(AMQPError) in
                try SharedBudgetSession.publishCooldown(for: handle, until: until, from: instanceName, on: connection)
            })
        }
        budgets = definitions.map { definition in
            SharedBudgetHandle(
                budgetName: definition.name, providers: definition.providers, plan: definition.plan,
                wakeThread: wake, announce: announce
            )
        }
        session = SharedBudgetSession(
            budgets: budgets, declaration: SharedBudgetQueues.Declaration(replicated: replicated), instanceName: instanceName, logger: logger
        )
    }

    /// Connects, declares every budget's queues and joins their elections.
    public func start() async throws {
        try await thread.start(session: session)
    }

    /// Leaves the elections and closes the connection: a refiller's baton
    /// goes to the next instance at once.
    public func stop() async {
        thread.stop()
        await thread.waitUntilFinished(atMost: ConnectionThread.closeWaitLimit)
        for budget in budgets {
            let counts = budget.counts
            logger.info("left a shared budget", metadata: [
                LogKey.budget: .string(budget.budgetName), "tokens_taken": .stringConvertible(counts.taken),
                "tokens_too_late": .stringConvertible(counts.stale), "waits_without_token": .stringConvertible(counts.missed),
                "tokens_published": .stringConvertible(counts.published), "late_restarts": .stringConvertible(counts.lateRestarts),
                "tokens_unclaimed": .stringConvertible(counts.unclaimed),
            ])
        }
    }

    /// Runs as a service: connects, and leaves the elections at graceful shutdown.
    public func run() async throws {
        do {
            try await start()
        } catch {
            // Stopped while the broker was still out of reach.
            await stop()
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            throw error
        }
        try? await gracefulShutdown()
        await stop()
    }

    /// The budget named `name`.
    public func budget(named name: String) -> SharedBudgetHandle? {
        budgets.first { $0.budgetName == name }
    }

    /// Each budget as this instance sees it.
    public var statuses: [SharedBudgetStatus] {
        budgets.map(\.status)
    }
}

/// The budget connection's work, on its thread.
final class SharedBudgetSession: ConnectionSession, @unchecked Sendable {
    // @unchecked Sendable: everything below is touched only by the connection's thread.

    static let channel: UInt16 = 1
    /// How often a caller waiting for a token makes the thread ask the broker.
    static let pollInterval: Duration = .milliseconds(4)
    /// How often the queues are counted and the refiller's word and the last cooldown read.
    static let inspectInterval: Duration = .seconds(1)
    /// How often the refiller says who it is.
    static let statusInterval: Duration = .seconds(1)
    /// How long the refiller keeps one baton delivery: well inside the broker's
    /// `consumer_timeout` (30 minutes by default), which would close the channel.
    static let batonRenewal: Duration = .seconds(600)
    /// A cooldown read back from the broker counts as news only when it ends this much later than
    /// the one known: each reading computes the end again, a few milliseconds apart.
    static let cooldownReadingSlack: Duration = .milliseconds(250)

    private final class Budget {
        let handle: SharedBudgetHandle
        var plan: SharedBudgetPlan
        var requests: RefillSchedule<ContinuousClock.Instant>
        var chunks: RefillSchedule<ContinuousClock.Instant>?
        var batonConsumer: String?
        var batonTag: UInt64?
        var batonRenewAt: ContinuousClock.Instant?
        var isRefiller = false
        var nextPoll = ContinuousClock.now
        var nextInspect = ContinuousClock.now
        var nextStatus = ContinuousClock.now
        /// When each chunk held for the front of the line was taken.
        var purse: [ContinuousClock.Instant] = []

        init(handle: SharedBudgetHandle) {
            self.handle = handle
            plan = handle.plan
            requests = RefillSchedule(interval: plan.requestInterval, tolerance: plan.publicationTolerance, windows: plan.requestWindows)
            chunks = Self.chunkSchedule(plan)
        }

        static func chunkSchedule(_ plan: SharedBudgetPlan) -> RefillSchedule<ContinuousClock.Instant>? {
            plan.chunkInterval.map { RefillSchedule(interval: $0, tolerance: plan.publicationTolerance, windows: plan.chunkWindows) }
        }

        /// Follows a reload's new limits; a token limit added or dropped starts or ends the chunks.
        func follow(_ newPlan: SharedBudgetPlan, now: ContinuousClock.Instant) {
            guard newPlan != plan else { return }
            plan = newPlan
            requests.update(interval: newPlan.requestInterval, windows: newPlan.requestWindows)
            switch (chunks, newPlan.chunkInterval) {
            case (.some, .some(let interval)):
                chunks?.update(interval: interval, windows: newPlan.chunkWindows)
            case (.none, .some):
                chunks = Self.chunkSchedule(newPlan)
                if isRefiller { chunks?.start(at: now) }
                if let until = handle.cooldownUntil { chunks?.pause(until: until) }
            case (_, .none):
                chunks = nil
            }
        }
    }

    private let budgets: [Budget]
    private let declaration: SharedBudgetQueues.Declaration
    private let instanceName: String
    private let logger: Logger
    private var controlConsumer: String?

    init(budgets: [SharedBudgetHandle], declaration: SharedBudgetQueues.Declaration, instanceName: String, logger: Logger) {
        self.budgets = budgets.map(Budget.init)
        self.declaration = declaration
        self.instanceName = instanceName
        self.logger = logger
    }

    // MARK: ConnectionSession

    func connectionOpened(_ connection: AMQPConnection) throws(AMQPError) {
        let channel = Self.channel
        try connection.openChannel(channel)
        // One baton at a time; control messages are acked as they are read.
        try connection.setPrefetch(1, channel: channel)
        try connection.declareExchange(SharedBudgetQueues.controlExchange, type: "topic", channel: channel)
        let control = try connection.declareQueue("", durable: false, exclusive: true, autoDelete: true, channel: channel).name
        for budget in budgets {
            let queues = budget.handle.queues
            try connection.bindQueue(control, exchange: SharedBudgetQueues.controlExchange, routingKey: queues.cooldownKey, channel: channel)
            // Chunks are declared even without a token limit: a reload may add one.
            for bucket in [queues.tokens, queues.chunks] {
                try connection.declareQueue(
                    bucket, durable: declaration.durable, arguments: declaration.arguments(SharedBudgetQueues.bucketArguments), channel: channel
                )
            }
            try connection.declareQueue(
                queues.status, durable: declaration.durable, arguments: declaration.arguments(SharedBudgetQueues.latestOnlyArguments), channel: channel
            )
            // The latest cooldown announcement stays here until it ends, for instances that were not listening.
            try connection.declareQueue(
                queues.lastCooldown, durable: declaration.durable, arguments: declaration.arguments(SharedBudgetQueues.latestOnlyArguments),
                channel: channel
            )
            try connection.bindQueue(
                queues.lastCooldown, exchange: SharedBudgetQueues.controlExchange, routingKey: queues.cooldownKey, channel: channel
            )
            try connection.declareQueue(
                queues.refiller, durable: declaration.durable, autoDelete: !declaration.durable,
                arguments: declaration.arguments(SharedBudgetQueues.refillerArguments), channel: channel
            )
            budget.nextInspect = .now
        }
        controlConsumer = try connection.consume(queue: control, channel: channel)
        for budget in budgets {
            let queues = budget.handle.queues
            // Every instance offers a baton; the queue keeps at most one waiting, so there is
            // always one for whoever the broker makes the active consumer.
            try connection.publish(Self.message(to: queues.refiller), channel: channel)
            budget.batonConsumer = try connection.consume(queue: queues.refiller, channel: channel)
            budget.handle.update { $0.connected = true }
        }
    }

    func handle(_ event: InboundEvent, on connection: AMQPConnection) throws(AMQPError) {
        switch event {
        case .delivery(let delivery):
            if delivery.consumerTag == controlConsumer {
                try connection.ack(delivery.deliveryTag, multiple: false, channel: Self.channel)
                try heardControl(delivery, on: connection)
            } else if let budget = budgets.first(where: { $0.batonConsumer == delivery.consumerTag }) {
                try receivedBaton(delivery, for: budget, on: connection)
            }
        case .consumerCancelled(let tag):
            throw AMQPError(.channelClosed, "the broker cancelled the shared budget consumer \(tag) (its queue was deleted?)")
        case .channelClosed(_, let code, let text):
            throw AMQPError(.channelClosed, "the broker closed the shared budget channel", replyCode: code, replyText: text)
        default:
            break
        }
    }

    func connectionLost(_ error: AMQPError) {
        forgetConnection(because: "the broker connection failed: \(error)")
    }

    func shutDown(_ connection: AMQPConnection?) {
        forgetConnection(because: "shutting down")
    }

    func tick(_ connection: AMQPConnection, now: ContinuousClock.Instant) throws(AMQPError) -> ContinuousClock.Instant? {
        var wake: ContinuousClock.Instant?
        func wakeBy(_ instant: ContinuousClock.Instant?) {
            guard let instant else { return }
            wake = min(wake ?? instant, instant)
        }
        for budget in budgets {
            budget.follow(budget.handle.plan, now: now)
            // Read first: a new refiller learns a running cooldown before its first token.
            if now >= budget.nextInspect {
                try inspect(budget, now: now, on: connection)
                budget.nextInspect = now + Self.inspectInterval
            }
            wakeBy(budget.nextInspect)
            if budget.isRefiller {
                try refill(budget, now: now, on: connection)
                wakeBy(budget.requests.nextWake)
                wakeBy(budget.chunks?.nextWake)
                wakeBy(budget.nextStatus)
                wakeBy(budget.batonRenewAt)
            }
            if try serveWaiters(budget, now: now, on: connection) {
                wakeBy(budget.nextPoll)
            }
        }
        return wake
    }

    // MARK: Refilling

    private func receivedBaton(_ delivery: Delivery, for budget: Budget, on connection: AMQPConnection) throws(AMQPError) {
        guard budget.batonTag == nil else {
            // A second baton (two instances offered one at once): one is enough.
            try connection.ack(delivery.deliveryTag, multiple: false, channel: Self.channel)
            return
        }
        budget.batonTag = delivery.deliveryTag
        budget.batonRenewAt = .now + Self.batonRenewal
        guard !budget.isRefiller else { return }
        // The broker made this consumer the active one: it stays so while the connection lives.
        budget.isRefiller = true
        let now = ContinuousClock.now
        budget.requests.start(at: now)
        budget.chunks?.start(at: now)
        if let until = budget.handle.cooldownUntil {
            budget.requests.pause(until: until)
            budget.chunks?.pause(until: until)
        }
        // The last cooldown announced is read before the first token is due (one interval from now).
        budget.nextInspect = now
        budget.nextStatus = now + Self.statusInterval
        budget.handle.update { $0.isRefiller = true }
        logger.info("became the refiller of a shared budget", metadata: [
            LogKey.budget: .string(budget.handle.budgetName),
            "requests_per_minute": .stringConvertible((budget.plan.sustainedRequestsPerMinute * 10).rounded() / 10),
        ])
    }

    private func refill(_ budget: Budget, now: ContinuousClock.Instant, on connection: AMQPConnection) throws(AMQPError) {
        let queues = budget.handle.queues
        let expiration = String(max(budget.plan.tokenLifetime.milliseconds, 1))
        // Bounded: a schedule that ever owed more than one token would be a bug, not a reason to flood.
        for _ in 0..<4 where budget.requests.tokenDue(at: now) {
            try connection.publish(Self.message(to: queues.tokens, expiration: expiration), channel: Self.channel)
        }
        if var chunks = budget.chunks {
            for _ in 0..<4 where chunks.tokenDue(at: now) {
                try connection.publish(Self.message(to: queues.chunks, expiration: expiration), channel: Self.channel)
            }
            budget.chunks = chunks
        }
        if now >= budget.nextStatus {
            let cooldown = budget.handle.status.cooldownSeconds
            let word = OutgoingMessage(
                exchange: "", routingKey: queues.status, mandatory: false,
                properties: MessageProperties(
                    headers: ["x-refiller": .string(instanceName), "x-cooldown-ms": .integer(Int64(cooldown * 1000))],
                    expiration: "5000"
                ),
                body: []
            )
            try connection.publish(word, channel: Self.channel)
            budget.nextStatus = now + Self.statusInterval
        }
        if let renewAt = budget.batonRenewAt, now >= renewAt, let tag = budget.batonTag {
            // A fresh baton before the broker's consumer timeout closes the channel; this consumer
            // stays the active one, so the new baton comes straight back here.
            try connection.publish(Self.message(to: queues.refiller), channel: Self.channel)
            try connection.ack(tag, multiple: false, channel: Self.channel)
            budget.batonTag = nil
            budget.batonRenewAt = nil
        }
    }

    // MARK: Cooldowns

    private func heardControl(_ delivery: Delivery, on connection: AMQPConnection) throws(AMQPError) {
        guard let budget = budgets.first(where: { $0.handle.queues.cooldownKey == delivery.routingKey }),
              let left = Self.cooldownLeft(in: delivery)
        else { return }
        try coolDown(budget, until: .now + left, on: connection)
        logger.info("shared budget cooling down", metadata: [
            LogKey.budget: .string(budget.handle.budgetName),
            "cooldown_ms": .stringConvertible(left.milliseconds),
            "announced_by": .string(delivery.properties.headers["x-from"]?.stringValue ?? "?"),
        ])
    }

    /// How far apart the instances' wall clocks may be, for a cooldown read back long after it was sent.
    static let clockSkewAllowance: Duration = .seconds(1)

    /// What is left of an announced cooldown; nil when it is over.
    ///
    /// One heard as it was sent counts in full from now (it travelled for milliseconds). One read
    /// back later from the last-cooldown queue (`aged`) has its age taken off, by the sender's
    /// wall clock and this one's, less ``clockSkewAllowance``: never more than its delay, and
    /// never ending early unless the clocks are further apart than that.
    static func cooldownLeft(in announcement: Delivery, aged: Bool = false, now: Date = Date()) -> Duration? {
        let headers = announcement.properties.headers
        guard let delay = headers["x-delay-ms"]?.integerValue, delay > 0 else { return nil }
        var left = min(delay, 86_400_000)
        if aged, let sent = headers["x-sent-ms"]?.integerValue {
            let elapsed = Int64(now.timeIntervalSince1970 * 1000) - sent - clockSkewAllowance.milliseconds
            left -= min(max(elapsed, 0), left)
        }
        return left > 0 ? .milliseconds(left) : nil
    }

    /// No tokens until `until`: the schedules pause, a refiller empties the buckets (tokens already
    /// out would let requests through), and this instance's limiters and waiting callers hear of it.
    private func coolDown(_ budget: Budget, until: ContinuousClock.Instant, on connection: AMQPConnection) throws(AMQPError) {
        budget.requests.pause(until: until)
        budget.chunks?.pause(until: until)
        if budget.isRefiller {
            _ = try connection.purgeQueue(budget.handle.queues.tokens, channel: Self.channel)
            _ = try connection.purgeQueue(budget.handle.queues.chunks, channel: Self.channel)
        }
        budget.handle.applyCooldown(until: until)
    }

    static func publishCooldown(
        for handle: SharedBudgetHandle, until: ContinuousClock.Instant, from instance: String, on connection: AMQPConnection
    ) throws(AMQPError) {
        // Relative to now, not to when the 429 came: a command that waited for a reconnect says what is left.
        let left = ContinuousClock.now.duration(to: until)
        guard left > .zero else { return }
        let milliseconds = max(left.milliseconds, 1)
        let message = OutgoingMessage(
            exchange: SharedBudgetQueues.controlExchange, routingKey: handle.queues.cooldownKey, mandatory: false,
            properties: MessageProperties(
                headers: [
                    "x-delay-ms": .integer(milliseconds), "x-from": .string(instance),
                    "x-sent-ms": .integer(Int64(Date().timeIntervalSince1970 * 1000)),
                ],
                expiration: String(milliseconds)
            ),
            body: []
        )
        try connection.publish(message, channel: channel)
    }

    // MARK: Taking

    /// Takes tokens for the callers waiting, front first; returns whether any still wait.
    private func serveWaiters(_ budget: Budget, now: ContinuousClock.Instant, on connection: AMQPConnection) throws(AMQPError) -> Bool {
        let queues = budget.handle.queues
        budget.purse.removeAll { $0 + budget.plan.chunkHold <= now }
        if budget.handle.cooldownUntil != nil {
            // Nobody sends while the provider cools down: callers go back to their limiters, which know why.
            budget.handle.failWaiters()
            return false
        }
        guard now >= budget.nextPoll else { return budget.handle.frontChunks != nil }
        // Bounded per turn, so a long line cannot keep the thread from its heartbeats.
        for _ in 0..<64 {
            guard let chunks = budget.handle.frontChunks else { return false }
            if budget.purse.count < chunks {
                guard try connection.get(queue: queues.chunks, autoAck: true, channel: Self.channel) != nil else {
                    budget.nextPoll = now + Self.pollInterval
                    return true
                }
                budget.purse.append(ContinuousClock.now)
                continue
            }
            guard try connection.get(queue: queues.tokens, autoAck: true, channel: Self.channel) != nil else {
                budget.nextPoll = now + Self.pollInterval
                return true
            }
            // The front may have given up during the get: the token goes to whoever is first now.
            if let used = budget.handle.grantFirst(takenAt: .now, holdingChunks: budget.purse.count) {
                budget.purse.removeFirst(min(used, budget.purse.count))
            } else {
                // Nobody waits any more: the token is gone, never kept for later.
                budget.handle.update { $0.unclaimed += 1 }
            }
        }
        return budget.handle.frontChunks != nil
    }

    // MARK: Status

    private func inspect(_ budget: Budget, now: ContinuousClock.Instant, on connection: AMQPConnection) throws(AMQPError) {
        let queues = budget.handle.queues
        let tokens = try connection.declareQueue(queues.tokens, passive: true, channel: Self.channel)
        let election = try connection.declareQueue(queues.refiller, passive: true, channel: Self.channel)
        var word: String?
        if let status = try connection.get(queue: queues.status, autoAck: false, channel: Self.channel) {
            try connection.nack(status.deliveryTag, multiple: false, requeue: true, channel: Self.channel)
            word = status.properties.headers["x-refiller"]?.stringValue
        }
        if let announcement = try connection.get(queue: queues.lastCooldown, autoAck: false, channel: Self.channel) {
            try connection.nack(announcement.deliveryTag, multiple: false, requeue: true, channel: Self.channel)
            // An instance that was not listening (it started, reconnected or became the refiller since) learns it here.
            if let left = Self.cooldownLeft(in: announcement, aged: true) {
                let until = now + left
                if until > (budget.handle.cooldownUntil ?? now) + Self.cooldownReadingSlack {
                    try coolDown(budget, until: until, on: connection)
                    logger.info("shared budget cooling down (announced earlier)", metadata: [
                        LogKey.budget: .string(budget.handle.budgetName), "cooldown_ms": .stringConvertible(left.milliseconds),
                    ])
                }
            }
        }
        let refilling = budget.isRefiller
        let instanceName = self.instanceName
        let (published, lateRestarts) = (budget.requests.tokensPublished, budget.requests.lateRestarts)
        budget.handle.update { state in
            state.published = published
            state.lateRestarts = lateRestarts
            state.tokensAvailable = Int(tokens.messages)
            state.instances = Int(election.consumers)
            if refilling {
                state.refiller = instanceName
                state.refillerHeardAt = .now
            } else if let word {
                state.refiller = word
                state.refillerHeardAt = .now
            }
        }
    }

    private func forgetConnection(because reason: String) {
        controlConsumer = nil
        for budget in budgets {
            if budget.isRefiller {
                logger.info("no longer the refiller of a shared budget", metadata: [
                    LogKey.budget: .string(budget.handle.budgetName), LogKey.reason: .string(reason),
                ])
            }
            budget.isRefiller = false
            budget.batonTag = nil
            budget.batonRenewAt = nil
            budget.batonConsumer = nil
            budget.requests.stop()
            budget.chunks?.stop()
            budget.purse.removeAll()
            let (published, lateRestarts) = (budget.requests.tokensPublished, budget.requests.lateRestarts)
            budget.handle.update { state in
                state.connected = false
                state.isRefiller = false
                // Counted on the thread; copied once a second and here, for the line logged at exit.
                state.published = published
                state.lateRestarts = lateRestarts
            }
        }
    }

    private static func message(to queue: String, expiration: String? = nil) -> OutgoingMessage {
        OutgoingMessage(exchange: "", routingKey: queue, mandatory: false, properties: MessageProperties(expiration: expiration), body: [])
    }
}
