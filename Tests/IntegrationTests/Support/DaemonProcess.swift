import Foundation
import Testing

/// A `tweetd` process started by a test, with its output captured to files.
final class DaemonProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is set once in init; Foundation's Process is thread-safe for these calls.

    let process = Process()
    let directory: URL
    /// The configuration file the daemon was started with (`--config`).
    let configurationURL: URL
    let stdoutURL: URL
    let stderrURL: URL

    /// The built executable: $TWEETD_BINARY, or .build/debug/tweetd next to the package.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["TWEETD_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/tweetd")
    }

    /// util-linux `script`, which runs a command under a pseudo-terminal (Debian's bsdutils has it).
    static let script = URL(fileURLWithPath: "/usr/bin/script")

    /// Writes `configuration` to a temporary file and starts `tweetd ARGUMENTS --config FILE`.
    ///
    /// With `underPseudoTerminal`, tweetd runs inside `script -qfec`, so it sees a
    /// terminal on standard output and error; both then arrive in `standardOutput`.
    init(arguments: [String], configuration: String, environment: [String: String] = [:], underPseudoTerminal: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tweetd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configURL = directory.appendingPathComponent("tweetd.yaml")
        configurationURL = configURL
        try configuration.write(to: configURL, atomically: true, encoding: .utf8)
        stdoutURL = directory.appendingPathComponent("stdout.txt")
        stderrURL = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw TestBroker.Missing(description: "\(Self.binary.path) is not built: run `swift build` first (make test does)")
        }
        let command = [Self.binary.path] + arguments + ["--config", configURL.path]
        if underPseudoTerminal {
            guard FileManager.default.isExecutableFile(atPath: Self.script.path) else {
                throw TestBroker.Missing(description: "\(Self.script.path) is missing: install util-linux's script (Debian: bsdutils)")
            }
            process.executableURL = Self.script
            let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            process.arguments = ["-qfec", quoted, "/dev/null"]
            process.standardInput = FileHandle.nullDevice
        } else {
            process.executableURL = Self.binary
            process.arguments = Array(command.dropFirst())
        }
        var processEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TWEETD_") && $0.key != "MAX_WORKERS" && $0.key != "BATCH_SIZE" }
        processEnvironment.merge(environment) { $1 }
        process.environment = processEnvironment
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }

    /// Peak resident memory so far in KiB (VmHWM), while it runs.
    var peakResidentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// Replaces the configuration file and sends SIGHUP, as `systemctl reload` does.
    func reload(with configuration: String) throws {
        try configuration.write(to: configurationURL, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
    }

    /// Sends SIGTERM.
    func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }

    /// Sends SIGINT, as Ctrl-C does.
    func interrupt() {
        kill(process.processIdentifier, SIGINT)
    }

    /// Sends SIGKILL.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for the process to exit; returns its status, or nil after `timeout` (and kills it).
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill9()
                return nil
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    var standardOutput: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
