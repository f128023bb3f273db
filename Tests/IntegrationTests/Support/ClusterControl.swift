import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The private three-node cluster `make test` starts (`scripts/cluster.sh`): kill a node,
/// start it again, ask which node leads a quorum queue.
enum ClusterControl {
    /// Runs `scripts/cluster.sh ARGUMENTS` with the cluster `make test` exported; returns its
    /// standard output, trimmed, and its exit status.
    @discardableResult
    static func run(_ arguments: String...) async throws -> (output: String, status: Int32) {
        let environment = ProcessInfo.processInfo.environment
        let name = try #require(environment["TWEETD_CLUSTER_NAME"], "make test exports TWEETD_CLUSTER_NAME")
        let port = try #require(environment["TWEETD_CLUSTER_PORT"], "make test exports TWEETD_CLUSTER_PORT")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/cluster.sh")
        // A file, not a pipe: a node the script starts inherits its standard output and keeps it
        // open for as long as it runs, so reading a pipe to its end would never return.
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("tweetd-cluster-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: outputURL) }
        // posix_spawn and waitpid rather than Foundation's Process, whose end-of-process
        // notice never came once the script had started a node that outlives it.
        let command = "exec bash \(Self.quoted(script.path)) \(arguments.map(Self.quoted).joined(separator: " ")) >\(Self.quoted(outputURL.path)) 2>/dev/null </dev/null"
        let environmentStrings = environment.merging(["CLUSTER_NAME": name, "CLUSTER_PORT": port]) { $1 }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
            strings.map { (text: String) -> UnsafeMutablePointer<CChar>? in strdup(text) } + [nil]
        }
        let argv = cStrings(["/bin/bash", "-c", command])
        let envp = cStrings(environmentStrings)
        defer { (argv + envp).forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp)
        try #require(spawned == 0, "posix_spawn: \(spawned)")
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return (text.trimmingCharacters(in: .whitespacesAndNewlines), exitStatus)
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The number (1...3) of the node leading quorum queue `queue`, once the cluster knows one.
    static func leader(of queue: String) async throws -> Int {
        var leader: Int?
        _ = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
            let answer = try await run("leader", queue)
            leader = answer.status == 0 ? Int(answer.output) : nil
            return leader != nil
        }
        return try #require(leader, "no node leads \(queue)")
    }

    /// SIGKILLs node `number`'s Erlang VM: a crash, not a shutdown.
    static func kill(_ number: Int) async throws {
        let answer = try await run("kill", String(number))
        #expect(answer.status == 0, "cluster.sh kill \(number)")
        print("cluster: SIGKILLed node \(number)")
    }

    /// Starts node `number` again and waits until it is back in the cluster.
    static func start(_ number: Int) async throws {
        let answer = try await run("start-node", String(number))
        #expect(answer.status == 0, "cluster.sh start-node \(number)")
        print("cluster: node \(number) is back")
    }

    /// The node (1...3) listening on `port`.
    static func node(listeningOn port: Int) throws -> Int {
        let base = try #require(ProcessInfo.processInfo.environment["TWEETD_CLUSTER_PORT"].flatMap { Int($0) })
        return port - base + 1
    }

    /// The node a daemon's `connection` last (re)connected to, from its log lines
    /// (`amqp.connection=consumer … amqp.node=amqp://guest@127.0.0.1:5682/`).
    static func node(of connection: String, inLog log: String) throws -> Int {
        let line = try #require(
            log.split(separator: "\n").last {
                $0.contains("connected to the broker") && $0.contains("amqp.connection=\(connection)")
            },
            "no line says which node the \(connection) connection opened"
        )
        let afterNode = try #require(line.range(of: "amqp.node=")).upperBound
        let url = line[afterNode...].prefix { !$0.isWhitespace }
        let port = try #require(Int(url.split(separator: ":").last?.prefix { $0.isNumber } ?? ""))
        return try node(listeningOn: port)
    }
}
