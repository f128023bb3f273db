import Foundation

/// One provider's state for a metrics snapshot: what it was asked and where it stands against its limit.
public struct ProviderUsage: Sendable, Equatable {
    /// The provider's configured name.
    public var name: String
    /// Its request counts since start.
    public var counts: ProviderCallStatistics.Counts
    /// Its configured requests per minute.
    public var requestsPerMinute: Int
    /// Its configured burst.
    public var burst: Int
    /// Its configured tokens per minute, if any.
    public var tokensPerMinute: Int?
    /// Requests its limiter granted in the last 60 s.
    public var requestsInLastMinute: Int
    /// Tokens its limiter counted in the last 60 s.
    public var tokensInLastMinute: Int
    /// Seconds its cooldown still runs; 0 when none.
    public var coolingDownSeconds: Double
    /// Cooldowns started since start.
    public var cooldowns: Int

    /// Creates a usage record.
    public init(
        name: String, counts: ProviderCallStatistics.Counts, requestsPerMinute: Int, burst: Int, tokensPerMinute: Int?,
        requestsInLastMinute: Int, tokensInLastMinute: Int, coolingDownSeconds: Double, cooldowns: Int
    ) {
        self.name = name
        self.counts = counts
        self.requestsPerMinute = requestsPerMinute
        self.burst = burst
        self.tokensPerMinute = tokensPerMinute
        self.requestsInLastMinute = requestsInLastMinute
        self.tokensInLastMinute = tokensInLastMinute
        self.coolingDownSeconds = coolingDownSeconds
        self.cooldowns = cooldowns
    }
}

/// The JSON snapshot published every `metrics.publish_interval_seconds` to the
/// metrics exchange (routing key `metrics.<instance>`): the same counts as
/// `/metrics`, plus rates over the last interval and usage against limits.
///
/// ```json
/// {"instance":"host-42","time":"…","uptime_seconds":61.2,"interval_seconds":10.0,
///  "messages":{"ok":120,"dead":2,"retried":3,"invalid":1,"requeued":0,"settled":126},
///  "rates":{"settled_per_second":12.1,"ok_per_second":11.9,"dead_per_second":0.1,…},
///  "results_by_provider":{"builtin":100,"openai":20},
///  "providers":{"openai":{"requests":23,"ok":20,"failed":3,"failures":{"rate_limited":3},
///    "input_tokens":2400,"output_tokens":800,"avg_latency_ms":812.5,
///    "limit":{"rpm":3500,"burst":59,"tpm":null},"requests_last_minute":23,"rpm_used":0.0066,
///    "tokens_last_minute":3200,"cooling_down_seconds":0,"cooldowns":1}},
///  "processing_seconds":{"count":126,"min":…,"avg":…,"p50":…,"p99":…,"max":…},
///  "dead_letters_by_category":{"invalid_input":1,"provider_rejected":2},
///  "priorities":{"0":100,"5":26},"in_flight":3,"buffered":0,"workers":15,
///  "queues":{"tweets.in":40,"tweets.retry.5":3,"tweets.dead":2,"tweets.results":0},"pending":43,
///  "broker_connected":true,
///  "shared_budgets":{"openai":{"providers":"openai","this_instance_refills":false,"refiller":"host-7:4121",
///    "instances":3,"tokens_available":0,"cooldown_seconds":0,"sustained_rpm":3439.5,"connected":true}}}
/// ```
public struct MetricsSnapshot: Sendable {
    /// The instance name (`metrics.instance`, or host-pid).
    public var instance: String
    /// When the snapshot was taken.
    public var time: Date
    /// Seconds since the daemon started.
    public var uptimeSeconds: Double
    /// Seconds since the previous snapshot (or since start for the first).
    public var intervalSeconds: Double
    /// The pipeline's numbers now.
    public var statistics: PipelineStatistics.Snapshot
    /// The pipeline's numbers at the previous snapshot, for rates.
    public var previous: PipelineStatistics.Snapshot
    /// Every LLM provider in the chain.
    public var providers: [ProviderUsage]
    /// Messages being processed.
    public var inFlight: Int
    /// Prefetched deliveries waiting for a worker.
    public var buffered: Int
    /// Workers configured.
    public var workers: Int
    /// Messages ready in each watched queue; nil when the broker could not be asked.
    public var queues: [String: Int]?
    /// Messages waiting in the input and retry queues; nil when the broker could not be asked.
    public var pending: Int?
    /// Whether the pipeline is connected and consuming.
    public var brokerConnected: Bool
    /// The provider budgets shared with other instances, as this instance sees them.
    public var sharedBudgets: [SharedBudgetStatus] = []

