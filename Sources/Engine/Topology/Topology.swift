/// The exchanges and queues tweetd works with, by name, and how they connect.
///
/// Declared at `tweetd setup` and at every (re)connection of `tweetd run`;
/// declaring is idempotent, and a queue that exists with other arguments
/// fails loudly (406 PRECONDITION_FAILED) instead of being changed.
public struct Topology: Sendable, Equatable {
    /// An input queue and the routing-key patterns that bind it to the input exchange.
    public struct InputQueue: Sendable, Equatable {
        /// The queue's name.
        public var name: String
        /// Topic patterns binding it to the input exchange.
        public var bindings: [String]

        /// Creates an input queue.
        public init(name: String, bindings: [String] = ["#"]) {
            self.name = name
            self.bindings = bindings
        }
    }

    /// The topic exchange producers publish tweets to.
    public var inputExchange: String
    /// The queues tweetd consumes from.
    public var inputQueues: [InputQueue]
    /// The topic exchange results go to.
    public var resultsExchange: String
    /// A durable queue bound to every result, so none is dropped while nobody subscribes; nil for none.
    public var resultsQueue: String?
    /// The exchange dead letters go to.
    public var deadLetterExchange: String
    /// The queue that keeps dead letters.
    public var deadLetterQueue: String
    /// The headers exchange that routes retries to their delay queue.
    public var retryExchange: String
    /// The topic exchange metric snapshots go to.
    public var metricsExchange: String
    /// `x-max-priority` of the input queues.
    public var maxPriority: Int
    /// One delay queue per entry; a retry waits there, then returns to the input exchange.
    public var retryDelaysSeconds: [Int]

    /// Creates a topology; the defaults are the names of the wire contract.
    public init(
        inputExchange: String = "tweets",
        inputQueues: [InputQueue] = [InputQueue(name: "tweets.in")],
        resultsExchange: String = "tweets.results",
        resultsQueue: String? = "tweets.results",
        deadLetterExchange: String = "tweets.dead",
        deadLetterQueue: String = "tweets.dead",
        retryExchange: String = "tweets.retry",
        metricsExchange: String = "tweets.metrics",
        maxPriority: Int = 10,
        retryDelaysSeconds: [Int] = [5, 30, 120]
    ) {
        self.inputExchange = inputExchange
        self.inputQueues = inputQueues
        self.resultsExchange = resultsExchange
        self.resultsQueue = resultsQueue
        self.deadLetterExchange = deadLetterExchange
        self.deadLetterQueue = deadLetterQueue
        self.retryExchange = retryExchange
        self.metricsExchange = metricsExchange
        self.maxPriority = maxPriority
        self.retryDelaysSeconds = retryDelaysSeconds
    }

    /// The name of the delay queue for `seconds`.
    public func retryQueue(delaySeconds seconds: Int) -> String {
        "\(retryExchange).\(seconds)"
    }

    /// Every delay queue's name.
    public var retryQueues: [String] {
        retryDelaysSeconds.map(retryQueue(delaySeconds:))
    }

    /// The header on a retried message that picks its delay queue in the retry exchange.
    public static let retryDelayHeader = "x-retry-delay"

    /// Declares everything, idempotently.
    public func declare(using admin: BrokerAdmin) throws(AMQPError) {
        try admin.declareExchange(inputExchange, type: "topic")
        try admin.declareExchange(resultsExchange, type: "topic")
        try admin.declareExchange(deadLetterExchange, type: "topic")
        try admin.declareExchange(retryExchange, type: "headers")
        try admin.declareExchange(metricsExchange, type: "topic")

        for queue in inputQueues {
            try admin.declareQueue(queue.name, arguments: [
                "x-max-priority": .integer(Int64(maxPriority)),
                // Messages an operator rejects by hand still end up with the other dead letters.
                "x-dead-letter-exchange": .string(deadLetterExchange),
            ])
            for binding in queue.bindings {
                try admin.bindQueue(queue.name, to: inputExchange, routingKey: binding)
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
                "x-dead-letter-exchange": .string(inputExchange),
            ])
            try admin.bindQueue(name, to: retryExchange, routingKey: "", arguments: [
                "x-match": .string("all"),
                Self.retryDelayHeader: .string(String(seconds)),
            ])
        }
    }
}
