import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A helper script from `scripts/` (the fake LLM server, the TCP proxy) run as
/// a child process on loopback for one test.
///
/// Nothing here blocks a thread: the test runner shares two cores' worth of
/// cooperative threads between every suite running in parallel.
final class LoopbackScript: @unchecked Sendable {
    // @unchecked Sendable: `process` is set once in init; Process is safe to ask isRunning and terminate from any thread.
    private let process: Process
    /// The line the script printed when it was ready: "listening on 127.0.0.1:PORT …".
    let readyLine: String

    private init(process: Process, readyLine: String) {
        self.process = process
        self.readyLine = readyLine
    }

    /// The ports in ``readyLine``, in order.
    var ports: [Int] {
        readyLine.split(whereSeparator: { $0 == " " }).compactMap { word in
            word.split(separator: ":").last.flatMap { Int($0) }
        }
    }

    /// Runs `body` with `scripts/<name>` started, and stops the script afterwards, whatever happens.
    static func with<Result>(_ name: String, arguments: [String], _ body: (LoopbackScript) async throws -> Result) async throws -> Result {
        let script = try await start(name, arguments: arguments)
        do {
            let result = try await body(script)
            await script.stop()
            return result
        } catch {
            await script.stop()
            throw error
        }
    }

    /// Starts `scripts/<name>` with `arguments` and waits for its "listening on" line.
    static func start(_ name: String, arguments: [String]) async throws -> LoopbackScript {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = packageRoot.appendingPathComponent("scripts/\(name)")
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).out").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
            throw TestBroker.Missing(description: "cannot create \(outputPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle.nullDevice
        try process.run()

        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                return LoopbackScript(process: process, readyLine: String(line))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        throw TestBroker.Missing(description: "scripts/\(name) did not start within 20 s (is python3 installed?)")
    }

    /// Stops the script and waits for it to exit.
    func stop() async {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// One HTTP exchange with a loopback server, for tests.
enum LoopbackHTTP {
    /// Sends `method` to `url` and returns the status and body; throws when nothing answered.
    static func request(_ url: String, method: HTTPMethod = .GET, json body: [String: Any]? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }
}