    /// Creates a snapshot.
    public init(
        instance: String, time: Date, uptimeSeconds: Double, intervalSeconds: Double,
        statistics: PipelineStatistics.Snapshot, previous: PipelineStatistics.Snapshot,
        providers: [ProviderUsage], inFlight: Int, buffered: Int, workers: Int,
        queues: [String: Int]?, pending: Int?, brokerConnected: Bool
    ) {
        self.instance = instance
        self.time = time
        self.uptimeSeconds = uptimeSeconds
        self.intervalSeconds = intervalSeconds
        self.statistics = statistics
        self.previous = previous
        self.providers = providers
        self.inFlight = inFlight
        self.buffered = buffered
        self.workers = workers
        self.queues = queues
        self.pending = pending
        self.brokerConnected = brokerConnected
    }

    /// Messages settled by outcome, the way `tweetd_messages_total` labels them.
    static func outcomes(_ statistics: PipelineStatistics.Snapshot) -> [(TweetdMetrics.MessageOutcome, Int)] {
        let invalid = statistics.deadLetters[.invalidInput] ?? 0
        return [
            (.ok, statistics.succeeded),
            (.dead, statistics.deadLetterTotal - invalid),
            (.retried, statistics.retried),
            (.invalid, invalid),
        ]
    }

    /// The snapshot as compact JSON.
    public func json() -> [UInt8] {
        var json = JSONWriter(capacity: 2048)
        write(into: &json)
        return json.bytes
    }

    /// Writes the snapshot as one JSON object into `json`, for documents that embed it.
    public func write(into json: inout JSONWriter) {
        json.beginObject()
        json.field("instance", instance)
        json.field("time", Timestamp.rfc3339(time))
        json.field("uptime_seconds", Self.rounded(uptimeSeconds, 3))
        json.field("interval_seconds", Self.rounded(intervalSeconds, 3))

        json.key("messages")
        json.beginObject()
        for (outcome, count) in Self.outcomes(statistics) {
            json.field(outcome.rawValue, count)
        }
        json.field("requeued", statistics.requeued)
        json.field("settled", statistics.settled)
        json.endObject()

        json.key("rates")
        json.beginObject()
        let seconds = max(intervalSeconds, 0.001)
        json.field("settled_per_second", Self.rounded(Double(statistics.settled - previous.settled) / seconds, 3))
        for ((outcome, now), (_, before)) in zip(Self.outcomes(statistics), Self.outcomes(previous)) {
            json.field("\(outcome.rawValue)_per_second", Self.rounded(Double(now - before) / seconds, 3))
        }
        json.endObject()

        json.key("results_by_provider")
        Self.counts(statistics.providers.sorted { $0.key < $1.key }, into: &json)

        json.key("providers")
        json.beginObject()
        for provider in providers {
            json.key(provider.name)
            Self.write(provider, into: &json)
        }
        json.endObject()

        json.key("processing_seconds")
        json.beginObject()
        json.field("count", statistics.settled)
        let summary = DurationSummary(statistics.processingSeconds)
        json.field("min", summary.map { Self.rounded($0.min, 6) })
        json.field("avg", statistics.settled > 0 ? Self.rounded(statistics.processingSecondsTotal / Double(statistics.settled), 6) : nil)
        json.field("p50", summary.map { Self.rounded($0.p50, 6) })
        json.field("p99", summary.map { Self.rounded($0.p99, 6) })
        json.field("max", summary.map { Self.rounded($0.max, 6) })
        json.endObject()

        json.key("dead_letters_by_category")
        Self.counts(statistics.deadLetters.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 }, into: &json)
        json.key("priorities")
        Self.counts(statistics.priorities.sorted { $0.key < $1.key }.map { (String($0.key), $0.value) }, into: &json)

