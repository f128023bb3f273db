import Engine
import Testing

@Suite("The drain run's summary")
struct RunSummaryTests {
    @Test("Statistics add up every processing time, overall and per provider, beyond the bounded sample")
    func statisticsKeepTotals() {
        let statistics = PipelineStatistics()
        statistics.record(.result(provider: "builtin"), priority: 3, seconds: 0.010)
        statistics.record(.result(provider: "openai"), priority: 3, seconds: 0.300)
        statistics.record(.deadLetter(.invalidInput, reason: "bad"), priority: 0, seconds: 0.002)
        let snapshot = statistics.snapshot()
        #expect(snapshot.succeeded == 2)
        #expect(snapshot.deadLetters == [.invalidInput: 1])
        #expect(abs(snapshot.processingSecondsTotal - 0.312) < 1e-9)
        #expect(snapshot.providerProcessingSeconds == ["builtin": 0.010, "openai": 0.300])
        #expect(snapshot.priorities == [3: 2, 0: 1])
    }

    @Test("The summary gives counts, outcomes, processing times and the speed-up over one worker")
    func summaryText() {
        let statistics = PipelineStatistics()
        for index in 0..<100 {
            statistics.record(.result(provider: "builtin"), priority: index % 2, seconds: Double(index + 1) / 1000)
        }
        statistics.record(.deadLetter(.invalidInput, reason: "bad"), priority: 0, seconds: 0.001)
        let summary = RunSummary(statistics: statistics.snapshot(), elapsedSeconds: 0.5, workers: 1)
        #expect(summary.text == """
            processed 101 messages in 0.50 s (202 msg/s, 1 worker)
              results: 100  dead letters: 1  retried: 0  requeued: 0
              dead letters by category: invalid_input=1
              processing time: avg 50.010 ms  p50 50.000 ms  p99 99.000 ms  max 100.000 ms
              speed-up over one worker: 10.1x (5.05 s of processing in 0.50 s)
              by priority: 1=50 0=51
            """)
        #expect(RunSummary(statistics: PipelineStatistics().snapshot(), elapsedSeconds: 0, workers: 4).speedUp == nil)
    }
}
