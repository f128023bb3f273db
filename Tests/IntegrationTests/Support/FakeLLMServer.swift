import Foundation
import NIOHTTP1

/// The loopback LLM server (`scripts/fake_llm_server.py`) that speaks the OpenAI,
/// Anthropic and Gemini wire formats, for tests: paid APIs cannot run here.
///
/// Each provider is a path prefix (`/openai/v1`, `/claude/v1`, …), with its own
/// latency, strict requests-per-minute window and failure mode.
struct FakeLLMServer: Sendable {
    private let script: LoopbackScript
    let port: Int

    /// Runs `body` against a server started with per-provider behaviour
    /// (`{"openai": {"rpm_limit": 10}, "*": {...}}`), and stops it afterwards.
    static func with<Result>(
        configuration: [String: [String: Any]] = [:],
        _ body: (FakeLLMServer) async throws -> Result
    ) async throws -> Result {
        let configJSON = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        return try await LoopbackScript.with("fake_llm_server.py", arguments: ["--port", "0", "--config", configJSON]) { script in
            guard let port = script.ports.first else {
                throw TestBroker.Missing(description: "fake LLM server said: \(script.readyLine)")
            }
            return try await body(FakeLLMServer(script: script, port: port))
        }
    }

    /// The base URL a provider of `name` should use: `http://127.0.0.1:PORT/<name><suffix>`.
    func baseURL(_ name: String, suffix: String = "/v1") -> String {
        "http://127.0.0.1:\(port)/\(name)\(suffix)"
    }

    /// Changes a provider's behaviour at run time.
    func control(_ name: String, _ settings: [String: Any]) async throws {
        _ = try await LoopbackHTTP.request("http://127.0.0.1:\(port)/_control/\(name)", method: .POST, json: settings)
    }

    /// The server's counts for one provider.
    func stats(_ name: String) async throws -> [String: Any] {
        let body = try await LoopbackHTTP.request("http://127.0.0.1:\(port)/_stats").body
        let all = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        let providers = all["providers"] as? [String: Any] ?? [:]
        return providers[name] as? [String: Any] ?? [:]
    }
}
