import Engine
import Foundation

/// The loopback LLM server (`scripts/fake_llm_server.py`) that speaks the OpenAI,
/// Anthropic and Gemini wire formats, for tests: paid APIs cannot run here.
///
/// Each provider is a path prefix (`/openai/v1`, `/claude/v1`, …), with its own
/// latency, strict requests-per-minute window and failure mode.
///
/// Nothing here blocks a thread: the test runner shares two cores' worth of
/// cooperative threads between every suite running in parallel.
final class FakeLLMServer: @unchecked Sendable {
    // @unchecked Sendable: `process` is set once in init; Process itself is thread-safe for isRunning/terminate.
    private let process: Process
    private let transport: AsyncHTTPClientTransport
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
        self.transport = AsyncHTTPClientTransport(connectionsPerHost: 4)
    }

    /// Runs `body` against a server started with per-provider behaviour
    /// (`{"openai": {"rpm_limit": 10}, "*": {...}}`), and stops it afterwards.
    static func with<Result>(
        configuration: [String: [String: Any]] = [:],
        _ body: (FakeLLMServer) async throws -> Result
    ) async throws -> Result {
        let server = try await start(configuration: configuration)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func start(configuration: [String: [String: Any]]) async throws -> FakeLLMServer {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = packageRoot.appendingPathComponent("scripts/fake_llm_server.py")
        let configJSON = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("fake-llm-\(UUID().uuidString).out").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
            throw TestBroker.Missing(description: "cannot create \(outputPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--port", "0", "--config", configJSON]
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle.nullDevice
        try process.run()

        // The server prints one line once it listens: "listening on 127.0.0.1:PORT".
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                return FakeLLMServer(process: process, port: port)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        throw TestBroker.Missing(description: "fake LLM server did not start within 20 s (is python3 installed?)")
    }

    /// Stops the server and waits for it to exit.
    func stop() async {
        await transport.shutdown()
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The base URL a provider of `name` should use: `http://127.0.0.1:PORT/<name><suffix>`.
    func baseURL(_ name: String, suffix: String = "/v1") -> String {
        "http://127.0.0.1:\(port)/\(name)\(suffix)"
    }

    /// Changes a provider's behaviour at run time.
    func control(_ name: String, _ settings: [String: Any]) async throws {
        _ = try await request("POST", "/_control/\(name)", body: settings)
    }

    /// The server's counts for one provider.
    func stats(_ name: String) async throws -> [String: Any] {
        let all = try await request("GET", "/_stats", body: nil)
        let providers = all["providers"] as? [String: Any] ?? [:]
        return providers[name] as? [String: Any] ?? [:]
    }

    private func request(_ method: String, _ path: String, body: [String: Any]?) async throws -> [String: Any] {
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        let request = ProviderHTTPRequest(
            method: method, url: "http://127.0.0.1:\(port)\(path)",
            headers: body == nil ? [] : [("content-type", "application/json")], body: bytes
        )
        let response = try await transport.send(request, timeout: .seconds(10))
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }
}
