import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// How the pipeline runs.
public struct PipelineSettings: Sendable {
    /// Messages processed at once.
    public var workers: Int
    /// Deliveries the broker may send ahead of acks; near `workers`, or priorities stop mattering.
    public var prefetch: Int
    /// Stop once the input and retry queues are empty and nothing is in flight.
    public var drain: Bool
    /// How long to wait before returning a message whose result could not be published,
    /// so a broken results exchange does not turn into a hot redelivery loop.
    public var requeueDelay: Duration
    /// How often drain mode asks the broker whether the queues are empty.
    public var drainCheckInterval: Duration
    /// Attempts before a transient provider failure becomes a dead letter.
    public var maxAttempts: Int
    /// Bodies declared larger than this are not read into memory: the delivery is rejected
    /// and the broker moves it, whole, to the input queue's dead-letter exchange. Nil reads all.
    public var bodyReadLimit: Int?

    /// Creates settings.
    public init(
        workers: Int,
        prefetch: Int,
        drain: Bool = false,
        maxAttempts: Int = 4,
        requeueDelay: Duration = .seconds(1),
        drainCheckInterval: Duration = .milliseconds(50),
        bodyReadLimit: Int? = nil
    ) {
        self.bodyReadLimit = bodyReadLimit
        self.workers = workers
        self.prefetch = prefetch
        self.drain = drain
        self.maxAttempts = maxAttempts
        self.requeueDelay = requeueDelay
        self.drainCheckInterval = drainCheckInterval
    }
}

/// The daemon's main job: consume tweets, process them with `workers` in flight,
/// publish each result and ack the input only after the broker confirmed the result.
///
/// On graceful shutdown it cancels its consumers, returns deliveries no worker
/// has started, lets in-flight messages finish (publish, confirm, ack), then
/// closes both connections.
public final class TweetPipeline: Service {
    private let endpoint: AMQPEndpoint
    private let topology: TopologyConfiguration
    private let processor: MessageProcessor
    private let currentChain: Mutex<ProviderChain<ContinuousClock>>
    private let settings: PipelineSettings
    private let prefetchTarget: Atomic<Int>
    /// How many workers there should be (a reload changes it, ``resize(workers:prefetch:)``), how many
    /// run now, and the next worker's number (for logs); one lock, so starting and leaving agree.
    private let workerCensus: Mutex<(target: Int, running: Int, nextNumber: Int)>
    /// Wakes ``run()`` to start workers after a reload raised the count; finished when the pipeline stops taking work.
    private let workerRequests: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private let reconnect: ReconnectSettings
    private let logger: Logger
    /// What the pipeline has done so far; shared with reporting.
    public let statistics: PipelineStatistics
    private let metrics: TweetdMetrics
    private let inFlight = Atomic<Int>(0)
    /// Deliveries handed over by the consumer and not yet acked or given back: buffered,
    /// being processed, or waiting for their result's confirm. Drain mode ends only at 0.
    private let unsettled = Atomic<Int>(0)
    /// The open connections while ``run()`` runs, for readiness.
    private let connections = Mutex<(publisher: PublisherConnection, consumer: ConsumerConnection)?>(nil)
    private let phase = Atomic<Int>(Phase.starting.rawValue)
    /// Prefetched deliveries waiting for a worker; a property so progress reporting can count them.
    private let buffer = DeliveryBuffer()
    /// Producers' header values already reported as ignored.
    private let ignoredHeaders = IgnoredHeaderLog()

    /// Creates the pipeline; `run` starts it.
    public init(
        endpoint: AMQPEndpoint,
        topology: TopologyConfiguration,
        processor: MessageProcessor,
        chain: ProviderChain<ContinuousClock> = ProviderChain(providers: [], maxHold: .seconds(600)),
        settings: PipelineSettings,
        reconnect: ReconnectSettings = ReconnectSettings(),
        metrics: TweetdMetrics = .discarding(),
        logger: Logger
    ) {
        self.endpoint = endpoint
        self.topology = topology
        self.processor = processor
        self.currentChain = Mutex(chain)
        self.settings = settings
        self.workerCensus = Mutex((target: settings.workers, running: 0, nextNumber: 0))
        self.prefetchTarget = Atomic(settings.prefetch)
        self.workerRequests = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.reconnect = reconnect
        self.metrics = metrics
        self.statistics = PipelineStatistics(metrics: metrics)
        self.logger = logger
    }

