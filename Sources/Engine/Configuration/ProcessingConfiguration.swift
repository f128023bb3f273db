/// The `processing` section: how many tweets are analysed at once, the
/// limits that make a message `invalid_input`, retries, and the provider
/// chain.
public struct ProcessingConfiguration: Sendable, Equatable {
    /// Tweets analysed concurrently. Default 15, range 1...4096.
    ///
    /// YAML `processing.workers`, environment `TWEETD_PROCESSING_WORKERS`
    /// (or the original pipeline's `MAX_WORKERS`).
    public var workers: Int
    /// Unacknowledged deliveries the broker may push ahead (AMQP
    /// `basic.qos`). Default: the same as ``workers``, range 1...65535.
    /// Priorities only reorder messages still in the queue, so keep it close
    /// to the worker count.
    ///
    /// YAML `processing.prefetch`, environment `TWEETD_PROCESSING_PREFETCH`
    /// (or the original pipeline's `BATCH_SIZE`).
    public var prefetch: Int
    /// Attempts before a transient failure becomes a dead letter, the first
    /// one included. Default 4, range 1...100.
    ///
    /// YAML `processing.max_attempts`.
    public var maxAttempts: Int
    /// Largest accepted message body, in bytes; a larger one is
    /// `invalid_input`. Default 262144 (256 KiB), range 1024...134217728.
    ///
    /// YAML `processing.max_message_bytes`.
    public var maxMessageBytes: Int
    /// Longest accepted tweet `text`, in characters. Default 25000 (the
    /// longest post X allows), range 1...1000000.
    ///
    /// YAML `processing.max_text_chars`.
    public var maxTextChars: Int
    /// Deepest accepted JSON nesting in a message body. Default 64,
    /// range 2...1000.
    ///
    /// YAML `processing.max_json_depth`.
    public var maxJSONDepth: Int
    /// Seconds in-flight tweets get to finish after SIGTERM/SIGINT before
    /// they are left unacknowledged (the broker redelivers them). Default 30,
    /// range 0...300: with the 5 s the service group then allows for
    /// cancellation, a stop always ends within `tweetd.service`'s
    /// `TimeoutStopSec=330s`, so systemd never kills tweetd mid-shutdown.
    ///
    /// YAML `processing.shutdown_grace_seconds`.
    public var shutdownGraceSeconds: Int
    /// Longest time a worker holds a delivery unacknowledged while it waits
    /// for a rate limiter or a provider cooldown; after that the tweet goes
    /// to the retry queue without using up an attempt. Default 600, range
    /// 1...900: at most half of RabbitMQ's default `consumer_timeout`
    /// (1,800 s), because a delivery held past it makes the broker close the
    /// channel and redeliver every message on it; the other half covers the
    /// provider call that may follow the wait.
    ///
    /// YAML `processing.max_hold_seconds`.
    public var maxHoldSeconds: Int
    /// Provider names tried in order, falling back to the next one when a
    /// provider is cooling down or failing. Each must be a key of
    /// ``TweetdConfiguration/providers``; `builtin` (the network-free
    /// analysis) always is. Default `[builtin]`.
    ///
    /// YAML `processing.chain`, environment `TWEETD_PROCESSING_CHAIN`
    /// (comma-separated, e.g. `openai,local`).
    public var chain: [String]

    /// The defaults listed on each property.
    public init() {
        self.workers = 15
        self.prefetch = 15
        self.maxAttempts = 4
        self.maxMessageBytes = 262_144
        self.maxTextChars = 25_000
        self.maxJSONDepth = 64
        self.shutdownGraceSeconds = 30
        self.maxHoldSeconds = 600
        self.chain = ["builtin"]
    }
}
