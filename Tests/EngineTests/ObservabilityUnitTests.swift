@testable import Engine
import Foundation
import Logging
import Prometheus
import Synchronization
import Testing

@Suite("Observability without a broker: JSON logs, metrics, snapshots")
struct ObservabilityUnitTests {
    private func parse(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        try #require(try StrictJSONParser().parse(bytes).objectValue).entries.reduce(into: [:]) { $0[$1.key] = $1.value }
    }

    @Test("A JSON log line has time, level, label, message and source, with metadata at the top level under its dotted keys")
    func jsonLogLine() throws {
        var handler = JSONLogHandler(label: "tweetd", now: { Date(timeIntervalSince1970: 1_790_000_000.25) }, write: { _ in })
        handler[metadataKey: "worker"] = "3"
        let line = handler.line(
            level: .warning, message: "provider failed",
            metadata: ["tweet.id": "123", "attempt": .stringConvertible(2), "message": "clash", "nested": ["a": ["1", "2"]]],
            source: "Engine"
        )
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")), "one line")
        let object = try parse(Array(line.dropLast()))
        #expect(object["time"] == .string("2026-09-21T14:13:20.250Z"))
        #expect(object["level"] == .string("warning"))
        #expect(object["label"] == .string("tweetd"))
        #expect(object["message"] == .string("provider failed"))
        #expect(object["source"] == .string("Engine"))
        #expect(object["tweet.id"] == .string("123"))
        #expect(object["worker"] == .string("3"))
        #expect(object["attempt"] == .string("2"))
        #expect(object["metadata.message"] == .string("clash"), "metadata never overwrites a fixed field")
        #expect(object["nested"]?.objectValue?["a"] == .array([.string("1"), .string("2")]))
    }

    @Test("Messages that need escaping still make one valid JSON line")
    func jsonLogEscapes() throws {
        let handler = JSONLogHandler(label: "tweetd", write: { _ in })
        let line = handler.line(level: .info, message: "quote \" backslash \\ newline \n tab \t emoji 🎉", metadata: nil, source: "x")
        let object = try parse(Array(line.dropLast()))
        #expect(object["message"] == .string("quote \" backslash \\ newline \n tab \t emoji 🎉"))
    }

    @Test("Registered families show at zero before any message; settled messages count by outcome and provider")
    func prometheusCounts() throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = TweetdMetrics.prometheus(registry: registry)
        metrics.register(providers: ["openai"])
        metrics.register(queues: ["tweets.in"], workers: 15)
        func exposition() -> String {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
        let empty = exposition()
        for family in ["tweetd_messages_total", "tweetd_processing_seconds", "tweetd_provider_requests_total",
                       "tweetd_provider_tokens_total", "tweetd_rate_limit_wait_seconds", "tweetd_queue_messages", "tweetd_workers",
                       "tweetd_publish_confirm_seconds"] {
            #expect(empty.contains("# TYPE \(family) "), "\(family) before any message")
        }
        #expect(empty.contains("tweetd_workers 15"))

        metrics.messageSettled(.ok, provider: "openai", processing: .milliseconds(120))
        metrics.messageSettled(.ok, provider: "openai", processing: .milliseconds(80))
        metrics.messageSettled(.invalid, provider: nil, processing: .microseconds(300))
        metrics.providerRequest(provider: "openai", status: "rate_limited", latency: .milliseconds(5))
        metrics.providerTokens(provider: "openai", input: 100, output: 20)
        metrics.cooldowns(provider: "openai", count: 1)
        metrics.publishConfirmed(after: .milliseconds(2))
        let text = exposition()
        #expect(text.contains(#"tweetd_messages_total{outcome="ok",provider="openai"} 2"#))
        #expect(text.contains(#"tweetd_messages_total{outcome="invalid",provider="none"} 1"#))
        #expect(text.contains("tweetd_processing_seconds_count 3"))
        #expect(text.contains(#"tweetd_provider_requests_total{provider="openai",status="rate_limited"} 1"#))
        #expect(text.contains(#"tweetd_provider_tokens_total{provider="openai",direction="input"} 100"#))
        #expect(text.contains(#"tweetd_rate_limit_cooldowns_total{provider="openai"} 1"#))
        // The 80 ms and 120 ms messages fall in the 100 ms and 250 ms buckets.
        #expect(text.contains(#"tweetd_processing_seconds_bucket{le="0.1"} 2"#))
        #expect(text.contains(#"tweetd_processing_seconds_bucket{le="0.25"} 3"#))
        // A 2 ms confirm falls in the 2.5 ms bucket.
        #expect(text.contains("tweetd_publish_confirm_seconds_count 1"))
        #expect(text.contains(#"tweetd_publish_confirm_seconds_bucket{le="0.001"} 0"#))
        #expect(text.contains(#"tweetd_publish_confirm_seconds_bucket{le="0.0025"} 1"#))
    }

