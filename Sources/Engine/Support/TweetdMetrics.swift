import CoreMetrics
import Synchronization

/// Every metric tweetd exports, created once per label set through swift-metrics.
///
/// The daemon hands it a Prometheus factory (``TweetdMetrics/prometheus()``)
/// and serves the registry at `/metrics`; tests hand it a registry of their
/// own. Labels are bounded: outcomes, provider names from the configuration,
/// failure kinds, queue names; never a tweet id.
public final class TweetdMetrics: Sendable {
    /// Metric names, as Prometheus shows them.
    public enum Name {
        /// Messages settled, by `outcome` (`ok|dead|retried|invalid`) and `provider`.
        public static let messages = "tweetd_messages_total"
        /// End-to-end processing time per message, histogram.
        public static let processing = "tweetd_processing_seconds"
        /// Producer timestamp to processing start, histogram (only when the producer set a timestamp).
        public static let queueWait = "tweetd_queue_wait_seconds"
        /// A result, dead letter or retry written to the broker until the broker confirmed it, histogram:
        /// how long the broker takes to persist what tweetd publishes, most of each message's round trip.
        public static let publishConfirm = "tweetd_publish_confirm_seconds"
        /// Provider requests, by `provider` and `status` (`ok` or a failure kind such as `rate_limited`).
        public static let providerRequests = "tweetd_provider_requests_total"
        /// Provider request latency, histogram, by `provider`.
        public static let providerLatency = "tweetd_provider_latency_seconds"
        /// Tokens the providers counted, by `provider` and `direction` (`input|output`).
        public static let providerTokens = "tweetd_provider_tokens_total"
        /// Time spent waiting for a provider's limiter before a request, histogram, by `provider`.
        public static let rateLimitWait = "tweetd_rate_limit_wait_seconds"
        /// Cooldowns started after a 429/529, by `provider`.
        public static let cooldowns = "tweetd_rate_limit_cooldowns_total"
        /// Messages being processed now.
        public static let inFlight = "tweetd_in_flight"
        /// Workers configured.
        public static let workers = "tweetd_workers"
        /// Messages waiting in each queue tweetd watches, by `queue`, as of the last poll.
        public static let queueMessages = "tweetd_queue_messages"
        /// 1 while both broker connections are open and consuming, else 0.
        public static let brokerConnected = "tweetd_broker_connected"
    }

    /// How a message was settled, as the `outcome` label says it.
    public enum MessageOutcome: String, Sendable, CaseIterable {
        /// A result was published.
        case ok
        /// A dead letter for any reason but invalid input.
        case dead
        /// Sent to a retry queue.
        case retried
        /// A dead letter for invalid input.
        case invalid
    }