    /// The LLM providers, with their request statistics; replaced by ``replaceChain(_:)``.
    public var chain: ProviderChain<ContinuousClock> {
        currentChain.withLock { $0 }
    }

    /// Makes `chain` the one new messages are enriched by (configuration reload).
    ///
    /// Requests already sent finish on the old chain; messages waiting for one
    /// of its limiters move to the new chain at once.
    public func replaceChain(_ chain: ProviderChain<ContinuousClock>) {
        let old = currentChain.withLock { current in
            defer { current = chain }
            return current
        }
        if old !== chain {
            old.retire()
        }
    }

    /// Workers processing messages at once, as configured now.
    public var workerCount: Int {
        workerCensus.withLock { $0.target }
    }

    /// Changes the number of workers and the prefetch (configuration reload).
    ///
    /// More workers start at once; with fewer, workers beyond the count stop
    /// after the message they hold (an idle one gives back the next delivery
    /// it is handed), so nothing is cut short. A new prefetch
    /// re-registers the consumers (RabbitMQ applies a per-consumer prefetch
    /// only to consumers registered after it).
    public func resize(workers: Int, prefetch: Int) {
        workerCensus.withLock { $0.target = max(1, workers) }
        metrics.workers(max(1, workers))
        if prefetchTarget.exchange(prefetch, ordering: .relaxed) != prefetch {
            connections.withLock { $0 }?.consumer.changePrefetch(prefetch)
        }
        workerRequests.continuation.yield()
    }

    /// Where the pipeline is in its life, for readiness.
    private enum Phase: Int {
        case starting, running, stopping, stopped
    }

    /// Whether the pipeline is ready to take work: consuming on an open
    /// consumer connection with an open publisher connection. When it is not,
    /// the reason, in one line.
    public var readiness: (ready: Bool, reason: String) {
        switch Phase(rawValue: phase.load(ordering: .acquiring)) ?? .stopped {
        case .starting:
            return (false, "connecting to the broker")
        case .stopping:
            return (false, "shutting down")
        case .stopped:
            return (false, "stopped")
        case .running:
            guard let (publisher, consumer) = connections.withLock({ $0 }) else {
                return (false, "connecting to the broker")
            }
            if !consumer.isConsuming {
                return (false, "consumer connection to the broker lost; reconnecting")
            }
            if !publisher.isConnected {
                return (false, "publisher connection to the broker lost; reconnecting")
            }
            if let failure = publisher.publishingFailure {
                return (false, "publishing fails: \(failure)")
            }
            return (true, "consuming")
        }
    }

    /// True once ``run()`` has returned.
    public var isStopped: Bool {
        phase.load(ordering: .acquiring) == Phase.stopped.rawValue
    }

    /// Sets the gauges that reflect the pipeline's state now; called before a scrape or a snapshot.
    public func updateStateGauges() {
        metrics.state(inFlight: inFlightCount, brokerConnected: readiness.ready)
    }

    /// Messages being processed right now.
    public var inFlightCount: Int {
        inFlight.load(ordering: .relaxed)
    }

    /// Prefetched deliveries waiting for a worker right now.
    public var bufferedCount: Int {
        buffer.count
    }

