import Foundation

/// Moves dead letters back to the input exchange (`tweetd replay`), losing none.
///
/// One pass walks the dead-letter queue once: it fetches messages without
/// acknowledging them, republishes the ones that match (confirmed), and only
/// then acks them off the dead-letter queue. Whatever stops the pass — Ctrl-C,
/// SIGKILL, a lost broker — each message is still in the dead-letter queue
/// (not yet acked) or already in the input (confirmed); at worst it is in both.
/// Messages that do not match are held unacked until the end of the pass and
/// then requeued, so the pass never meets them twice, and it looks at no more
/// messages than the queue held when it began, so dead letters that arrive
/// meanwhile (a replayed message failing again, say) wait for the next pass.
public struct DeadLetterReplayer: Sendable {
    /// What to replay.
    public struct Options: Sendable {
        /// Which dead letters match.
        public var filter: DeadLetterFilter
        /// Replay at most this many; nil for all that match.
        public var limit: Int?
        /// Count and sample, move nothing.
        public var dryRun: Bool
        /// Messages fetched and republished at once; bounds the duplicates an interruption can leave.
        public var batchSize: Int
        /// Dead letters kept as samples for a dry run.
        public var sampleCount: Int
        /// How long a pass may hold dead letters it skipped before it stops and gives them back.
        ///
        /// The broker closes a channel that holds a message unacked past its `consumer_timeout`
        /// (30 minutes by default), so a long pass over a large dead-letter queue stops well
        /// before that, reports it was cut short, and the next run goes on.
        public var maximumHold: Duration

        /// Creates options; by default everything is replayed, 100 at a time, holding for at most 20 minutes.
        public init(
            filter: DeadLetterFilter = DeadLetterFilter(), limit: Int? = nil, dryRun: Bool = false, batchSize: Int = 100, sampleCount: Int = 5,
            maximumHold: Duration = .seconds(1200)
        ) {
            self.filter = filter
            self.limit = limit
            self.dryRun = dryRun
            self.batchSize = max(1, batchSize)
            self.sampleCount = sampleCount
            self.maximumHold = maximumHold
        }
    }

    private let publisher: PublisherConnection
    private let topology: TopologyConfiguration

    /// Creates a replayer that uses `publisher` for everything: fetching, republishing, acking.
    ///
    /// Fetch and ack go over the publisher's control channel, so the messages a
    /// pass holds live and die with that one connection.
    public init(publisher: PublisherConnection, topology: TopologyConfiguration) {
        self.publisher = publisher
        self.topology = topology
    }

