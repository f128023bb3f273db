import Engine
import Foundation
import Testing

@Suite("The drain report without a broker")
struct DrainReportTests {
    private func statistics() -> PipelineStatistics.Snapshot {
        let statistics = PipelineStatistics()
        for index in 1...100 {
            statistics.record(.result(provider: "builtin"), priority: index % 3, seconds: Double(index) / 1000)
        }
        statistics.record(.deadLetter(.invalidInput, reason: "bad"), priority: 0, seconds: 0.5)
        statistics.recordRequeue()
        return statistics.snapshot()
    }

    private func input(providers: [String: ProviderRequestStatistics]? = nil) -> DrainReportInput {
        DrainReportInput(
            startedAt: Date(timeIntervalSince1970: 1_790_000_000), finishedAt: Date(timeIntervalSince1970: 1_790_000_002.5),
            elapsedSeconds: 2.5, workers: 8, prefetch: 10, statistics: statistics(), providers: providers
        )
    }

    @Test("The report has the original pipeline's shape, field by field")
    func shape() throws {
        let report = try #require(DrainReport.document(input()).objectValue)
        #expect(report.keys == ["metadata", "statistics", "totals"])
        #expect(report["metadata"] == [
            "pipeline_version": .string(TweetResult.pipelineVersion),
            "started_at": "2026-09-21T14:13:20.000Z",
            "finished_at": "2026-09-21T14:13:22.500Z",
            "parallel_config": ["max_workers": 8, "prefetch": 10, "avg_processing_time": 0.054950],
        ])
        let statistics = try #require(report["statistics"]?.objectValue)
        #expect(statistics["processing_time_stats"] == ["min": 0.001, "max": 0.5, "avg": 0.05495, "p50": 0.051, "p99": 0.1])
        #expect(statistics["api_provider_stats"] == ["builtin": ["requests": 100, "ok": 100, "failed": 0, "rate_limited": 0, "avg_latency_ms": 50.5]])
        #expect(statistics["priority_distribution"] == ["0": 34, "1": 34, "2": 33])
        #expect(statistics["error_categories"] == ["invalid_input": 1])
        #expect(report["totals"] == [
            "processed": 101, "ok": 100, "dead": 1, "retried": 0, "requeued": 1, "elapsed_seconds": 2.5, "messages_per_second": 40.4,
        ])
    }

    @Test("Provider statistics given by the caller replace the derived ones")
    func richerProviderStatistics() throws {
        let given = ["openai": ProviderRequestStatistics(requests: 120, ok: 100, failed: 20, rateLimited: 15, averageLatencyMilliseconds: 812.25)]
        let report = try #require(DrainReport.document(input(providers: given)).objectValue)
        #expect(report["statistics"]?.objectValue?["api_provider_stats"] == [
            "openai": ["requests": 120, "ok": 100, "failed": 20, "rate_limited": 15, "avg_latency_ms": 812.25],
        ])
    }

    @Test("An empty run reports nulls for times instead of inventing them")
    func emptyRun() throws {
        let input = DrainReportInput(
            startedAt: Date(), finishedAt: Date(), elapsedSeconds: 0, workers: 1, prefetch: 1, statistics: PipelineStatistics().snapshot()
        )
        let report = try #require(DrainReport.document(input).objectValue)
        #expect(report["statistics"]?.objectValue?["processing_time_stats"] == ["min": nil, "max": nil, "avg": nil, "p50": nil, "p99": nil])
        #expect(report["totals"]?.objectValue?["messages_per_second"] == .null)
    }

    @Test("The file is indented JSON that reads back to the same document")
    func prettyJSONRoundTrips() throws {
        let bytes = DrainReport.json(input())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"metadata\": {\n    \"pipeline_version\": "))
        #expect(text.hasSuffix("}\n"))
        #expect(try StrictJSONParser().parse(bytes) == DrainReport.document(input()))
        #expect(String(decoding: JSONWriter.prettyPrinted(["a": [], "b": [:], "c": ["x\n"]]), as: UTF8.self) == "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    \"x\\n\"\n  ]\n}\n")
    }
}