    /// Runs until graceful shutdown, or in drain mode until the queues are empty.
    public func run() async throws {
        let topology = self.topology
        let buffer = self.buffer
        let metrics = self.metrics
        let publisher = PublisherConnection(
            endpoint: endpoint, name: "publisher", reconnect: reconnect, logger: logger,
            onConnect: { admin throws(AMQPError) in try topology.declare(using: admin) },
            onConfirmLatency: { metrics.publishConfirmed(after: $0) }
        )
        let consumer = ConsumerConnection(
            endpoint: endpoint,
            queues: topology.inputQueueNames,
            prefetch: prefetchTarget.load(ordering: .relaxed),
            reconnect: reconnect,
            logger: logger,
            onConnect: { admin throws(AMQPError) in try topology.declare(using: admin) },
            onDelivery: { delivery in
                // Counted before the push, so a worker that settles it at once never takes the count below zero.
                self.unsettled.add(1, ordering: .relaxed)
                guard buffer.push(delivery) else {
                    self.unsettled.subtract(1, ordering: .relaxed)
                    return false
                }
                return true
            },
            onConnectionLost: { generation in
                // The broker gives that connection's deliveries back to their queues: processing the
                // buffered copies too would publish a second result for each (and pay a provider twice).
                let dropped = buffer.removeAll { $0.connectionGeneration == generation }
                if dropped > 0 {
                    self.unsettled.subtract(dropped, ordering: .relaxed)
                    self.logger.info("dropped deliveries of a lost consumer connection; the broker delivers them again", metadata: [
                        "dropped": .stringConvertible(dropped),
                    ])
                }
            },
            bodyReadLimit: settings.bodyReadLimit
        )
        defer { phase.store(Phase.stopped.rawValue, ordering: .releasing) }
        do {
            // Both starts wait for the broker; a shutdown meanwhile cancels the wait.
            try await cancelWhenGracefulShutdown {
                try await publisher.start()
                do {
                    try await consumer.start()
                } catch {
                    await publisher.close()
                    throw error
                }
            }
        } catch where Task.isShuttingDownGracefully || Task.isCancelled {
            // A failed start has ended its connection's thread already; a consumer that never started has none.
            logger.info("stopped before the broker connection opened")
            return
        }
        connections.withLock { $0 = (publisher, consumer) }
        // A reload while the broker was still out of reach found no consumer to tell.
        let prefetch = prefetchTarget.load(ordering: .relaxed)
        if prefetch != consumer.prefetch {
            consumer.changePrefetch(prefetch)
        }
        phase.store(Phase.running.rawValue, ordering: .releasing)
        logger.info("consuming", metadata: [
            LogKey.queue: .string(topology.inputQueueNames.joined(separator: ",")),
            LogKey.worker: .stringConvertible(settings.workers),
            "prefetch": .stringConvertible(settings.prefetch),
            "broker": .string(endpoint.redactedDescription),
        ])

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if settings.drain {
                    group.addTask {
                        await self.stopWhenDrained(buffer: buffer, publisher: publisher, consumer: consumer)
                    }
                }
                // Starts the configured workers, then more whenever a reload asks for them,
                // until the pipeline stops taking work.
                self.startMissingWorkers(in: &group, buffer: buffer, publisher: publisher, consumer: consumer)
                for await _ in self.workerRequests.stream {
                    self.startMissingWorkers(in: &group, buffer: buffer, publisher: publisher, consumer: consumer)
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.phase.store(Phase.stopping.rawValue, ordering: .releasing)
            self.logger.info("shutting down: finishing in-flight messages", metadata: ["in_flight": .stringConvertible(self.inFlightCount)])
            self.stopTakingWork(buffer: buffer, consumer: consumer)
        }

        // Every worker is done: send the last acks, then close.
        phase.store(Phase.stopping.rawValue, ordering: .releasing)
        connections.withLock { $0 = nil }
        // Both at once: each waits at most ConnectionThread.closeWaitLimit, and a shutdown whose
        // grace period ran out has 5 s in all before the service group gives up on it.
        async let consumerClosed: Void = consumer.close()
        async let publisherClosed: Void = publisher.close()
        _ = await (consumerClosed, publisherClosed)
        logger.info("stopped", metadata: ["settled": .stringConvertible(statistics.snapshot().settled)])
    }

    /// Cancels consuming and gives back every delivery no worker has started.
    private func stopTakingWork(buffer: DeliveryBuffer, consumer: ConsumerConnection) {
        consumer.cancelConsumers()
        for delivery in buffer.finish() {
            consumer.nack(delivery, requeue: true)
            unsettled.subtract(1, ordering: .relaxed)
        }
        workerRequests.continuation.finish()
    }