    /// Runs one pass.
    ///
    /// - Parameters:
    ///   - now: wall-clock time for `--older-than`.
    ///   - onConfirmed: called with the running count each time a republish is confirmed,
    ///     before its ack is sent (a test uses it to die at exactly that point).
    public func run(
        _ options: Options,
        now: @Sendable () -> Date = { Date() },
        onConfirmed: @Sendable (Int) -> Void = { _ in }
    ) async -> ReplayOutcome {
        let queue = topology.deadLetterQueue
        var outcome = ReplayOutcome(dryRun: options.dryRun, queue: queue)
        // Non-matching (and, in a dry run, all) messages: held unacked so the pass moves past them.
        var held: [Delivery] = []
        var confirmedCount = 0
        let passStarted = ContinuousClock.now
        do throws(AMQPError) {
            outcome.deadLettersAtStart = try await publisher.perform { admin throws(AMQPError) in try admin.inspectQueue(queue).messages }
            var fetched = 0
            while fetched < outcome.deadLettersAtStart, options.limit.map({ outcome.selected < $0 }) ?? true {
                if !held.isEmpty, ContinuousClock.now - passStarted >= options.maximumHold {
                    outcome.interruption = "held \(held.count) dead letters for \(HumanDuration.format(options.maximumHold)), "
                        + "close to the broker's consumer_timeout; run tweetd replay again to go on"
                    break
                }
                let wanted = min(options.batchSize, outcome.deadLettersAtStart - fetched)
                let batch = try await publisher.perform { admin throws(AMQPError) in
                    var batch: [Delivery] = []
                    while batch.count < wanted, let delivery = try admin.fetch(from: queue) {
                        batch.append(delivery)
                    }
                    return batch
                }
                if batch.isEmpty { break }
                fetched += batch.count

                var toMove: [Delivery] = []
                for delivery in batch {
                    let category = DeadLetter.category(of: delivery)
                    outcome.examinedByCategory[category, default: 0] += 1
                    guard options.limit.map({ outcome.selected < $0 }) ?? true else {
                        outcome.beyondLimit += 1
                        held.append(Self.withoutContent(delivery))
                        continue
                    }
                    guard options.filter.matches(delivery, now: now()) else {
                        outcome.unmatched += 1
                        held.append(Self.withoutContent(delivery))
                        continue
                    }
                    outcome.selectedByCategory[category, default: 0] += 1
                    if outcome.samples.count < options.sampleCount {
                        outcome.samples.append(Self.sample(of: delivery, category: category))
                    }
                    if options.dryRun {
                        held.append(Self.withoutContent(delivery))
                    } else {
                        toMove.append(delivery)
                    }
                }

                let confirmedBefore = confirmedCount
                let confirmed = await republish(toMove, outcome: &outcome, onConfirmed: { onConfirmed(confirmedBefore + $0) })
                confirmedCount += confirmed.count
                let confirmedTags = Set(confirmed.map(\.deliveryTag))
                held += toMove.filter { !confirmedTags.contains($0.deliveryTag) }.map(Self.withoutContent)
                // Acked only now, after every confirm of the batch: the message is safe in the input first.
                try await publisher.perform { admin throws(AMQPError) in
                    for delivery in confirmed {
                        try admin.acknowledge(delivery)
                    }
                }
                for delivery in confirmed {
                    outcome.replayedByCategory[DeadLetter.category(of: delivery), default: 0] += 1
                }
                if confirmed.count < toMove.count {
                    // A refused republish usually means a full input queue: with `reject-publish-dlx` each
                    // refusal also puts a copy in the dead-letter queue, so going on would only add more.
                    outcome.interruption = "the broker refused \(toMove.count - confirmed.count) republishes (is an input queue full?); "
                        + "stopped so that nothing more is pushed at it"
                    break
                }
            }
            if fetched >= outcome.deadLettersAtStart, outcome.replayed > 0, !options.dryRun {
                // The whole queue was walked: what is ready now arrived during the pass. A full input
                // queue with `drop-head` takes a replayed message by pushing its oldest one out to the
                // dead-letter queue (x-first-death-reason maxlen), which no publish confirm reveals.
                let inputQueues = Set(topology.inputQueueNames)
                let arrivals = try await publisher.perform { admin throws(AMQPError) in
                    var arrivals: [Delivery] = []
                    while arrivals.count < 10_000, let delivery = try admin.fetch(from: queue) {
                        arrivals.append(delivery)
                    }
                    return arrivals
                }
                let pushedOut = arrivals.filter { delivery in
                    let headers = delivery.properties.headers
                    return headers["x-first-death-reason"]?.stringValue == "maxlen"
                        && headers["x-first-death-queue"]?.stringValue.map(inputQueues.contains) == true
                }.count
                held += arrivals.map(Self.withoutContent)
                if pushedOut > 0 {
                    outcome.interruption = "\(pushedOut) waiting tweets were pushed out of a full input queue (max-length with drop-head) "
                        + "into the dead-letter queue while replaying; raise the queue's limit or let it drain before replaying"
                }
            }
            let toRequeue = held
            try await publisher.perform { admin throws(AMQPError) in
                for delivery in toRequeue {
                    try admin.requeue(delivery)
                }
            }
        } catch {
            // Held and unacked messages go back to the queue when the channel or connection closes.
            outcome.interruption = error.description
        }
        return outcome
    }

    /// Republishes `deliveries` at once and returns those the broker confirmed, in confirm order.
    private func republish(
        _ deliveries: [Delivery],
        outcome: inout ReplayOutcome,
        onConfirmed: @Sendable (Int) -> Void
    ) async -> [Delivery] {
        let topology = self.topology
        let publisher = self.publisher
        return await withTaskGroup(of: (Delivery, AMQPError?).self) { group in
            for delivery in deliveries {
                group.addTask {
                    do throws(AMQPError) {
                        try await publisher.publish(DeadLetter.replay(delivery, topology: topology))
                        return (delivery, nil)
                    } catch {
                        return (delivery, error)
                    }
                }
            }
            var confirmed: [Delivery] = []
            for await (delivery, error) in group {
                if let error {
                    outcome.failed += 1
                    outcome.firstFailure = outcome.firstFailure ?? error.description
                } else {
                    confirmed.append(delivery)
                    onConfirmed(confirmed.count)
                }
            }
            return confirmed
        }
    }

    /// A held message needs only its tag to be settled; dropping the body keeps a long pass small.
    private static func withoutContent(_ delivery: Delivery) -> Delivery {
        var light = delivery
        light.body = []
        light.properties = MessageProperties()
        return light
    }

    private static func sample(of delivery: Delivery, category: String) -> ReplayOutcome.Sample {
        ReplayOutcome.Sample(
            id: [delivery.properties.messageId, tweetID(in: delivery.body)].compactMap { $0 }.first { !$0.isEmpty } ?? "-",
            category: category,
            message: delivery.properties.headers[DeadLetter.Header.message]?.stringValue ?? ""
        )
    }

    /// The `id` of a body that is a JSON object with one, for samples of dead letters without a message id.
    private static func tweetID(in body: [UInt8]) -> String? {
        guard let object = (try? StrictJSONParser().parse(body))?.objectValue else { return nil }
        if let id = object["id"]?.stringValue { return id }
        return object["id"]?.integerValue.map(String.init)
    }
}
