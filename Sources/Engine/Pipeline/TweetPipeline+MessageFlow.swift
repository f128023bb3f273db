import Foundation
import Logging

/// One message's path, top to bottom: the source hands a delivery over (``TweetPipeline/accept(_:)``),
/// a worker takes it from the buffer (``TweetPipeline/work(worker:connections:)``), prepares it,
/// asks the provider chain, builds the outcome, publishes it and acks the delivery at the
/// broker's confirm (``TweetPipeline/handle(_:connections:logger:)``).
extension TweetPipeline {
    // MARK: Hand-over

    /// Takes a delivery from the source's thread into the buffer; false once the pipeline takes
    /// no more work (the source then gives it back).
    func accept(_ delivery: Delivery) -> Bool {
        buffer.push(delivery)
    }

    /// The broker gives a lost connection's deliveries back to their queues: processing the
    /// buffered copies too would publish a second result for each (and pay a provider twice).
    func dropDeliveries(ofLostConnection generation: UInt64) {
        let dropped = buffer.removeAll { $0.connectionGeneration == generation }
        if dropped > 0 {
            logger.info("dropped deliveries of a lost consumer connection; the broker delivers them again", metadata: [
                "dropped": .stringConvertible(dropped),
            ])
        }
    }

    // MARK: Worker

    /// One worker: takes the highest-priority delivery, settles it, and again, until the
    /// pipeline stops taking work or a reload lowered the worker count.
    func work(worker: Int, connections: Connections) async {
        var logger = self.logger
        logger[metadataKey: LogKey.worker] = .stringConvertible(worker)
        let source = connections.source
        while !workers.leaveIfSurplus(), let delivery = await buffer.next() {
            if workers.leaveIfSurplus() {
                // Idle when a reload lowered the count: the delivery goes to a worker that stays.
                if !buffer.giveBack(delivery) {
                    source.nack(delivery, requeue: true)
                    buffer.settle()
                }
                return
            }
            guard source.isLive(generation: delivery.connectionGeneration) else {
                // Its connection died after it was buffered: the broker delivers it again.
                buffer.settle()
                continue
            }
            if let unread = delivery.unreadBodyBytes {
                rejectUnread(delivery, declaredBytes: unread, source: source, logger: logger)
                continue
            }
            let settled = await handle(delivery, connections: connections, logger: logger)
            // Settled before it is recorded, so whoever reads the statistics and then the
            // in-flight count (progress reporting) never counts one message twice.
            buffer.settle()
            if let settled {
                statistics.record(settled.kind, provider: settled.provider, priority: delivery.priority, seconds: settled.seconds)
            }
        }
    }

    // MARK: One message

