/// Where and how to connect to the broker: one node, or the nodes of a
/// cluster, which share the credentials, virtual host and TLS settings.
public struct AMQPEndpoint: Sendable, Equatable {
    /// The nodes, in the order a connection tries them: it opens the first
    /// that answers and, when that connection is lost, goes on to the next.
    /// Never empty.
    public private(set) var nodes: [Address]
    /// The first node's host name or address.
    public var host: String { nodes[0].host }
    /// The first node's TCP port.
    public var port: Int { nodes[0].port }
    /// Virtual host.
    public var virtualHost: String
    /// User name for PLAIN authentication.
    public var username: String
    /// Password for PLAIN authentication.
    public var password: String
    /// Heartbeat interval in seconds (0 disables heartbeats).
    public var heartbeatSeconds: Int
    /// How long opening the socket and logging in may take.
    public var connectTimeoutSeconds: Double
    /// TLS settings; nil for plain TCP.
    public var tls: TLS?

    /// Where one node listens.
    public typealias Address = HostAndPort

    /// TLS settings for `amqps://`.
    public struct TLS: Sendable, Equatable {
        /// PEM file with the CA certificates to trust (librabbitmq does not load the system store).
        public var caFile: String?
        /// PEM client certificate, for mutual TLS.
        public var certFile: String?
        /// PEM client key, for mutual TLS.
        public var keyFile: String?
        /// Whether the broker's certificate chain must verify.
        public var verifyPeer: Bool
        /// Whether the broker's certificate must name the host.
        public var verifyHostname: Bool

        /// Creates TLS settings; verification is on by default.
        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, verifyPeer: Bool = true, verifyHostname: Bool = true) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.verifyPeer = verifyPeer
            self.verifyHostname = verifyHostname
        }
    }

    /// Creates an endpoint for one node.
    public init(
        host: String = "127.0.0.1",
        port: Int = 5672,
        virtualHost: String = "/",
        username: String = "guest",
        password: String = "guest",
        heartbeatSeconds: Int = 30,
        connectTimeoutSeconds: Double = 10,
        tls: TLS? = nil
    ) {
        self.init(
            nodes: [Address(host: host, port: port)], virtualHost: virtualHost, username: username, password: password,
            heartbeatSeconds: heartbeatSeconds, connectTimeoutSeconds: connectTimeoutSeconds, tls: tls
        )
    }

    /// Creates an endpoint for the nodes of a cluster, tried in the order given; `nodes` must not be empty.
    public init(
        nodes: [Address],
        virtualHost: String = "/",
        username: String = "guest",
        password: String = "guest",
        heartbeatSeconds: Int = 30,
        connectTimeoutSeconds: Double = 10,
        tls: TLS? = nil
    ) {
        precondition(!nodes.isEmpty, "an endpoint needs at least one node")
        self.nodes = nodes
        self.virtualHost = virtualHost
        self.username = username
        self.password = password
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.tls = tls
    }

    /// `amqp://user@host:port/vhost` without the password, for logs and errors; the
    /// nodes of a cluster comma-separated.
    public var redactedDescription: String {
        nodes.indices.map { node(at: $0).redactedNodeDescription }.joined(separator: ", ")
    }

    private var redactedNodeDescription: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost == "/" ? "" : virtualHost
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(username)@\(hostPart):\(port)/\(vhost)"
    }

    /// This endpoint narrowed to the node at `index` (modulo the number of nodes): what one
    /// connection attempt opens.
    public func node(at index: Int) -> AMQPEndpoint {
        var single = self
        single.nodes = [nodes[((index % nodes.count) + nodes.count) % nodes.count]]
        return single
    }

    /// The same nodes, starting with the one at `index` (modulo their number) and going round.
    public func rotated(toStartAt index: Int) -> AMQPEndpoint {
        var copy = self
        let start = ((index % nodes.count) + nodes.count) % nodes.count
        copy.nodes = nodes.indices.map { nodes[(start + $0) % nodes.count] }
        return copy
    }
}