        json.field("in_flight", inFlight)
        json.field("buffered", buffered)
        json.field("workers", workers)
        json.key("queues")
        if let queues {
            Self.counts(queues.sorted { $0.key < $1.key }, into: &json)
        } else {
            json.null()
        }
        json.field("pending", pending)
        json.field("broker_connected", brokerConnected)
        json.key("shared_budgets")
        json.beginObject()
        for budget in sharedBudgets {
            json.key(budget.budget)
            json.beginObject()
            json.field("providers", budget.providers.joined(separator: ","))
            json.field("this_instance_refills", budget.isRefiller)
            json.field("refiller", budget.refiller)
            json.field("instances", budget.instances)
            json.field("tokens_available", budget.tokensAvailable)
            json.field("cooldown_seconds", Self.rounded(budget.cooldownSeconds, 3))
            json.field("sustained_rpm", Self.rounded(budget.sustainedRequestsPerMinute, 1))
            json.field("connected", budget.connected)
            json.endObject()
        }
        json.endObject()
        json.endObject()
    }

    private static func write(_ provider: ProviderUsage, into json: inout JSONWriter) {
        let counts = provider.counts
        json.beginObject()
        json.field("requests", counts.requests)
        json.field("ok", counts.ok)
        json.field("failed", counts.failed)
        json.field("rate_limited", counts.rateLimited)
        json.key("failures")
        Self.counts(counts.failuresByKind.sorted { $0.key < $1.key }, into: &json)
        json.field("input_tokens", counts.inputTokens)
        json.field("output_tokens", counts.outputTokens)
        json.field("avg_latency_ms", counts.reportStatistics.averageLatencyMilliseconds.map { rounded($0, 3) })
        let latencies = counts.latencySummary
        json.field("p50_latency_ms", latencies.map { rounded($0.p50 * 1000, 3) })
        json.field("p99_latency_ms", latencies.map { rounded($0.p99 * 1000, 3) })
        json.key("limit")
        json.beginObject()
        json.field("rpm", provider.requestsPerMinute)
        json.field("burst", provider.burst)
        json.field("tpm", provider.tokensPerMinute)
        json.endObject()
        json.field("requests_last_minute", provider.requestsInLastMinute)
        json.field("rpm_used", rounded(Double(provider.requestsInLastMinute) / Double(max(provider.requestsPerMinute, 1)), 4))
        json.field("tokens_last_minute", provider.tokensInLastMinute)
        json.field("cooling_down_seconds", rounded(provider.coolingDownSeconds, 3))
        json.field("cooldowns", provider.cooldowns)
        json.endObject()
    }

    private static func counts<S: Sequence>(_ pairs: S, into json: inout JSONWriter) where S.Element == (String, Int) {
        json.beginObject()
        for (key, value) in pairs {
            json.field(key, value)
        }
        json.endObject()
    }

    private static func rounded(_ value: Double, _ places: Int) -> Double {
        guard value.isFinite else { return 0 }
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}

extension MetricsSnapshot {
    /// One line for people from a published snapshot:
    /// `host-42  settled 126 (ok 120, dead 2, retried 3, invalid 1)  12.1/s  in flight 3  waiting 43  openai 23/3500 rpm`.
    public static func humanLine(_ body: [UInt8]) -> String {
        guard let snapshot = (try? StrictJSONParser().parse(body))?.objectValue else {
            return "(not a JSON object: \(body.count) bytes)"
        }
        func int(_ value: JSONValue?) -> Int { value?.integerValue.map { Int($0) } ?? 0 }
        let messages = snapshot["messages"]?.objectValue
        var parts = [
            snapshot["instance"]?.stringValue ?? "?",
            "settled \(int(messages?["settled"])) (ok \(int(messages?["ok"])), dead \(int(messages?["dead"])), "
                + "retried \(int(messages?["retried"])), invalid \(int(messages?["invalid"])))",
        ]
        if let rate = snapshot["rates"]?.objectValue?["settled_per_second"]?.doubleValue {
            parts.append(String(format: "%.1f/s", rate))
        }
        parts.append("in flight \(int(snapshot["in_flight"]))")
        if let pending = snapshot["pending"]?.integerValue {
            parts.append("pending \(pending)")
        }
        for provider in snapshot["providers"]?.objectValue?.entries ?? [] {
            let usage = provider.value.objectValue
            parts.append("\(provider.key) \(int(usage?["requests_last_minute"]))/\(int(usage?["limit"]?.objectValue?["rpm"])) rpm")
        }
        if snapshot["broker_connected"]?.boolValue == false {
            parts.append("BROKER DISCONNECTED")
        }
        return parts.joined(separator: "  ")
    }
}
