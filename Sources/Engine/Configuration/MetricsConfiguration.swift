import Foundation

/// The `metrics` section: the HTTP listener for `/metrics`, `/healthz` and
/// `/readyz`, and the periodic JSON snapshots published to
/// `topology.metrics_exchange`.
public struct MetricsConfiguration: Sendable, Equatable {
    /// Where the HTTP listener binds, or `nil` when it is disabled (YAML
    /// `listen: ""`). Default `127.0.0.1:9464`.
    ///
    /// YAML `metrics.listen` (`host:port`, `[v6-address]:port`), environment
    /// `TWEETD_METRICS_LISTEN`. Port 0 lets the system pick a free port.
    public var listen: ListenAddress?
    /// Seconds between two snapshots published to the metrics exchange;
    /// 0 disables publishing. Default 10, range 0...3600.
    ///
    /// YAML `metrics.publish_interval_seconds`.
    public var publishIntervalSeconds: Int
    /// This instance's name in snapshots (routing key `metrics.<instance>`),
    /// or `nil` for `<hostname>-<pid>`, decided at run time (see
    /// ``effectiveInstance``). Default `nil`.
    ///
    /// YAML `metrics.instance`.
    public var instance: String?

    /// The defaults: listen on `127.0.0.1:9464`, publish every 10 s,
    /// instance named after the host and process.
    public init() {
        self.listen = ListenAddress(host: "127.0.0.1", port: 9464)
        self.publishIntervalSeconds = 10
        self.instance = nil
    }

    /// ``instance``, or `<hostname>-<pid>` when it is not set.
    public var effectiveInstance: String {
        if let instance { return instance }
        let process = ProcessInfo.processInfo
        return "\(process.hostName)-\(process.processIdentifier)"
    }

    /// A TCP address to listen on: port 0...65535 (0: any free port), host `127.0.0.1`, `::1`, `0.0.0.0`…
    public typealias ListenAddress = HostAndPort
}

extension HostAndPort {
    /// Parses a listen address, `host:port` or `[v6-address]:port` (port 0 allowed).
    init(parsingListenAddress text: String, key: String) throws(ConfigurationError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                text[text.index(after: close)...].hasPrefix(":")
            else {
                throw ConfigurationError(
                    key: key,
                    problem: "expected host:port or [address]:port, got \(ConfigurationValue.quoted(text))"
                )
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw ConfigurationError(
                    key: key,
                    problem: "expected host:port or [address]:port, got \(ConfigurationValue.quoted(text))"
                )
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty else {
            throw ConfigurationError(
                key: key,
                problem: "missing host (use 0.0.0.0:\(portPart) to listen on every interface)"
            )
        }
        guard let port = Int(portPart) else {
            throw ConfigurationError(
                key: key,
                problem: "expected a port number after the colon, got \(ConfigurationValue.quoted(String(portPart)))"
            )
        }
        try ConfigurationValue.check(port, in: 0...65535, key: key)
        self.init(host: String(hostPart), port: port)
    }
}
