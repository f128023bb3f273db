import Engine
import Foundation
import Testing

/// `tweetd run --drain` as a batch job on a real broker: live progress and a summary.
@Suite("Drain mode progress on a real broker")
struct DrainModeTests {
    @Test("Under a pseudo-terminal drain mode redraws a progress bar whose total never goes down and ends at done = total")
    func progressBarOnATerminal() async throws {
        try await TestBroker.with { broker, client in
            let count = 1500
            try await broker.publish((0..<count).map { tweetBody(id: "bar-\($0)", text: "progress bar test \($0), great day #swift") }, with: client)
            let daemon = try DaemonProcess(
                arguments: ["run", "--drain", "--workers", "1", "--prefetch", "1", "--progress-interval", "0.2", "--log-level", "warning"],
                configuration: broker.configurationYAML(workers: 1),
                underPseudoTerminal: true
            )
            #expect(await daemon.waitForExit(timeout: .seconds(120)) == 0, "output:\n\(daemon.standardOutput.suffix(2000))")

            // Each redraw starts by returning to the start of the line and erasing it.
            let frames = daemon.standardOutput.components(separatedBy: "\r\u{1B}[2K").dropFirst()
                .map { $0.components(separatedBy: "\n").first ?? "" }
            print("\(frames.count) frames; first: \(frames.first ?? "-")\nlast: \(frames.last ?? "-")")
            #expect(frames.count >= 3, "the bar was redrawn while the run went on")
            let counts = try frames.map { frame -> (done: Int, total: Int) in
                let match = try #require(frame.firstMatch(of: /\] (\d+)\/(\d+) \d+%/), "a bar: \(frame)")
                return (Int(match.1)!, Int(match.2)!)
            }
            #expect(zip(counts, counts.dropFirst()).allSatisfy { $1.total >= $0.total && $1.done >= $0.done }, "\(counts)")
            #expect(counts.last.map { $0.done == count && $0.total == count } == true, "the last frame: \(counts.last.map { "\($0)" } ?? "-")")
            let last = try #require(frames.last)
            for part in ["[████████████████████████]", "100%", "msg/s", "ETA 0s", "ok 100.0%", "workers ", "builtin \(count)", "dead 0"] {
                #expect(last.contains(part), "\(part) in: \(last)")
            }
            #expect(frames.dropLast().contains { $0.contains("ETA ") && !$0.contains("ETA 0s") && !$0.contains("ETA ?") }, "an ETA while work remained")
            #expect(daemon.standardOutput.contains("processed \(count) messages"), "the summary follows the bar")
            #expect(daemon.standardOutput.contains("speed-up over one worker: "))
        }
    }

    @Test("Without a terminal drain mode logs one plain progress line per interval, ending at done = total")
    func progressLinesWithoutATerminal() async throws {
        try await TestBroker.with { broker, client in
            try await broker.publish((0..<300).map { tweetBody(id: "log-\($0)", text: "progress log \($0)") }, with: client)
            let daemon = try DaemonProcess(
                arguments: ["run", "--drain", "--workers", "1", "--prefetch", "1"],
                configuration: broker.configurationYAML(workers: 1),
                environment: ["PROGRESS_UPDATE_INTERVAL": "0.1"]
            )
            #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "stderr:\n\(daemon.standardError.suffix(2000))")
            let lines = daemon.standardError.split(separator: "\n").filter { $0.contains("progress ") && $0.contains("msg/s") }
            #expect(lines.count >= 2, "PROGRESS_UPDATE_INTERVAL sets the interval:\n\(daemon.standardError.suffix(2000))")
            #expect(lines.last?.contains("progress 300/300 (100%)") == true, "\(lines.last ?? "")")
            #expect(!daemon.standardError.contains("\u{1B}["), "no terminal codes in a log")
            #expect(!daemon.standardOutput.contains("progress "), "standard output has only the summary")

            let bad = try DaemonProcess(arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 1), environment: ["PROGRESS_UPDATE_INTERVAL": "soon"])
            #expect(await bad.waitForExit(timeout: .seconds(30)) == 2, "a bad interval is a usage error")
            #expect(bad.standardError.contains("PROGRESS_UPDATE_INTERVAL"))
        }
    }
}
