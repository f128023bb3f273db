/// The `topology` section: the names of the exchanges and queues tweetd
/// declares (`tweetd setup`) and uses, queue priorities, and retry delays.
public struct TopologyConfiguration: Sendable, Equatable {
    /// The topic exchange producers publish tweets to. Default `tweets`.
    ///
    /// YAML `topology.exchange`.
    public var exchange: String
    /// The input queues tweetd consumes, each bound to ``exchange``.
    /// Default one queue, `tweets.in`, bound with `#`.
    ///
    /// YAML `topology.queues` (a list of `{name, bindings}`), environment
    /// `TWEETD_TOPOLOGY_QUEUES` as `name[=pattern|pattern],…`, e.g.
    /// `tweets.in,tweets.vip=vip.#|urgent.*` (a name alone binds `#`).
    public var queues: [Queue]
    /// The topic exchange results are published to. Default `tweets.results`.
    ///
    /// YAML `topology.results_exchange`.
    public var resultsExchange: String
    /// A durable queue bound to ``resultsExchange`` with `#`, so no result is
    /// dropped while nobody subscribes; `nil` (YAML `""`) declares none.
    /// Default `tweets.results`.
    ///
    /// YAML `topology.results_queue`.
    public var resultsQueue: String?
    /// The exchange dead letters go to. Default `tweets.dead`.
    ///
    /// YAML `topology.dead_letter_exchange`.
    public var deadLetterExchange: String
    /// The queue holding dead letters until `tweetd replay`. Default
    /// `tweets.dead`.
    ///
    /// YAML `topology.dead_letter_queue`.
    public var deadLetterQueue: String
    /// The exchange feeding the delay queues `<retry_exchange>.<seconds>`,
    /// whose TTL dead-letters back to ``exchange``. Default `tweets.retry`.
    ///
    /// YAML `topology.retry_exchange`.
    public var retryExchange: String
    /// The topic exchange metrics snapshots are published to. Default
    /// `tweets.metrics`.
    ///
    /// YAML `topology.metrics_exchange`.
    public var metricsExchange: String
    /// The input queues' `x-max-priority`: message priorities run
    /// 0...maxPriority. Quorum queues (``queueType``) have no broker
    /// priorities before RabbitMQ 4.0; tweetd still orders its prefetched
    /// deliveries by priority. Default 10, range 1...255.
    ///
    /// YAML `topology.max_priority`.
    public var maxPriority: Int
    /// The type of the input, results and dead-letter queues. Default
    /// ``QueueType/classic``.
    ///
    /// YAML `topology.queue_type`.
    public var queueType: QueueType
    /// Delay before each retry, in seconds: the n-th retry waits
    /// `retryDelaysSeconds[n-1]`, the last delay repeating when
    /// `max_attempts` asks for more. Non-empty, strictly increasing, each
    /// 1...86400. Default `[5, 30, 120]`.
    ///
    /// YAML `topology.retry_delays_seconds`, environment
    /// `TWEETD_TOPOLOGY_RETRY_DELAYS_SECONDS` (comma-separated).
    public var retryDelaysSeconds: [Int]

    /// The defaults listed on each property.
    public init() {
        self.exchange = "tweets"
        self.queues = [Queue(name: "tweets.in", bindings: ["#"])]
        self.resultsExchange = "tweets.results"
        self.resultsQueue = "tweets.results"
        self.deadLetterExchange = "tweets.dead"
        self.deadLetterQueue = "tweets.dead"
        self.retryExchange = "tweets.retry"
        self.metricsExchange = "tweets.metrics"
        self.maxPriority = 10
        self.queueType = .classic
        self.retryDelaysSeconds = [5, 30, 120]
    }

    /// How the broker keeps tweetd's queues.
    public enum QueueType: String, Sendable, CaseIterable {
        /// Classic queues: on one node of a cluster, with message priorities.
        case classic
        /// Quorum queues: replicated (Raft) across a cluster's nodes and
        /// available while a majority is up. RabbitMQ before 4.0 gives them
        /// no message priorities: tweetd then orders only the deliveries it
        /// has prefetched.
        case quorum
    }

    /// An input queue and the topic patterns binding it to the input exchange.
    public struct Queue: Sendable, Equatable {
        /// The queue's name, unique among all queues tweetd declares.
        public var name: String
        /// Topic patterns (`#`, `en.*`, `vip.#`) binding the queue to
        /// ``TopologyConfiguration/exchange``; at least one. Default `[#]`.
        public var bindings: [String]

        /// Creates a queue description.
        public init(name: String, bindings: [String] = ["#"]) {
            self.name = name
            self.bindings = bindings
        }
    }
}