    @Test("A snapshot counts outcomes like /metrics does, with rates over the interval and usage against the limit")
    func snapshotJSON() throws {
        var previous = PipelineStatistics.Snapshot()
        previous.succeeded = 10
        var now = previous
        now.succeeded = 30
        now.deadLetters = [.invalidInput: 2, .providerRejected: 1]
        now.retried = 4
        now.priorities = [0: 30, 7: 7]
        now.providers = ["openai": 30]
        now.processingSeconds = [0.1, 0.2, 0.3]
        now.processingSecondsTotal = 3.7
        var counts = ProviderCallStatistics.Counts()
        counts.requests = 35
        counts.ok = 30
        counts.failed = 5
        counts.failuresByKind = ["rate_limited": 5]
        let snapshot = MetricsSnapshot(
            instance: "host-1", time: Date(timeIntervalSince1970: 1_790_000_000), uptimeSeconds: 20, intervalSeconds: 10,
            statistics: now, previous: previous,
            providers: [ProviderUsage(
                name: "openai", counts: counts, requestsPerMinute: 3500, burst: 59, tokensPerMinute: nil,
                requestsInLastMinute: 35, tokensInLastMinute: 4000, coolingDownSeconds: 2.5, cooldowns: 1
            )],
            inFlight: 3, buffered: 1, workers: 15, queues: ["tweets.in": 12], pending: 12, brokerConnected: true
        )
        let object = try parse(snapshot.json())
        let messages = try #require(object["messages"]?.objectValue)
        #expect(messages["ok"] == .integer(30))
        #expect(messages["dead"] == .integer(1), "invalid input counts apart")
        #expect(messages["invalid"] == .integer(2))
        #expect(messages["retried"] == .integer(4))
        #expect(messages["settled"] == .integer(37))
        let rates = try #require(object["rates"]?.objectValue)
        #expect(rates["ok_per_second"] == .double(2))
        #expect(rates["settled_per_second"] == .double(2.7))
        let openai = try #require(object["providers"]?.objectValue?["openai"]?.objectValue)
        #expect(openai["rate_limited"] == .integer(5))
        #expect(openai["rpm_used"] == .double(0.01))
        #expect(openai["cooling_down_seconds"] == .double(2.5))
        #expect(openai["limit"]?.objectValue?["tpm"] == .null)
        let processing = try #require(object["processing_seconds"]?.objectValue)
        #expect(processing["count"] == .integer(37))
        #expect(processing["avg"] == .double(0.1))
        #expect(processing["max"] == .double(0.3))
        #expect(object["queues"]?.objectValue?["tweets.in"] == .integer(12))
        #expect(object["priorities"]?.objectValue?["7"] == .integer(7))
        #expect(object["broker_connected"] == .bool(true))
        #expect(object["pending"] == .integer(12))

        let line = MetricsSnapshot.humanLine(snapshot.json())
        #expect(line == "host-1  settled 37 (ok 30, dead 1, retried 4, invalid 2)  2.7/s  in flight 3  pending 12  openai 35/3500 rpm")
    }
}