    /// Histogram buckets for the duration histograms, by metric name: from a
    /// built-in analysis (well under a millisecond) to a slow LLM call.
    public static let durationBuckets: [String: [Duration]] = {
        let wide: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        let waits: [Duration] = [
            .milliseconds(1), .milliseconds(10), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
            .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
        ]
        return [
            Name.processing: wide, Name.providerLatency: wide, Name.publishConfirm: wide,
            Name.queueWait: waits, Name.rateLimitWait: waits,
        ]
    }()

    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }

    private let factory: any MetricsFactory
    private let counters = Mutex<[SeriesKey: Counter]>([:])
    private let timers = Mutex<[SeriesKey: Timer]>([:])
    private let gauges = Mutex<[SeriesKey: Gauge]>([:])
    // Recorded for every message: made once, not looked up each time.
    private let processing: Timer
    private let queueWaiting: Timer
    private let publishConfirming: Timer

    /// Metrics created through `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        processing = Timer(label: Name.processing, dimensions: [], factory: factory)
        queueWaiting = Timer(label: Name.queueWait, dimensions: [], factory: factory)
        publishConfirming = Timer(label: Name.publishConfirm, dimensions: [], factory: factory)
    }

    /// Metrics that go nowhere, for tools and tests that do not look at them.
    public static func discarding() -> TweetdMetrics {
        TweetdMetrics(factory: NOOPMetricsHandler.instance)
    }

    /// Creates every series that should show from the start, at zero, so that
    /// a scrape before the first message already lists the families; the
    /// providers' series come with each chain built (``register(providers:)``).
    public func register(queues: [String], workers: Int) {
        for outcome in MessageOutcome.allCases {
            _ = counter(Name.messages, [("outcome", outcome.rawValue), ("provider", "none")])
        }
        for queue in queues {
            gauge(Name.queueMessages, [("queue", queue)]).record(0)
        }
        self.workers(workers)
        gauge(Name.inFlight, []).record(0)
        gauge(Name.brokerConnected, []).record(0)
    }

    /// Creates the series of `providers` that do not exist yet (for every chain built: at start and on reload).
    public func register(providers: [String]) {
        for provider in providers {
            _ = counter(Name.providerRequests, [("provider", provider), ("status", "ok")])
            _ = timer(Name.providerLatency, [("provider", provider)])
            _ = counter(Name.providerTokens, [("provider", provider), ("direction", "input")])
            _ = counter(Name.providerTokens, [("provider", provider), ("direction", "output")])
            _ = timer(Name.rateLimitWait, [("provider", provider)])
            _ = counter(Name.cooldowns, [("provider", provider)])
        }
    }

    /// The configured number of workers changed (start, reload).
    public func workers(_ count: Int) {
        gauge(Name.workers, []).record(count)
    }

    /// A message was settled.
    public func messageSettled(_ outcome: MessageOutcome, provider: String?, processing: Duration) {
        counter(Name.messages, [("outcome", outcome.rawValue), ("provider", provider ?? "none")]).increment()
        self.processing.recordNanoseconds(processing.nanoseconds)
    }

    /// The broker confirmed a publish `latency` after tweetd wrote it.
    public func publishConfirmed(after latency: Duration) {
        publishConfirming.recordNanoseconds(latency.nanoseconds)
    }

    /// A message started processing `wait` after its producer's timestamp.
    public func queueWait(_ wait: Duration) {
        queueWaiting.recordNanoseconds(wait.nanoseconds)
    }

    /// A provider request ended with `status` (`ok` or a ``ProviderError/Kind/name``).
    public func providerRequest(provider: String, status: String, latency: Duration) {
        counter(Name.providerRequests, [("provider", provider), ("status", status)]).increment()
        timer(Name.providerLatency, [("provider", provider)]).recordNanoseconds(latency.nanoseconds)
    }

    /// Tokens a provider counted in one answer.
    public func providerTokens(provider: String, input: Int, output: Int) {
        counter(Name.providerTokens, [("provider", provider), ("direction", "input")]).increment(by: max(0, input))
        counter(Name.providerTokens, [("provider", provider), ("direction", "output")]).increment(by: max(0, output))
    }

    /// A request to `provider` went out after waiting `wait` for its limiter.
    public func rateLimitWait(provider: String, wait: Duration) {
        timer(Name.rateLimitWait, [("provider", provider)]).recordNanoseconds(wait.nanoseconds)
    }

    /// `provider` started `count` cooldowns.
    public func cooldowns(provider: String, count: Int) {
        guard count > 0 else { return }
        counter(Name.cooldowns, [("provider", provider)]).increment(by: count)
    }

    /// The gauges read from the pipeline's state.
    public func state(inFlight: Int, brokerConnected: Bool) {
        gauge(Name.inFlight, []).record(inFlight)
        gauge(Name.brokerConnected, []).record(brokerConnected ? 1 : 0)
    }

    /// Messages waiting in `queue`, as the broker last said.
    public func queueMessages(queue: String, messages: Int) {
        gauge(Name.queueMessages, [("queue", queue)]).record(messages)
    }

    private func counter(_ name: String, _ labels: [(String, String)]) -> Counter {
        Self.cached(in: counters, name, labels) { Counter(label: name, dimensions: labels, factory: factory) }
    }

    private func timer(_ name: String, _ labels: [(String, String)]) -> Timer {
        Self.cached(in: timers, name, labels) { Timer(label: name, dimensions: labels, factory: factory) }
    }

    private func gauge(_ name: String, _ labels: [(String, String)]) -> Gauge {
        Self.cached(in: gauges, name, labels) { Gauge(label: name, dimensions: labels, factory: factory) }
    }

    /// The metric for `name` and `labels` from `cache`, made once: creating one goes through the
    /// factory's registry lock and allocates, which the per-message path should not pay every time.
    private static func cached<Metric>(
        in cache: borrowing Mutex<[SeriesKey: Metric]>, _ name: String, _ labels: [(String, String)], make: () -> Metric
    ) -> Metric {
        let key = SeriesKey(name: name, labels: labels.map(\.1))
        return cache.withLock { cache in
            if let metric = cache[key] { return metric }
            let metric = make()
            cache[key] = metric
            return metric
        }
    }
}
