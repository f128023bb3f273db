import Engine
import Foundation
import Testing

/// amqps:// against a broker TLS listener on certificates made with openssl for each
/// test run: a CA, a server certificate for `localhost` signed by it, and an unrelated CA.
@Suite("TLS to the broker")
struct TLSTests {
    /// The node `make test` starts with a TLS listener, on certificates scripts/test-certs.sh made for this run.
    struct TLSNode {
        let certificates: URL
        let tlsPort: Int
        var caFile: String { certificates.appendingPathComponent("ca.pem").path }
        var otherCAFile: String { certificates.appendingPathComponent("other-ca.pem").path }

        func url(host: String) -> String { "amqps://guest:guest@\(host):\(tlsPort)/" }

        /// Reads what `make test` exports; fails the test when it is missing.
        init() throws {
            let environment = ProcessInfo.processInfo.environment
            guard let directory = environment["TWEETD_TLS_CERT_DIR"], let port = environment["TWEETD_TLS_BROKER_TLS_PORT"].flatMap(Int.init) else {
                throw TestBroker.Missing(description: "TWEETD_TLS_CERT_DIR and TWEETD_TLS_BROKER_TLS_PORT are not set: run the tests with `make test`")
            }
            certificates = URL(fileURLWithPath: directory)
            tlsPort = port
        }
    }

    @Test("Over amqps:// with the right CA tweetd processes every tweet; a wrong CA or host name stops it at once with one clear line")
    func tlsEndToEnd() async throws {
        let node = try TLSNode()
        // The test's own client goes over TLS too.
        let broker = try TestBroker(url: node.url(host: "localhost"), settings: ["broker.tls.ca_file": node.caFile])
        try await TestBroker.with(broker) { broker, client in
            let ids = ProviderIntegrationTests.ids(25, "tls")
            try await ProviderIntegrationTests.publishTweets(ids, broker: broker, client: client)
            let tls = ["tls:", "  ca_file: \(node.caFile)"]
            let daemon = try DaemonProcess(
                arguments: ["run", "--drain"], configuration: broker.configurationYAML(workers: 4, broker: tls)
            )
            #expect(await daemon.waitForExit(timeout: .seconds(60)) == 0, "\(daemon.standardError.suffix(2000))")
            let results = try await broker.takeAll(from: broker.topology.resultsQueue!, with: client)
            #expect(try results.map { try resultJSON($0)["id"] as? String ?? "?" }.sorted() == ids.sorted())
            #expect(daemon.standardError.contains("amqps://guest@localhost:\(node.tlsPort)/"), "the log names the TLS endpoint")

            for (url, caFile, expected) in [
                (node.url(host: "localhost"), node.otherCAFile, "is not signed by a CA in broker.tls.ca_file \(node.otherCAFile)"),
                (node.url(host: "127.0.0.1"), node.caFile, "does not name the host '127.0.0.1'"),
            ] {
                let refused = try DaemonProcess(
                    arguments: ["run"],
                    configuration: broker.configurationYAML(workers: 4, brokerURL: url, broker: ["tls:", "  ca_file: \(caFile)"])
                )
                let status = await refused.waitForExit(timeout: .seconds(30))
                #expect(status == 1, "\(refused.standardError.suffix(2000))")
                let lastLine = refused.standardError.split(separator: "\n").last.map(String.init) ?? ""
                #expect(lastLine.hasPrefix("tweetd: the certificate of amqps://guest@"), "\(lastLine)")
                #expect(lastLine.contains(expected), "\(lastLine)")
                #expect(!refused.standardError.contains("guest:guest"), "no password in the output")
            }
        }
    }
}
