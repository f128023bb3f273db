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
            try admin.declareQueue(queue.name, arguments: [
                "x-max-priority": .integer(Int64(maxPriority)),
                // Messages an operator rejects by hand still end up with the other dead letters.
                "x-dead-letter-exchange": .string(deadLetterExchange),
            ])
            for binding in queue.bindings {
                try admin.bindQueue(queue.name, to: exchange, routingKey: binding)
            }
        }
        if let resultsQueue {
            try admin.declareQueue(resultsQueue)
            try admin.bindQueue(resultsQueue, to: resultsExchange, routingKey: "#")
        }
        try admin.declareQueue(deadLetterQueue)
        try admin.bindQueue(deadLetterQueue, to: deadLetterExchange, routingKey: "#")
        for seconds in retryDelaysSeconds {
            let name = retryQueue(delaySeconds: seconds)
            try admin.declareQueue(name, arguments: [
                "x-message-ttl": .integer(Int64(seconds) * 1000),
                // Expired retries go back through the input exchange with their original routing key.
                "x-dead-letter-exchange": .string(exchange),
            ])
            try admin.bindQueue(name, to: retryExchange, routingKey: "", arguments: [
                "x-match": .string("all"),
                Self.retryDelayHeader: .string(String(seconds)),
            ])
        }
    }
}
