import Synchronization

/// What every LLM provider in a chain was asked and how it answered, for
/// reports and metrics; shared by every worker.
public final class ProviderCallStatistics: Sendable {
    /// One provider's counts.
    public struct Counts: Sendable, Equatable {
        /// Requests sent.
        public var requests = 0
        /// Requests answered with a usable analysis.
        public var ok = 0
        /// Requests that failed for any reason, rate limits included.
        public var failed = 0
        /// Failures by ``ProviderError/Kind/name`` (`rate_limited`, `transient`, …).
        public var failuresByKind: [String: Int] = [:]
        /// Time spent in requests, answered or not.
        public var latency: Duration = .zero
        /// Input tokens the provider counted (or estimated) in its answers.
        public var inputTokens = 0
        /// Output tokens the provider counted (or estimated) in its answers.
        public var outputTokens = 0
        /// The latest request latencies in seconds, at most ``recentLatencyLimit``, oldest first, for percentiles.
        public var recentLatencies: [Double] = []

        /// How many latencies ``recentLatencies`` keeps: enough for a stable p99, small enough to copy per snapshot.
        public static let recentLatencyLimit = 1000

        /// The median and 99th percentile of ``recentLatencies``, in seconds; nil without requests.
        public var latencySummary: DurationSummary? {
            DurationSummary(recentLatencies)
        }

        mutating func remember(_ latency: Duration) {
            if recentLatencies.count >= Self.recentLatencyLimit {
                recentLatencies.removeFirst(recentLatencies.count - Self.recentLatencyLimit + 1)
            }
            recentLatencies.append(latency.seconds)
        }

        /// Requests refused for the rate: 429 and 529 (overloaded) answers.
        public var rateLimited: Int {
            (failuresByKind["rate_limited"] ?? 0) + (failuresByKind["overloaded"] ?? 0)
        }

        /// The drain report's view of these counts.
        public var reportStatistics: ProviderRequestStatistics {
            ProviderRequestStatistics(
                requests: requests, ok: ok, failed: failed, rateLimited: rateLimited,
                averageLatencyMilliseconds: requests > 0 ? latency.seconds * 1000 / Double(requests) : nil
            )
        }
    }

    private let counts = Mutex<[String: Counts]>([:])
    private let metrics: TweetdMetrics

    /// Creates empty statistics that also count into `metrics`.
    public init(metrics: TweetdMetrics = .discarding()) {
        self.metrics = metrics
    }

    /// Counts an answered request.
    public func recordAnswer(provider: String, latency: Duration, usage: TokenUsage) {
        counts.withLock { counts in
            counts[provider, default: Counts()].requests += 1
            counts[provider]!.ok += 1
            counts[provider]!.latency += latency
            counts[provider]!.remember(latency)
            counts[provider]!.inputTokens += usage.inputTokens
            counts[provider]!.outputTokens += usage.outputTokens
        }
        metrics.providerRequest(provider: provider, status: "ok", latency: latency)
        metrics.providerTokens(provider: provider, input: usage.inputTokens, output: usage.outputTokens)
    }

    /// Counts a failed request.
    public func recordFailure(provider: String, kind: ProviderError.Kind, latency: Duration) {
        counts.withLock { counts in
            counts[provider, default: Counts()].requests += 1
            counts[provider]!.failed += 1
            counts[provider]!.failuresByKind[kind.name, default: 0] += 1
            counts[provider]!.latency += latency
            counts[provider]!.remember(latency)
        }
        metrics.providerRequest(provider: provider, status: kind.name, latency: latency)
    }

    /// The counts so far, by provider name.
    public func snapshot() -> [String: Counts] {
        counts.withLock { $0 }
    }
}