    /// Adds workers until as many run as ``workerCount`` says.
    private func startMissingWorkers(
        in group: inout TaskGroup<Void>, buffer: DeliveryBuffer, publisher: PublisherConnection, consumer: ConsumerConnection
    ) {
        let numbers = workerCensus.withLock { census -> Range<Int> in
            let missing = max(0, census.target - census.running)
            defer {
                census.running += missing
                census.nextNumber += missing
            }
            return census.nextNumber..<(census.nextNumber + missing)
        }
        for worker in numbers {
            group.addTask {
                await self.work(worker: worker, buffer: buffer, publisher: publisher, consumer: consumer)
            }
        }
    }

    /// True when this worker should stop because a reload lowered the count; it is then no longer counted.
    private func leaveIfSurplus() -> Bool {
        workerCensus.withLock { census in
            guard census.running > census.target else { return false }
            census.running -= 1
            return true
        }
    }

    private func work(worker: Int, buffer: DeliveryBuffer, publisher: PublisherConnection, consumer: ConsumerConnection) async {
        var logger = self.logger
        logger[metadataKey: LogKey.worker] = .stringConvertible(worker)
        while !leaveIfSurplus(), let delivery = await buffer.next() {
            if leaveIfSurplus() {
                // Idle when a reload lowered the count: the delivery goes to a worker that stays.
                if !buffer.push(delivery) {
                    consumer.nack(delivery, requeue: true)
                    unsettled.subtract(1, ordering: .relaxed)
                }
                return
            }
            guard consumer.isLive(generation: delivery.connectionGeneration) else {
                // Its connection died after it was buffered: the broker delivers it again.
                unsettled.subtract(1, ordering: .relaxed)
                continue
            }
            if let unread = delivery.unreadBodyBytes {
                rejectUnread(delivery, declaredBytes: unread, consumer: consumer, logger: logger)
                continue
            }
            inFlight.add(1, ordering: .relaxed)
            let settled = await handle(delivery, publisher: publisher, consumer: consumer, logger: logger)
            // Out of flight before it counts as settled, so whoever reads the statistics and
            // then the in-flight count (progress reporting) never counts one message twice.
            inFlight.subtract(1, ordering: .relaxed)
            unsettled.subtract(1, ordering: .relaxed)
            if let settled {
                statistics.record(settled.kind, provider: settled.provider, priority: delivery.priority, seconds: settled.seconds)
            }
        }
    }

    /// Processes, publishes and acks one delivery; returns how it was settled, or nil when it went back to its queue.
    private func handle(
        _ delivery: Delivery,
        publisher: PublisherConnection,
        consumer: ConsumerConnection,
        logger workerLogger: Logger
    ) async -> (kind: ProcessingOutcome.Kind, provider: String?, seconds: Double)? {
        let startedAt = ContinuousClock.now
        if let timestamp = delivery.properties.timestamp {
            // AMQP timestamps are whole seconds: the wait is as precise as the producer's clock and that.
            metrics.queueWait(.seconds(max(0, Date().timeIntervalSince1970 - Double(timestamp))))
        }
        var attempt: Int?
        let outcome = await process(delivery, startedAt: startedAt, logger: workerLogger, attempt: &attempt)
        // Metadata is added only for a line that is written: setting it costs more than the
        // built-in analysis of a short tweet, and most messages log nothing.
        func messageLogger() -> Logger {
            Self.messageLogger(workerLogger, delivery: delivery, tweetID: outcome.tweetID, attempt: attempt)
        }
        if !delivery.properties.headers.isEmpty {
            reportIgnoredHeaders(of: delivery)
        }
        switch await publish(outcome, of: delivery, publisher: publisher, consumer: consumer, logger: messageLogger) {
        case .published:
            break
        case .cancelled:
            // Shutdown's grace period is over: the delivery stays unacked and comes back when the
            // connection closes (or was acked already, if its confirm arrived after all).
            return nil
        case .failed(let error):
            // Not acked: the input goes back to its queue and nothing is lost.
            messageLogger().warning("could not publish; returning the message to its queue", metadata: [LogKey.error: .string(error.description)])
            statistics.recordRequeue()
            try? await Task.sleep(for: settings.requeueDelay)
            consumer.nack(delivery, requeue: true)
            return nil
        }
        switch outcome.kind {
        case .result:
            if workerLogger.logLevel <= .trace {
                messageLogger().trace("result published")
            }
        case .deadLetter(let category, let reason):
            messageLogger().info("dead-lettered", metadata: [LogKey.errorCategory: .string(category.rawValue), LogKey.error: .string(reason)])
        case .retry(let category, let reason, let countsAttempt):
            messageLogger().info("sent to a retry queue", metadata: [
                LogKey.errorCategory: .string(category.rawValue), LogKey.error: .string(reason),
                "counts_attempt": .stringConvertible(countsAttempt),
            ])
        }
        return (outcome.kind, outcome.provider, (ContinuousClock.now - startedAt).seconds)
    }

