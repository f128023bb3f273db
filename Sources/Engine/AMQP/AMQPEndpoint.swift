/// Where and how to connect to the broker.
public struct AMQPEndpoint: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
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

    /// Creates an endpoint.
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
        self.host = host
        self.port = port
        self.virtualHost = virtualHost
        self.username = username
        self.password = password
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.tls = tls
    }

    /// `amqp://user@host:port/vhost` without the password, for logs and errors.
    public var redactedDescription: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost == "/" ? "" : virtualHost
        return "\(scheme)://\(username)@\(host):\(port)/\(vhost)"
    }
}
