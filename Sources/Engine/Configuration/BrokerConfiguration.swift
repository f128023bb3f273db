/// The `broker` section: where RabbitMQ is, how to log in, and how to keep
/// the connection alive.
///
/// YAML gives a URL (`broker.url`), or the nodes of a cluster as a list of
/// URLs (`broker.urls`); loading splits them into ``nodes``, ``virtualHost``,
/// ``username``, ``password`` and ``useTLS``, then lets ``usernameEnv``,
/// ``passwordEnv`` or ``passwordFile`` replace the URLs' credentials. The password is never shown: ``description``,
/// ``redactedURL`` and mirrors (`dump`) replace it with `***`.
public struct BrokerConfiguration: Sendable, Equatable {
    /// The broker's nodes: one for `broker.url`, the cluster's nodes in the
    /// order of `broker.urls`. Never empty. Default `127.0.0.1:5672`.
    public private(set) var nodes: [Node]
    /// In which order tweetd tries ``nodes``. Default ``NodeOrder/random``.
    ///
    /// YAML `broker.node_order`.
    public var nodeOrder: NodeOrder
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
        self.nodes = [Node(host: "127.0.0.1", port: 5672)]
        self.nodeOrder = .random
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
        try setURLs([url], key: key)
    }

    /// Replaces the nodes and credentials with those of `urls`, the nodes of
    /// one cluster.
    ///
    /// - Throws: ``ConfigurationError`` naming `key` (or the item, `key[1]`)
    ///   when a URL does not parse, when the list is empty or names a node
    ///   twice, or when the URLs disagree on the scheme, user, password or
    ///   virtual host: a cluster's nodes share them, and one connection
    ///   failing over to the next must log in the same way.
    public mutating func setURLs(_ urls: [String], key: String = "broker.urls") throws(ConfigurationError) {
        guard let firstURL = urls.first else {
            throw ConfigurationError(key: key, problem: "expected at least one amqp:// or amqps:// URL")
        }
        let first = try ParsedURL(parsing: firstURL, key: urls.count == 1 ? key : "\(key)[0]")
        var parsedNodes = [Node(host: first.host, port: first.port)]
        for (index, url) in urls.enumerated().dropFirst() {
            let itemKey = "\(key)[\(index)]"
            let parsed = try ParsedURL(parsing: url, key: itemKey)
            let disagreement: String? =
                parsed.useTLS != first.useTLS ? "the scheme"
                : parsed.username != first.username || parsed.password != first.password ? "the user name or password"
                : parsed.virtualHost != first.virtualHost ? "the virtual host" : nil
            if let disagreement {
                throw ConfigurationError(
                    key: itemKey,
                    problem: "every URL of a cluster must have the same scheme, credentials and virtual host;"
                        + " this one differs from the first in \(disagreement)"
                )
            }
            let node = Node(host: parsed.host, port: parsed.port)
            guard !parsedNodes.contains(node) else {
                throw ConfigurationError(key: itemKey, problem: "node \(node) is listed twice")
            }
            parsedNodes.append(node)
        }
        nodes = parsedNodes
        virtualHost = first.virtualHost
        username = first.username
        password = first.password
        useTLS = first.useTLS
    }

    /// The first node's host name or address (IPv6 without brackets).
    public var host: String { nodes[0].host }
    /// The first node's TCP port.
    public var port: Int { nodes[0].port }

    /// The first node's URL with the password replaced by `***`, for logs:
    /// `amqp://guest:***@127.0.0.1:5672/`.
    public var redactedURL: String {
        ParsedURL.redacted(useTLS: useTLS, host: host, port: port, virtualHost: virtualHost, username: username)
    }

    /// Every node's URL with the password replaced by `***`, in the
    /// configured order.
    public var redactedURLs: [String] {
        nodes.map { node in
            ParsedURL.redacted(useTLS: useTLS, host: node.host, port: node.port, virtualHost: virtualHost, username: username)
        }
    }

    /// One node of the broker: where to open a connection.
    public typealias Node = HostAndPort

    /// The order in which the nodes are tried.
    public enum NodeOrder: String, Sendable, CaseIterable {
        /// Start at a node picked at random when the process starts, then go
        /// round the list: many instances spread over the cluster.
        case random
        /// Start at the first node listed, then go round the list: every
        /// instance prefers the same node while it is up.
        case listed
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
    /// The redacted URLs, comma-separated: `amqp://guest:***@127.0.0.1:5672/`.
    public var description: String { redactedURLs.joined(separator: ", ") }

    /// The redacted URLs, as ``description``.
    public var debugDescription: String { description }

    /// The stored properties with the password replaced by `***`, so that
    /// `dump` and test failure messages never show it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "nodes": nodes.map(\.description),
                "nodeOrder": nodeOrder,
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