    /// A body too large to read is rejected without requeue: the input queue's dead-letter exchange
    /// (`topology.dead_letter_exchange`) gets the message whole, with the broker's `x-death` (reason
    /// `rejected`) instead of tweetd's headers, since tweetd never held the body to copy it.
    private func rejectUnread(_ delivery: Delivery, declaredBytes: UInt64, consumer: ConsumerConnection, logger: Logger) {
        consumer.nack(delivery, requeue: false)
        unsettled.subtract(1, ordering: .relaxed)
        statistics.record(.deadLetter(.invalidInput, reason: "body too large to read"), priority: delivery.priority, seconds: 0)
        Self.messageLogger(logger, delivery: delivery, tweetID: nil, attempt: nil).warning(
            "rejected a body too large to read; the broker dead-letters it whole", metadata: [
                "body_bytes": .stringConvertible(declaredBytes), "limit_bytes": .stringConvertible(settings.bodyReadLimit ?? 0),
                LogKey.errorCategory: .string(ErrorCategory.invalidInput.rawValue),
            ]
        )
    }

    private enum PublishOutcome {
        case published
        case cancelled
        case failed(AMQPError)
    }

    /// Publishes what `outcome` says and acks the input on the publisher's thread the moment the
    /// broker confirms it.
    ///
    /// A publish the broker refuses is tried once more (a channel closed by someone else's bad
    /// publish, or over an exchange that was just declared again, takes every publish in flight
    /// with it). A dead letter or retry carries the producer's properties, and if the broker still
    /// refuses it, its minimal form (body and tweetd's headers) goes instead: a message whose
    /// copy cannot be written must still end, not loop through its queue for ever.
    private func publish(
        _ outcome: ProcessingOutcome, of delivery: Delivery, publisher: PublisherConnection, consumer: ConsumerConnection,
        logger messageLogger: () -> Logger
    ) async -> PublishOutcome {
        // The full form twice, then (for a copy) the minimal one, built only if it comes to that:
        // nearly every message goes on the first try.
        let attempts = outcome.copiesProducerProperties ? 3 : 2
        var lastError = AMQPError(.notConnected, "nothing was published")
        for attempt in 0..<attempts {
            let minimal = attempt == 2
            let message = minimal ? DeadLetter.minimal(outcome.message) : outcome.message
            do throws(AMQPError) {
                try await publisher.publish(message) { consumer.ack(delivery) }
                if minimal {
                    messageLogger().warning("published the minimal form after the broker refused the full copy", metadata: [
                        LogKey.error: .string(lastError.description),
                    ])
                }
                return .published
            } catch {
                if error.code == .cancelled { return .cancelled }
                lastError = error
                // On a lost connection, trying again at once only repeats the failure.
                if error.connectionIsDead { break }
            }
        }
        return .failed(lastError)
    }