    /// Processes, publishes and acks one delivery; returns how it was settled, or nil when it went back to its queue.
    func handle(
        _ delivery: Delivery, connections: Connections, logger workerLogger: Logger
    ) async -> (kind: ProcessingOutcome.Kind, provider: String?, seconds: Double)? {
        let startedAt = ContinuousClock.now
        if let timestamp = delivery.properties.timestamp {
            // AMQP timestamps are whole seconds: the wait is as precise as the producer's clock and that.
            metrics.queueWait(.seconds(max(0, Date().timeIntervalSince1970 - Double(timestamp))))
        }
        if !delivery.properties.headers.isEmpty {
            reportIgnoredHeaders(of: delivery)
        }

        // 1. Decode, validate, analyse: an invalid body is a dead letter at once.
        let outcome: ProcessingOutcome
        var attempt: Int?
        switch outcomes.prepare(delivery, now: Date()) {
        case .invalid(let deadLetter):
            outcome = deadLetter
        case .prepared(let prepared):
            attempt = prepared.attempt
            // 2. Ask the providers (when the chain has any), 3. and build the result, retry or dead letter.
            outcome = await enrichAndBuild(prepared, startedAt: startedAt, logger: workerLogger)
        }
        // Metadata is added only for a line that is written: setting it costs more than the
        // built-in analysis of a short tweet, and most messages log nothing.
        func messageLogger() -> Logger {
            Self.messageLogger(workerLogger, delivery: delivery, tweetID: outcome.tweetID, attempt: attempt)
        }

        // 4. Publish; the ack leaves on the sink's thread at the broker's confirm.
        switch await publish(outcome, settling: delivery, connections: connections, logger: messageLogger) {
        case .published:
            break
        case .cancelled:
            // Shutdown's grace period is over: the delivery stays unacked and comes back when the
            // connection closes (or was acked already, if its confirm arrived after all).
            return nil
        case .failed(let error):
            // 5. Not acked: the input goes back to its queue and nothing is lost.
            messageLogger().warning("could not publish; returning the message to its queue", metadata: [LogKey.error: .string(error.description)])
            statistics.recordRequeue()
            try? await Task.sleep(for: settings.requeueDelay)
            connections.source.nack(delivery, requeue: true)
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

    /// Asks the provider chain, if there is one, and builds the result, or the retry or dead letter
    /// when every provider failed. A reload that replaces the chain while the message waits for
    /// a limiter hands it to the new chain with nothing used up.
    private func enrichAndBuild(_ prepared: PreparedTweet, startedAt: ContinuousClock.Instant, logger workerLogger: Logger) async -> ProcessingOutcome {
        while true {
            let chain = self.chain
            if chain.isEmpty {
                return outcomes.result(for: prepared, enrichment: nil, now: Date(), startedAt: startedAt)
            }
            // Provider calls log their failures; they take a moment anyway, so their logger carries the message.
            let logger = Self.messageLogger(workerLogger, delivery: prepared.delivery, tweetID: prepared.tweet.id, attempt: prepared.attempt)
            switch await chain.enrich(prepared, logger: logger) {
            case .enriched(let enrichment):
                return outcomes.result(for: prepared, enrichment: enrichment, now: Date(), startedAt: startedAt)
            case .failed(let failure):
                return outcomes.retryOrDeadLetter(for: prepared, after: failure, maxAttempts: settings.maxAttempts, now: Date())
            case .superseded:
                continue
            }
        }
    }

    private enum PublishOutcome {
        case published
        case cancelled
        case failed(AMQPError)
    }

    /// Publishes what `outcome` says and acks `delivery` on the sink's thread the moment the
    /// broker confirms it.
    ///
    /// A publish the broker refuses is tried once more (a channel closed by someone else's bad
    /// publish, or over an exchange that was just declared again, takes every publish in flight
    /// with it). A dead letter or retry carries the producer's properties, and if the broker still
    /// refuses it, its minimal form (body and tweetd's headers) goes instead: a message whose
    /// copy cannot be written must still end, not loop through its queue for ever.
    private func publish(
        _ outcome: ProcessingOutcome, settling delivery: Delivery, connections: Connections, logger messageLogger: () -> Logger
    ) async -> PublishOutcome {
        let source = connections.source
        // The full form twice, then (for a copy) the minimal one, built only if it comes to that:
        // nearly every message goes on the first try.
        let attempts = outcome.copiesProducerProperties ? 3 : 2
        var lastError = AMQPError(.notConnected, "nothing was published")
        for attempt in 0..<attempts {
            let minimal = attempt == 2
            let message = minimal ? DeadLetter.minimal(outcome.message) : outcome.message
            do throws(AMQPError) {
                try await connections.sink.publish(message) { source.ack(delivery) }
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

    /// A body too large to read is rejected without requeue: the input queue's dead-letter exchange
    /// (`topology.dead_letter_exchange`) gets the message whole, with the broker's `x-death` (reason
    /// `rejected`) instead of tweetd's headers, since tweetd never held the body to copy it.
    private func rejectUnread(_ delivery: Delivery, declaredBytes: UInt64, source: any DeliverySource, logger: Logger) {
        source.nack(delivery, requeue: false)
        buffer.settle()
        statistics.record(.deadLetter(.invalidInput, reason: "body too large to read"), priority: delivery.priority, seconds: 0)
        Self.messageLogger(logger, delivery: delivery, tweetID: nil, attempt: nil).warning(
            "rejected a body too large to read; the broker dead-letters it whole", metadata: [
                "body_bytes": .stringConvertible(declaredBytes), "limit_bytes": .stringConvertible(settings.bodyReadLimit ?? 0),
                LogKey.errorCategory: .string(ErrorCategory.invalidInput.rawValue),
            ]
        )
    }

    // MARK: Logs

    /// Says once per header name that a producer's value of a header tweetd reads was ignored.
    private func reportIgnoredHeaders(of delivery: Delivery) {
        for (name, reason) in OutcomeBuilder.ignoredHeaders(of: delivery) where ignoredHeaders.shouldReport(name) {
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
}
