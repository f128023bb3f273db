import Engine
import Foundation
import Testing

@Suite("Drain progress without a broker")
struct DrainProgressTests {
    private func sample(
        at seconds: Double, ok: Int, dead: Int = 0, inFlight: Int = 0, buffered: Int = 0, waiting: Int?, busy: Double = 0
    ) -> ProgressSample {
        ProgressSample(
            elapsedSeconds: seconds, succeeded: ok, deadLetters: dead, retried: 0, inFlight: inFlight, buffered: buffered,
            waiting: waiting, busySeconds: busy, providers: ok > 0 ? ["builtin": ok] : [:]
        )
    }

    @Test("The total is done + in flight + buffered + waiting, grows with arrivals and never goes down")
    func totalNeverDecreases() {
        var tracker = ProgressTracker(workers: 4)
        #expect(tracker.record(sample(at: 0, ok: 0, waiting: 1000)).total == 1000, "the queue depth at the start")
        #expect(tracker.record(sample(at: 1, ok: 300, inFlight: 4, buffered: 4, waiting: 692)).total == 1000)
        #expect(tracker.record(sample(at: 2, ok: 600, inFlight: 4, buffered: 4, waiting: 592)).total == 1200, "200 arrived")
        // A message on the wire is briefly counted nowhere: the total holds.
        #expect(tracker.record(sample(at: 3, ok: 900, inFlight: 2, buffered: 0, waiting: 297)).total == 1200)
        #expect(tracker.record(sample(at: 4, ok: 903, waiting: nil)).total == 1200, "no broker answer: the last depth (297) stands")
    }

    @Test("Rate is smoothed over intervals, ETA is what is left at that rate, success rate counts results among outcomes")
    func rateEtaAndSuccess() {
        var tracker = ProgressTracker(workers: 2)
        _ = tracker.record(sample(at: 0, ok: 0, waiting: 1000))
        let first = tracker.record(sample(at: 1, ok: 90, dead: 10, waiting: 900))
        #expect(first.messagesPerSecond == 100)
        #expect(first.etaSeconds == 9)
        #expect(first.successRate == 0.9)
        #expect(first.done == 100 && first.deadLetters == 10)
        let second = tracker.record(sample(at: 2, ok: 290, dead: 10, waiting: 700))
        #expect(abs(second.messagesPerSecond - 130) < 1e-9, "100 + 0.3 × (200 − 100)")
        #expect(abs(second.fraction - 0.3) < 1e-9)
        let stalled = tracker.record(sample(at: 3, ok: 290, dead: 10, waiting: 700))
        #expect(stalled.etaSeconds != nil, "the smoothed rate is still above zero")
        var idle = ProgressTracker(workers: 1)
        #expect(idle.record(sample(at: 0, ok: 0, waiting: 5)).etaSeconds == nil, "nothing moves yet: no ETA")
        var empty = ProgressTracker(workers: 1)
        #expect(empty.record(sample(at: 0, ok: 0, waiting: 0)).etaSeconds == 0, "nothing to do")
    }

    @Test("Utilisation is the processing time done in an interval over workers × interval")
    func utilisation() {
        var tracker = ProgressTracker(workers: 4)
        #expect(tracker.record(sample(at: 0, ok: 0, waiting: 10, busy: 0)).utilisation == nil)
        #expect(tracker.record(sample(at: 2, ok: 5, waiting: 5, busy: 6)).utilisation == 0.75, "6 s of work over 4 workers × 2 s")
        #expect(tracker.record(sample(at: 3, ok: 10, waiting: 0, busy: 20)).utilisation == 1, "capped at 1")
        let last = tracker.finish(sample(at: 4, ok: 10, waiting: 0, busy: 20))
        #expect(last.utilisation == 1, "over the whole run: 20 s / (4 × 4 s) capped")
        #expect(last.messagesPerSecond == 2.5, "the final rate is the whole run's average")
    }

    @Test("The bar shows count, percentage, rate, ETA, success rate, utilisation, providers and dead letters")
    func bar() {
        var tracker = ProgressTracker(workers: 2)
        _ = tracker.record(sample(at: 0, ok: 0, waiting: 3000))
        let state = tracker.record(sample(at: 2, ok: 1172, dead: 62, inFlight: 2, waiting: 1764, busy: 3.48))
        #expect(ProgressRenderer.bar(state) == "[█████████░░░░░░░░░░░░░░░] 1234/3000 41%  617 msg/s  ETA 3s  ok 95.0%  workers 87%  builtin 1172  dead 62")
        #expect(ProgressRenderer.bar(state, columns: 40) == "[█████████░░░░░░░░░░░░░░░] 1234/3000 41", "cut so it never wraps")
        #expect(ProgressRenderer.logLine(state) == "progress 1234/3000 (41%) rate 617 msg/s eta 3s ok 95.0% workers 87% dead 62 providers builtin=1172")
        var fresh = ProgressTracker(workers: 1)
        #expect(ProgressRenderer.bar(fresh.record(sample(at: 0, ok: 0, waiting: 0))) == "[░░░░░░░░░░░░░░░░░░░░░░░░] 0/0 0%  0.0 msg/s  ETA 0s  ok -  workers -  dead 0")
    }

    @Test("Log lines written while the bar shows go above it, and the bar is drawn again")
    func statusLineKeepsLogsAboveTheBar() throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        let line = TerminalStatusLine(descriptor: descriptors[1])
        line.print("before the bar\n")
        line.show("[bar 1]")
        var stream = line.logStream
        stream.write("a log line\n")
        line.show("[bar 2]")
        line.finish()
        line.print("after\n")
        close(descriptors[1])
        let output = String(decoding: FileHandle(fileDescriptor: descriptors[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(output == "before the bar\n\r\u{1B}[2K[bar 1]\r\u{1B}[2Ka log line\n[bar 1]\r\u{1B}[2K[bar 2]\nafter\n")
    }
}
