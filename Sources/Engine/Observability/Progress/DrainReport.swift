import Foundation

/// Everything a drain report is made from: plain values, so a caller can feed
/// richer provider statistics (failures, rate limits, latencies) once providers keep them.
public struct DrainReportInput: Sendable {
    /// The `pipeline_version` of results.
    public var pipelineVersion: String
    /// When the run started (wall clock).
    public var startedAt: Date
    /// When the run ended (wall clock).
    public var finishedAt: Date
    /// The run's length on the monotonic clock, in seconds.
    public var elapsedSeconds: Double
    /// Workers configured.
    public var workers: Int
    /// Prefetch configured.
    public var prefetch: Int
    /// What the pipeline did.
    public var statistics: PipelineStatistics.Snapshot
    /// Request statistics by provider; nil to derive them from the pipeline's results.
    public var providers: [String: ProviderRequestStatistics]?

    /// Creates an input.
    public init(
        pipelineVersion: String = TweetResult.pipelineVersion,
        startedAt: Date,
        finishedAt: Date,
        elapsedSeconds: Double,
        workers: Int,
        prefetch: Int,
        statistics: PipelineStatistics.Snapshot,
        providers: [String: ProviderRequestStatistics]? = nil
    ) {
        self.pipelineVersion = pipelineVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.elapsedSeconds = elapsedSeconds
        self.workers = workers
        self.prefetch = prefetch
        self.statistics = statistics
        self.providers = providers
    }
}

/// The JSON report of a drain run (`tweetd run --drain --report FILE`), in the original pipeline's shape:
/// `metadata {pipeline_version, started_at, finished_at, parallel_config {max_workers, prefetch, avg_processing_time}}`,
/// `statistics {processing_time_stats {min, max, avg, p50, p99}, api_provider_stats {<provider>: {requests, ok, failed,
/// rate_limited, avg_latency_ms}}, priority_distribution, error_categories}`,
/// `totals {processed, ok, dead, retried, requeued, elapsed_seconds, messages_per_second}`.
/// Times are in seconds except where the key says `_ms`.
public enum DrainReport {
    /// The report as a JSON document.
    public static func document(_ input: DrainReportInput) -> JSONValue {
        let statistics = input.statistics
        let times = DurationSummary(statistics.processingSeconds)
        let providers = input.providers ?? derivedProviderStatistics(statistics)
        let settled = statistics.settled

        let metadata: JSONValue = [
            "pipeline_version": .string(input.pipelineVersion),
            "started_at": .string(Timestamp.rfc3339(input.startedAt)),
            "finished_at": .string(Timestamp.rfc3339(input.finishedAt)),
            "parallel_config": [
                "max_workers": .integer(Int64(input.workers)),
                "prefetch": .integer(Int64(input.prefetch)),
                "avg_processing_time": number(times?.average, places: 6),
            ],
        ]
        let processingTimes: JSONValue = [
            "min": number(times?.min, places: 6),
            "max": number(times?.max, places: 6),
            "avg": number(times?.average, places: 6),
            "p50": number(times?.p50, places: 6),
            "p99": number(times?.p99, places: 6),
        ]
        let providerStatistics = JSONValue.object(JSONObject(providers.sorted { $0.key < $1.key }.map { name, stats in
            (key: name, value: [
                "requests": .integer(Int64(stats.requests)),
                "ok": .integer(Int64(stats.ok)),
                "failed": .integer(Int64(stats.failed)),
                "rate_limited": .integer(Int64(stats.rateLimited)),
                "avg_latency_ms": number(stats.averageLatencyMilliseconds, places: 3),
            ] as JSONValue)
        }))
        let priorities = JSONValue.object(JSONObject(statistics.priorities.sorted { $0.key < $1.key }.map {
            (key: String($0.key), value: .integer(Int64($0.value)))
        }))
        let categories = JSONValue.object(JSONObject(statistics.deadLetters.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            (key: $0.key.rawValue, value: .integer(Int64($0.value)))
        }))
        let totals: JSONValue = [
            "processed": .integer(Int64(settled)),
            "ok": .integer(Int64(statistics.succeeded)),
            "dead": .integer(Int64(statistics.deadLetterTotal)),
            "retried": .integer(Int64(statistics.retried)),
            "requeued": .integer(Int64(statistics.requeued)),
            "elapsed_seconds": number(input.elapsedSeconds, places: 3),
            "messages_per_second": number(input.elapsedSeconds > 0 ? Double(settled) / input.elapsedSeconds : nil, places: 1),
        ]
        return [
            "metadata": metadata,
            "statistics": [
                "processing_time_stats": processingTimes,
                "api_provider_stats": providerStatistics,
                "priority_distribution": priorities,
                "error_categories": categories,
            ],
            "totals": totals,
        ]
    }

    /// The report as indented JSON, for a file.
    public static func json(_ input: DrainReportInput) -> [UInt8] {
        JSONWriter.prettyPrinted(document(input))
    }

    /// What the pipeline's own numbers say about each provider until providers keep
    /// request statistics: one request per result, all ok, the average processing time as latency.
    public static func derivedProviderStatistics(_ statistics: PipelineStatistics.Snapshot) -> [String: ProviderRequestStatistics] {
        statistics.providers.reduce(into: [:]) { result, entry in
            let (provider, results) = entry
            let seconds = statistics.providerProcessingSeconds[provider] ?? 0
            result[provider] = ProviderRequestStatistics(
                requests: results, ok: results,
                averageLatencyMilliseconds: results > 0 ? seconds / Double(results) * 1000 : nil
            )
        }
    }

    private static func number(_ value: Double?, places: Int) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        let scale = pow(10, Double(places))
        return .double((value * scale).rounded() / scale)
    }
}