@Suite("Dashboard data without a broker")
struct DashboardDataTests {
    @Test("The history turns counters into per-second rates and utilisation, and keeps only the newest points")
    func historyRates() {
        let history = ThroughputHistory(interval: .seconds(5), capacity: 2)
        let start = ContinuousClock.now
        var statistics = PipelineStatistics.Snapshot()
        history.record(statistics, at: start, time: Date(), workers: 4)
        #expect(history.points().isEmpty, "the first sample is the baseline")

        statistics.succeeded = 50
        statistics.deadLetters = [.invalidInput: 5, .providerUnavailable: 10]
        statistics.processingSecondsTotal = 10
        history.record(statistics, at: start + .seconds(5), time: Date(), workers: 4)
        let point = history.points()[0]
        #expect(point.ok == 10)
        #expect(point.dead == 2)
        #expect(point.invalid == 1)
        #expect(point.utilisation == 0.5, "10 busy seconds of 4 workers over 5 s")

        history.record(statistics, at: start + .seconds(10), time: Date(), workers: 4)
        history.record(statistics, at: start + .seconds(15), time: Date(), workers: 4)
        #expect(history.points().count == 2)
        #expect(history.points().allSatisfy { $0.ok == 0 })
    }

    @Test("The stats body is built once per refresh, not once per request")
    func cachedStats() {
        let builds = Mutex(0)
        let cache = CachedStats {
            let count = builds.withLock { count in
                count += 1
                return count
            }
            return Array("\(count)".utf8)
        }
        cache.refresh()
        #expect(builds.withLock { $0 } == 0, "nobody is watching: the timer builds nothing")
        #expect(cache.current == Array("1".utf8), "built on first use")
        #expect(cache.current == Array("1".utf8), "then served from the cache")
        cache.refresh()
        #expect(cache.current == Array("2".utf8))
        #expect(builds.withLock { $0 } == 2)
    }

    @Test("/api/stats is JSON with the version, the history and the snapshot")
    func statsJSON() throws {
        let history = ThroughputHistory()
        let snapshot = MetricsSnapshot(
            instance: "i", time: Date(), uptimeSeconds: 1, intervalSeconds: 1, statistics: .init(), previous: .init(),
            providers: [], inFlight: 0, buffered: 0, workers: 1, queues: nil, pending: nil, brokerConnected: false
        )
        let json = try StrictJSONParser().parse(Dashboard.statsJSON(snapshot: snapshot, history: history, version: "9.9.9"))
        let object = try #require(json.objectValue)
        #expect(object["version"] == .string("9.9.9"))
        #expect(object["history"] == .array([]))
        #expect(object["snapshot"]?.objectValue?["instance"] == .string("i"))
        #expect(Dashboard.page.contains("/api/stats"))
    }

    @Test("The dashboard's stats show each shared budget: who refills it, how many take from it, tokens and cooldown")
    func statsShowSharedBudgets() throws {
        var snapshot = MetricsSnapshot(
            instance: "i", time: Date(), uptimeSeconds: 1, intervalSeconds: 1, statistics: .init(), previous: .init(),
            providers: [], inFlight: 0, buffered: 0, workers: 1, queues: nil, pending: nil, brokerConnected: true
        )
        snapshot.sharedBudgets = [SharedBudgetStatus(
            budget: "team", providers: ["openai"], isRefiller: true, refiller: "host-1:42", instances: 3,
            tokensAvailable: 0, cooldownSeconds: 4.25, sustainedRequestsPerMinute: 3439.5, connected: true
        )]
        let json = try StrictJSONParser().parse(Dashboard.statsJSON(snapshot: snapshot, history: ThroughputHistory(), version: "1"))
        let budget = try #require(json.objectValue?["snapshot"]?.objectValue?["shared_budgets"]?.objectValue?["team"]?.objectValue)
        #expect(budget["this_instance_refills"] == .bool(true))
        #expect(budget["refiller"] == .string("host-1:42"))
        #expect(budget["instances"] == .integer(3))
        #expect(budget["cooldown_seconds"] == .double(4.25))
        #expect(Dashboard.page.contains("shared_budgets"), "the page shows them")
    }
}
