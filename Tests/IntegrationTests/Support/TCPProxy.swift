import NIOHTTP1

/// A TCP proxy on loopback (`scripts/tcp_proxy.py`) between the daemon and the
/// broker, so that a test can cut the connection without touching the broker
/// every other test shares.
struct TCPProxy: Sendable {
    private let script: LoopbackScript
    /// Where clients connect.
    let port: Int
    private let controlPort: Int

    /// What the proxy does with connections.
    enum Mode: String {
        /// Forward both ways.
        case open
        /// Drop every connection at once and refuse new ones.
        case close
        /// Keep connections but swallow every byte.
        case blackhole
    }

    /// Runs `body` with a proxy to `target` (`host:port`), stopped afterwards.
    static func with<Result>(target: String, _ body: (TCPProxy) async throws -> Result) async throws -> Result {
        try await LoopbackScript.with("tcp_proxy.py", arguments: ["--target", target]) { script in
            let ports = script.ports
            guard ports.count == 2 else {
                throw TestBroker.Missing(description: "tcp proxy said: \(script.readyLine)")
            }
            return try await body(TCPProxy(script: script, port: ports[0], controlPort: ports[1]))
        }
    }

    /// Switches the proxy to `mode`.
    func set(_ mode: Mode) async throws {
        let reply = try await LoopbackHTTP.request("http://127.0.0.1:\(controlPort)/\(mode.rawValue)", method: .POST)
        guard reply.status == 200 else {
            throw TestBroker.Missing(description: "tcp proxy refused \(mode): \(reply.body)")
        }
    }
}
