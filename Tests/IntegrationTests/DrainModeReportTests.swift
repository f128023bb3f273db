import Engine
import Foundation
import Testing

/// `tweetd run --drain --report FILE` on a real broker: the JSON report of the run.
@Suite("Drain mode report on a real broker")
struct DrainModeReportTests {
    @Test("--report writes the original pipeline's JSON report, and every field matches the run")
    func reportMatchesTheRun() async throws {
        try await TestBroker.with { broker, client in
            let good = (0..<40).map { tweetBody(id: "rep-\($0)", text: "report test \($0)") }
            let bad = (0..<5).map { _ in Array("{broken".utf8) }
            let priorities = (0..<45).map { $0 % 3 }
            try await broker.publish(good + bad, priorities: priorities, with: client)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tweetd-report-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("report.json")
            let daemon = try DaemonProcess(
                arguments: ["run", "--drain", "--workers", "3", "--prefetch", "4", "--report", file.path],
                configuration: broker.configurationYAML(workers: 3)
            )
            #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "stderr:\n\(daemon.standardError.suffix(2000))")

            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            let metadata = try #require(report["metadata"] as? [String: Any])
            #expect(metadata["pipeline_version"] as? String == TweetResult.pipelineVersion)
            let startedAt = try #require(metadata["started_at"] as? String)
            let finishedAt = try #require(metadata["finished_at"] as? String)
            #expect(startedAt.hasSuffix("Z") && finishedAt.hasSuffix("Z") && startedAt <= finishedAt)
            let parallel = try #require(metadata["parallel_config"] as? [String: Any])
            #expect(parallel["max_workers"] as? Int == 3)
            #expect(parallel["prefetch"] as? Int == 4)
            let averageTime = try #require(parallel["avg_processing_time"] as? Double)

            let statistics = try #require(report["statistics"] as? [String: Any])
            let times = try #require(statistics["processing_time_stats"] as? [String: Double])
            #expect(Set(times.keys) == ["min", "max", "avg", "p50", "p99"])
            #expect(times["min"]! > 0 && times["min"]! <= times["p50"]! && times["p50"]! <= times["p99"]! && times["p99"]! <= times["max"]!)
            #expect(times["avg"] == averageTime)
            let providers = try #require(statistics["api_provider_stats"] as? [String: [String: Any]])
            let builtin = try #require(providers["builtin"])
            #expect(builtin["requests"] as? Int == 40 && builtin["ok"] as? Int == 40)
            #expect(builtin["failed"] as? Int == 0 && builtin["rate_limited"] as? Int == 0)
            #expect((builtin["avg_latency_ms"] as? Double).map { $0 > 0 } == true)
            #expect(statistics["priority_distribution"] as? [String: Int] == ["0": 15, "1": 15, "2": 15])
            #expect(statistics["error_categories"] as? [String: Int] == ["invalid_input": 5])

            let totals = try #require(report["totals"] as? [String: Any])
            #expect(totals["processed"] as? Int == 45)
            #expect(totals["ok"] as? Int == 40)
            #expect(totals["dead"] as? Int == 5)
            #expect(totals["retried"] as? Int == 0)
            #expect(totals["requeued"] as? Int == 0)
            let elapsed = try #require(totals["elapsed_seconds"] as? Double)
            let rate = try #require(totals["messages_per_second"] as? Double)
            #expect(elapsed > 0 && abs(rate - 45 / elapsed) < 0.1 + 45 / elapsed * 0.01)
            #expect(daemon.standardOutput.contains("processed 45 messages"), "the human summary is printed too")
        }
    }
}
