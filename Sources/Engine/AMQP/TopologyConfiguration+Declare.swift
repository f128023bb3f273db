/// Declaring the configured exchanges and queues on the broker.
///
/// Declared at `tweetd setup` and at every (re)connection of the daemon and the
/// tools; declaring is idempotent, and a queue that exists with other arguments
/// fails loudly (406 PRECONDITION_FAILED) instead of being changed.
extension TopologyConfiguration {
    /// The header on a retried message that picks its delay queue in the retry exchange.
    ///
    /// It must not start with `x-`: a headers exchange ignores such headers when
    /// matching, so every delay queue would get a copy of every retry.
    public static let retryDelayHeader = "tweetd-retry-delay"

    /// The name of the delay queue for `seconds`.
    public func retryQueue(delaySeconds seconds: Int) -> String {
        "\(retryExchange).\(seconds)"
    }

    /// Every delay queue's name.
    public var retryQueues: [String] {
        retryDelaysSeconds.map(retryQueue(delaySeconds:))
    }

    /// Every input queue's name.
    public var inputQueueNames: [String] {
        queues.map(\.name)
    }

    /// Declares everything, idempotently.
    public func declare(using admin: BrokerAdmin) throws(AMQPError) {
        try admin.declareExchange(exchange, type: "topic")
        try admin.declareExchange(resultsExchange, type: "topic")
        try admin.declareExchange(deadLetterExchange, type: "topic")
        try admin.declareExchange(retryExchange, type: "headers")
        try admin.declareExchange(metricsExchange, type: "topic")

        for queue in queues {
            try declareQueue(queue.name, arguments: \.inputQueueArguments, using: admin)
            for binding in queue.bindings {
                try admin.bindQueue(queue.name, to: exchange, routingKey: binding)
            }
        }
        if let resultsQueue {
            try declareQueue(resultsQueue, arguments: \.typeArguments, using: admin)
            try admin.bindQueue(resultsQueue, to: resultsExchange, routingKey: "#")
        }
        try declareQueue(deadLetterQueue, arguments: \.typeArguments, using: admin)
        try admin.bindQueue(deadLetterQueue, to: deadLetterExchange, routingKey: "#")
        for seconds in retryDelaysSeconds {
            try declareRetryQueue(delaySeconds: seconds, using: admin)
        }
    }

    /// The arguments of an input queue.
    ///
    /// Classic: `x-max-priority`. Quorum (RabbitMQ before 4.0 refuses `x-max-priority` on
    /// them): replicated, and at-least-once dead-lettering, so a message an operator rejects
    /// by hand reaches the dead-letter exchange even if a node dies on the way.
    public var inputQueueArguments: [String: FieldValue] {
        // Messages an operator rejects by hand still end up with the other dead letters.
        var arguments: [String: FieldValue] = ["x-dead-letter-exchange": .string(deadLetterExchange)]
        switch queueType {
        case .classic:
            arguments["x-max-priority"] = .integer(Int64(maxPriority))
        case .quorum:
            arguments["x-queue-type"] = .string("quorum")
            arguments["x-dead-letter-strategy"] = .string("at-least-once")
            // At-least-once dead-lettering needs it; nothing limits the queue's length, so it never rejects.
            arguments["x-overflow"] = .string("reject-publish")
        }
        return arguments
    }

    /// The arguments that make the results and dead-letter queues of ``queueType``.
    public var typeArguments: [String: FieldValue] {
        switch queueType {
        case .classic: [:]
        case .quorum: ["x-queue-type": .string("quorum")]
        }
    }

