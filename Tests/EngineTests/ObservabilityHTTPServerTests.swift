import Engine
import Foundation
import Logging
import Testing

@Suite("Observability listener: idle clients cannot use up its sockets")
struct ObservabilityHTTPServerTests {
    private static let route: ObservabilityHTTPServer.Route = { path in
        path == "/healthz" ? HTTPReply(status: 200, text: "ok\n") : HTTPReply(status: 404, text: "not found\n")
    }

    private func server(_ limits: ObservabilityHTTPServer.Limits) async throws -> (ObservabilityHTTPServer, Int) {
        let server = ObservabilityHTTPServer(
            address: MetricsConfiguration.ListenAddress(host: "127.0.0.1", port: 0),
            limits: limits,
            logger: Logger(label: "test"),
            route: Self.route
        )
        return (server, try await server.bind())
    }

    @Test("a client that sends no request, or only part of one, is closed after the request timeout")
    func silentClientsAreClosed() async throws {
        let (server, port) = try await server(.init(requestTimeout: .milliseconds(100), maxConnections: 8))
        let silent = try LoopbackClient(port: port)
        let partial = try LoopbackClient(port: port)
        partial.send("GET /healthz HTTP/1.1\r\nhost: localhost\r\n")
        // Generous: the listener closes them after 0.1 s; without a timeout they stay open forever.
        #expect(try await silent.readUntilClosed(within: .seconds(10)) == "")
        #expect(try await partial.readUntilClosed(within: .seconds(10)) == "")
        silent.close()
        partial.close()
        await server.close()
    }

    @Test("connections beyond the cap are closed at once; a freed slot answers /healthz again")
    func connectionsBeyondTheCapAreRefused() async throws {
        let (server, port) = try await server(.init(requestTimeout: .seconds(60), maxConnections: 4))
        let idle = try (0..<4).map { _ in try LoopbackClient(port: port) }

        let excess = try LoopbackClient(port: port)
        #expect(try await excess.readUntilClosed(within: .seconds(10)) == "", "the fifth connection is closed without an answer")
        excess.close()

        idle[0].close()
        // The listener sees the close asynchronously: ask until the slot is free (in practice the first or second try).
        var answer: String?
        for _ in 0..<100 where answer?.hasPrefix("HTTP/1.1 200") != true {
            let probe = try LoopbackClient(port: port)
            probe.send("GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
            answer = try await probe.readUntilClosed(within: .seconds(10))
            probe.close()
            if answer?.hasPrefix("HTTP/1.1 200") != true { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answer?.hasPrefix("HTTP/1.1 200") == true)
        #expect(answer?.hasSuffix("ok\n") == true)
        idle.forEach { $0.close() }
        await server.close()
    }
}

/// A blocking TCP client on 127.0.0.1, so the test sees exactly what a
/// scraper or a misbehaving client would: bytes, then the close.
private final class LoopbackClient {
    /// -1 once closed, so a second `close()` cannot close a descriptor the process has reused.
    private var descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard descriptor >= 0, status == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Everything the server sent until it closed the connection, or `nil`
    /// when the connection is still open after `limit`. It polls without
    /// blocking, so that a waiting test does not hold a thread of the shared pool.
    func readUntilClosed(within limit: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + limit
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var events = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&events, 1, 0) > 0 else {
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            // 0 is the server's FIN; -1 (a reset) is a close as well.
            if count <= 0 { return String(decoding: received, as: UTF8.self) }
            received += buffer[..<count]
        }
        return nil
    }

    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