    /// Says once per header name that a producer's value of a header tweetd reads was ignored.
    private func reportIgnoredHeaders(of delivery: Delivery) {
        for (name, reason) in MessageProcessor.ignoredHeaders(of: delivery) where ignoredHeaders.shouldReport(name) {
            logger.warning("ignoring a header value tweetd could not have written (said once per header)", metadata: [
                "header": .string(name), LogKey.error: .string(reason), LogKey.deliveryTag: .stringConvertible(delivery.deliveryTag),
            ])
        }
    }

    /// `logger` with the delivery tag, and the tweet id and attempt once known.
    private static func messageLogger(_ logger: Logger, delivery: Delivery, tweetID: String?, attempt: Int?) -> Logger {
        var logger = logger
        logger[metadataKey: LogKey.deliveryTag] = .stringConvertible(delivery.deliveryTag)
        if let tweetID { logger[metadataKey: LogKey.tweetID] = .string(tweetID) }
        if let attempt { logger[metadataKey: LogKey.attempt] = .stringConvertible(attempt) }
        return logger
    }

    /// Decode, analyse, and ask the provider chain when there is one; `attempt` is set once the message is decoded.
    private func process(
        _ delivery: Delivery, startedAt: ContinuousClock.Instant, logger workerLogger: Logger, attempt: inout Int?
    ) async -> ProcessingOutcome {
        let prepared: PreparedTweet
        switch processor.prepare(delivery, now: Date()) {
        case .failure(let invalid):
            return invalid.outcome
        case .success(let tweet):
            prepared = tweet
        }
        attempt = prepared.attempt
        while true {
            let chain = self.chain
            if chain.isEmpty {
                return processor.result(for: prepared, enrichment: nil, now: Date(), startedAt: startedAt)
            }
            // Provider calls log their failures; they take a moment anyway, so their logger carries the message.
            let logger = Self.messageLogger(workerLogger, delivery: delivery, tweetID: prepared.tweet.id, attempt: prepared.attempt)
            switch await chain.enrich(prepared, logger: logger) {
            case .enriched(let enrichment):
                return processor.result(for: prepared, enrichment: enrichment, now: Date(), startedAt: startedAt)
            case .failed(let failure):
                return processor.failure(
                    for: prepared, category: failure.category, reason: failure.reason, provider: failure.provider,
                    permanent: failure.permanent, countsAttempt: failure.countsAttempt, maxAttempts: settings.maxAttempts, now: Date()
                )
            case .superseded:
                // A reload replaced the chain while this message waited: the new one decides.
                continue
            }
        }
    }

    /// Drain mode: ends the run once two checks in a row find nothing waiting anywhere.
    ///
    /// The input queues are counted on the consumer's delivery channel (``ConsumerConnection/readyMessages(in:)``),
    /// which also brings in any delivery still on the wire; a busy machine can hold one there for
    /// longer than any fixed wait. The retry queues are nobody's to consume, so a count is enough.
    private func stopWhenDrained(buffer: DeliveryBuffer, publisher: PublisherConnection, consumer: ConsumerConnection) async {
        let inputQueues = topology.inputQueueNames
        let retryQueues = topology.retryQueues
        var quietChecks = 0
        while !buffer.isFinished {
            do {
                try await Task.sleep(for: settings.drainCheckInterval)
            } catch {
                return
            }
            guard unsettled.load(ordering: .relaxed) == 0, consumer.isConsuming else {
                quietChecks = 0
                continue
            }
            let ready = try? await consumer.readyMessages(in: inputQueues)
            let retrying = try? await publisher.perform { admin throws(AMQPError) in
                var total = 0
                for queue in retryQueues {
                    total += try admin.inspectQueue(queue).messages
                }
                return total
            }
            // Two quiet checks: a message expiring from a retry queue is on its way back to the input for a moment.
            quietChecks = ready == 0 && retrying == 0 ? quietChecks + 1 : 0
            if quietChecks >= 2, unsettled.load(ordering: .relaxed) == 0 {
                logger.info("drained: the input and retry queues are empty")
                stopTakingWork(buffer: buffer, consumer: consumer)
                return
            }
        }
    }
}
