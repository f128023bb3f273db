/// The `broker` section: where RabbitMQ is, how to log in, and how to keep
/// the connection alive.
///
/// YAML gives a URL (`broker.url`); loading splits it into ``host``,
/// ``port``, ``virtualHost``, ``username``, ``password`` and ``useTLS``, then
/// lets ``usernameEnv``, ``passwordEnv`` or ``passwordFile`` replace the
/// URL's credentials. The password is never shown: ``description``,
/// ``redactedURL`` and mirrors (`dump`) replace it with `***`.
public struct BrokerConfiguration: Sendable, Equatable {
    /// The broker's host name or address (IPv6 without brackets).
    /// Default `127.0.0.1`.
    public var host: String
    /// The broker's TCP port. Default 5672 for `amqp://`, 5671 for `amqps://`.
    public var port: Int
    /// The virtual host, percent-decoded (`%2F` is `/`). Default `/`, also
    /// when the URL has no path or just `/`.
    public var virtualHost: String
    /// The user name: from ``usernameEnv`` when set, else the URL's, else
    /// `guest`.
    public var username: String
    /// The password: from ``passwordEnv`` or ``passwordFile`` when set, else
    /// the URL's, else `guest`. Never logged.
    public var password: String
    /// Whether the connection uses TLS (`amqps://`). Default `false`.
    public var useTLS: Bool
    /// An environment variable whose value replaces the URL's user name.
    /// Default `nil`.
    ///
    /// YAML `broker.username_env`.
    public var usernameEnv: String?
    /// An environment variable whose value replaces the URL's password.
    /// Default `nil`.
    ///
    /// YAML `broker.password_env`.
    public var passwordEnv: String?
    /// A file whose content (trimmed) replaces the URL's password. Default
    /// `nil`. Set at most one of ``passwordEnv`` and ``passwordFile``.
    ///
    /// YAML `broker.password_file`.
    public var passwordFile: String?
    /// AMQP heartbeat interval asked of the broker, in seconds. Default 30,
    /// range 1...3600; 0 (no heartbeats) is refused, as a connection the
    /// network dropped silently would then never be noticed.
    ///
    /// YAML `broker.heartbeat_seconds`.
    public var heartbeatSeconds: Int
    /// Seconds allowed to open the TCP connection and log in. Default 10,
    /// range 1...600.
    ///
    /// YAML `broker.connect_timeout_seconds`.
    public var connectTimeoutSeconds: Int
    /// First delay before reconnecting after a lost connection, in
    /// milliseconds; it doubles (with jitter) up to
    /// ``reconnectMaxDelaySeconds``. Default 200, range 1...60000.
    ///
    /// YAML `broker.reconnect_initial_delay_ms`.
    public var reconnectInitialDelayMilliseconds: Int
    /// Longest delay between two reconnection attempts, in seconds.
    /// Default 30, range 1...3600.
    ///
    /// YAML `broker.reconnect_max_delay_seconds`.
    public var reconnectMaxDelaySeconds: Int
    /// TLS settings, used with `amqps://` only.
    ///
    /// YAML `broker.tls`.
    public var tls: TLS

    /// The defaults: `amqp://guest:guest@127.0.0.1:5672/`, heartbeat 30 s,
    /// connect timeout 10 s, reconnect delays 200 ms to 30 s.
    public init() {
        self.host = "127.0.0.1"
        self.port = 5672
        self.virtualHost = "/"
        self.username = "guest"
        self.password = "guest"
        self.useTLS = false
        self.usernameEnv = nil
        self.passwordEnv = nil
        self.passwordFile = nil
        self.heartbeatSeconds = 30
        self.connectTimeoutSeconds = 10
        self.reconnectInitialDelayMilliseconds = 200
        self.reconnectMaxDelaySeconds = 30
        self.tls = TLS()
    }

    /// The defaults, connecting to `url` instead
    /// (`amqp[s]://[user[:password]@]host[:port][/vhost]`).
    ///
    /// - Throws: ``ConfigurationError`` (key `broker.url`) when the URL does
    ///   not parse.
    public init(url: String) throws(ConfigurationError) {
        self.init()
        try setURL(url)
    }

    /// Replaces the endpoint and credentials with those of `url`
    /// (`amqp[s]://[user[:password]@]host[:port][/vhost]`).
    ///
    /// - Throws: ``ConfigurationError`` naming `key` when the URL does not
    ///   parse; the URL itself is not repeated, as it may hold a password.
    public mutating func setURL(_ url: String, key: String = "broker.url") throws(ConfigurationError) {
        let parsed = try ParsedURL(parsing: url, key: key)
        host = parsed.host
        port = parsed.port
        virtualHost = parsed.virtualHost
        username = parsed.username
        password = parsed.password
        useTLS = parsed.useTLS
    }

    /// The connection URL with the password replaced by `***`, for logs:
    /// `amqp://guest:***@127.0.0.1:5672/`.
    public var redactedURL: String {
        ParsedURL.redacted(useTLS: useTLS, host: host, port: port, virtualHost: virtualHost, username: username)
    }

    /// TLS settings for `amqps://` connections.
    public struct TLS: Sendable, Equatable {
        /// PEM file of the certificate authorities trusted to sign the
        /// broker's certificate. Default `nil`; required with `amqps://` while
        /// ``verifyPeer`` is on, because librabbitmq does not load the system
        /// store.
        ///
        /// YAML `broker.tls.ca_file`, environment `TWEETD_BROKER_TLS_CA_FILE`.
        public var caFile: String?
        /// PEM file of tweetd's client certificate, for brokers asking for
        /// one. Default `nil`; needs ``keyFile``.
        ///
        /// YAML `broker.tls.cert_file`.
        public var certFile: String?
        /// PEM file of the client certificate's private key. Default `nil`;
        /// needs ``certFile``.
        ///
        /// YAML `broker.tls.key_file`.
        public var keyFile: String?
        /// Whether the broker's certificate must chain to ``caFile``.
        /// Default `true`.
        ///
        /// YAML `broker.tls.verify_peer`.
        public var verifyPeer: Bool
        /// Whether the broker's certificate must name ``BrokerConfiguration/host``.
        /// Default `true`.
        ///
        /// YAML `broker.tls.verify_hostname`.
        public var verifyHostname: Bool

        /// The defaults: no files, verify the peer and its host name.
        public init() {
            self.caFile = nil
            self.certFile = nil
            self.keyFile = nil
            self.verifyPeer = true
            self.verifyHostname = true
        }
    }
}

extension BrokerConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The redacted URL: `amqp://guest:***@127.0.0.1:5672/`.
    public var description: String { redactedURL }

    /// The redacted URL, as ``description``.
    public var debugDescription: String { redactedURL }

    /// The stored properties with the password replaced by `***`, so that
    /// `dump` and test failure messages never show it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host,
                "port": port,
                "virtualHost": virtualHost,
                "username": username,
                "password": "***",
                "useTLS": useTLS,
                "usernameEnv": usernameEnv as Any,
                "passwordEnv": passwordEnv as Any,
                "passwordFile": passwordFile as Any,
                "heartbeatSeconds": heartbeatSeconds,
                "connectTimeoutSeconds": connectTimeoutSeconds,
                "reconnectInitialDelayMilliseconds": reconnectInitialDelayMilliseconds,
                "reconnectMaxDelaySeconds": reconnectMaxDelaySeconds,
                "tls": tls,
            ],
            displayStyle: .struct
        )
    }
}
