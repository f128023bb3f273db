/// A host and a TCP port: a broker node to connect to, or an address to listen on.
public struct HostAndPort: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address, without brackets for IPv6 (`127.0.0.1`, `::1`, `rabbit-1`).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