    /// Declares `name` with the `arguments` of this configuration, turning the broker's refusal
    /// of a queue of the other type into one line saying what to do.
    ///
    /// The broker's 406 names only the first argument that differs (often not `x-queue-type`),
    /// and AMQP cannot read a queue's arguments; declaring it again with the other type's
    /// arguments tells: that succeeds, changing nothing, exactly when the queue is of that type.
    private func declareQueue(
        _ name: String, arguments: (TopologyConfiguration) -> [String: FieldValue], using admin: BrokerAdmin
    ) throws(AMQPError) {
        do throws(AMQPError) {
            try admin.declareQueue(name, arguments: arguments(self))
        } catch where error.replyCode == 406 {
            var other = self
            other.queueType = queueType == .classic ? .quorum : .classic
            guard (try? admin.declareQueue(name, arguments: arguments(other))) != nil else { throw error }
            throw AMQPError(
                .channelClosed,
                "queue \"\(name)\" exists as a \(other.queueType.rawValue) queue but topology.queue_type is \(queueType.rawValue): "
                    + "a queue cannot change type; set topology.queue_type: \(other.queueType.rawValue), or empty the queue "
                    + "(let tweetd drain it with the old type), delete it (rabbitmqctl delete_queue \(name)) and run tweetd setup again",
                replyCode: error.replyCode, replyText: error.replyText
            )
        }
    }

    /// The arguments of a delay queue.
    ///
    /// A quorum queue with at-least-once dead-lettering: when a retry's delay is over,
    /// the broker moves it on with publisher confirms and keeps it until the move is
    /// confirmed, so an input queue that is full (`reject-publish`), deleted or
    /// unbound at that moment delays the retry instead of losing it (a classic queue's
    /// dead-lettering is fire-and-forget). It dead-letters to the default exchange with
    /// the routing key the retry was published with, the name of the queue it came
    /// from: the retry goes back to that queue only, never to every queue whose
    /// binding matches its original routing key.
    public func retryQueueArguments(delaySeconds seconds: Int) -> [String: FieldValue] {
        [
            "x-queue-type": .string("quorum"),
            "x-message-ttl": .integer(Int64(seconds) * 1000),
            "x-dead-letter-exchange": .string(""),
            "x-dead-letter-strategy": .string("at-least-once"),
            // At-least-once dead-lettering needs it; nothing limits the queue's length, so it never rejects.
            "x-overflow": .string("reject-publish"),
        ]
    }

    /// Declares one delay queue and binds it, replacing an empty one of the earlier kind.
    ///
    /// Earlier tweetd declared classic delay queues dead-lettering back through the input
    /// exchange; the broker refuses to redeclare a queue with other arguments (406). An empty
    /// one is deleted and declared anew; one holding retries is left alone with a line
    /// saying what to do, since deleting it would delete them.
    private func declareRetryQueue(delaySeconds seconds: Int, using admin: BrokerAdmin) throws(AMQPError) {
        let name = retryQueue(delaySeconds: seconds)
        let arguments = retryQueueArguments(delaySeconds: seconds)
        do throws(AMQPError) {
            try admin.declareQueue(name, arguments: arguments)
        } catch where error.replyCode == 406 {
            let existing = try admin.inspectQueue(name)
            guard existing.messages == 0, existing.consumers == 0 else {
                throw AMQPError(
                    .channelClosed,
                    "delay queue \"\(name)\" exists with other arguments (a delay queue of an earlier tweetd?) and holds "
                        + "\(existing.messages) messages: let them fall due with the old tweetd running, then delete the queue "
                        + "(rabbitmqctl delete_queue \(name)) and start again",
                    replyCode: error.replyCode, replyText: error.replyText
                )
            }
            // Only if still empty and unused at the moment of deletion: a retry that arrived since the
            // check (from an older tweetd still running) makes the broker refuse, and nothing is lost.
            try admin.deleteQueue(name, ifUnused: true, ifEmpty: true)
            try admin.declareQueue(name, arguments: arguments)
        }
        try admin.bindQueue(name, to: retryExchange, routingKey: "", arguments: [
            "x-match": .string("all"),
            Self.retryDelayHeader: .string(String(seconds)),
        ])
    }
}
