import Engine
import Foundation
import Logging
import Testing

/// The real broker `make test` starts, and a private set of names on it for one test.
///
/// Every test gets its own exchanges and queues (a random prefix), so tests run
/// in parallel on one broker without seeing each other's messages.
struct TestBroker {
    /// Why an integration test cannot run: it fails, loudly, instead of skipping.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    let url: String
    let prefix: String
    /// The test's names; a test may add input queues before it connects.
    var topology: TopologyConfiguration
    let endpoint: AMQPEndpoint
    let logger: Logger

    /// Which broker a test runs on.
    enum Node {
        /// The broker every test shares.
        case shared
        /// A second node that chaos tests may stop and start (`TWEETD_CHAOS_BROKER_URL`).
        case chaos
        /// The private three-node cluster (`TWEETD_CLUSTER_BROKER_URLS`, comma-separated),
        /// whose nodes cluster tests kill and start.
        case cluster

        var urlVariable: String {
            switch self {
            case .shared: "TWEETD_TEST_BROKER_URL"
            case .chaos: "TWEETD_CHAOS_BROKER_URL"
            case .cluster: "TWEETD_CLUSTER_BROKER_URLS"
            }
        }
    }

    /// Reads the broker URL `make test` exports; fails the test when it is missing.
    init(retryDelays: [Int] = [5, 30, 120], node: Node = .shared, queueType: TopologyConfiguration.QueueType = .classic) throws {
        guard let url = ProcessInfo.processInfo.environment[node.urlVariable], !url.isEmpty else {
            throw Missing(description: "\(node.urlVariable) is not set: run the integration tests with `make test`, which starts private RabbitMQ nodes")
        }
        try self.init(url: url, retryDelays: retryDelays)
        topology.queueType = queueType
    }

    /// Every node's URL: one, or the cluster's (``url`` holds them comma-separated).
    var urls: [String] { url.split(separator: ",").map(String.init) }

    /// A broker a test started itself; `settings` are further configuration keys for the
    /// test's own client (`broker.tls.ca_file`).
    init(url: String, settings: [String: String] = [:], retryDelays: [Int] = [5, 30, 120]) throws {
        self.url = url
        prefix = "t" + UUID().uuidString.prefix(8).lowercased()
        var topology = TopologyConfiguration()
        topology.exchange = "\(prefix).tweets"
        topology.queues = [TopologyConfiguration.Queue(name: "\(prefix).in")]
        topology.resultsExchange = "\(prefix).results"
        topology.resultsQueue = "\(prefix).results"
        topology.deadLetterExchange = "\(prefix).dead"
        topology.deadLetterQueue = "\(prefix).dead"
        topology.retryExchange = "\(prefix).retry"
        topology.metricsExchange = "\(prefix).metrics"
        topology.retryDelaysSeconds = retryDelays
        self.topology = topology
        var configuration = try TweetdConfiguration.load(
            yaml: nil, environment: [:], overrides: settings.merging([url.contains(",") ? "broker.urls" : "broker.url": url]) { $1 }
        )
        configuration.broker.heartbeatSeconds = 10
        endpoint = configuration.endpoint
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// The input queue's name.
    var inputQueue: String { topology.queues[0].name }

    /// `host:port` of the broker, for a TCP proxy in front of it.
    func hostAndPort() throws -> String {
        guard let url = URLComponents(string: url), let port = url.port else {
            throw Missing(description: "no host and port in \(url)")
        }
        return "\(url.host ?? "127.0.0.1"):\(port)"
    }

    /// A YAML configuration for a daemon on this test's names.
    ///
    /// `processing` adds keys to the `processing` section, one `key: value` per element.
    func configurationYAML(
        workers: Int,
        prefetch: Int? = nil,
        chain: [String] = ["builtin"],
        maxAttempts: Int = 4,
        maxHoldSeconds: Int = 600,
        logLevel: String = "info",
        logFormat: String = "text",
        processing: [String] = [],
        brokerURL: String? = nil,
        broker: [String] = [],
        metricsIntervalSeconds: Int = 10,
        heartbeatSeconds: Int = 10,
        extra: String = ""
    ) -> String {
        let queuesYAML = topology.queues.map { queue in
            "    - name: \(queue.name)\n      bindings: [\(queue.bindings.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        }.joined()
        let brokerURLs = brokerURL ?? url
        let brokerLocation =
            brokerURLs.contains(",")
            ? "urls: [\(brokerURLs.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", "))]"
            : "url: \"\(brokerURLs)\""
        return """
        broker:
          \(brokerLocation)
          heartbeat_seconds: \(heartbeatSeconds)
        \(broker.map { "  " + $0 + "\n" }.joined())topology:
          exchange: \(topology.exchange)
          queues:
        \(queuesYAML)  results_exchange: \(topology.resultsExchange)
          results_queue: \(topology.resultsQueue!)
          dead_letter_exchange: \(topology.deadLetterExchange)
          dead_letter_queue: \(topology.deadLetterQueue)
          retry_exchange: \(topology.retryExchange)
          metrics_exchange: \(topology.metricsExchange)
          max_priority: \(topology.maxPriority)
          queue_type: \(topology.queueType.rawValue)
          retry_delays_seconds: [\(topology.retryDelaysSeconds.map(String.init).joined(separator: ", "))]
        processing:
          workers: \(workers)
          prefetch: \(prefetch ?? workers)
          shutdown_grace_seconds: 20
          chain: [\(chain.joined(separator: ", "))]
          max_attempts: \(maxAttempts)
          max_hold_seconds: \(maxHoldSeconds)
        \(processing.map { "  " + $0 + "\n" }.joined())log:
          level: \(logLevel)
          format: \(logFormat)
        metrics:
          listen: 127.0.0.1:0
          publish_interval_seconds: \(metricsIntervalSeconds)
        \(extra)
        """
    }

    /// A connected publisher for the test's own use (declaring, publishing, reading).
    func connect() async throws -> PublisherConnection {
        let topology = self.topology
        let publisher = PublisherConnection(
            endpoint: endpoint, name: "test", logger: logger,
            onConnect: { admin throws(AMQPError) in try topology.declare(using: admin) }
        )
        try await publisher.start()
        return publisher
    }

    /// Publishes bodies to the input exchange, confirmed, with the given priorities and message ids.
    func publish(_ bodies: [[UInt8]], priorities: [Int]? = nil, messageIDs: [String]? = nil, with publisher: PublisherConnection) async throws {
        let topology = self.topology
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, body) in bodies.enumerated() {
                let message = OutgoingMessage(
                    exchange: topology.exchange,
                    routingKey: "tweet",
                    properties: MessageProperties(
                        contentType: "application/json",
                        deliveryMode: MessageProperties.persistent,
                        priority: priorities.map { UInt8($0[index]) },
                        messageId: messageIDs?[index]
                    ),
                    body: body
                )
                group.addTask { try await publisher.publish(message) }
                if index >= 500 { _ = try await group.next() }
            }
            try await group.waitForAll()
        }
    }

    /// Takes every message waiting in `queue`, in queue order.
    func takeAll(from queue: String, with publisher: PublisherConnection) async throws -> [Delivery] {
        try await publisher.perform { admin throws(AMQPError) in
            var deliveries: [Delivery] = []
            while let delivery = try admin.take(from: queue) {
                deliveries.append(delivery)
            }
            return deliveries
        }
    }

    /// Every message waiting in `queue`, in queue order, left in the queue: fetched without ack, then requeued.
    func peek(_ queue: String, with publisher: PublisherConnection) async throws -> [Delivery] {
        try await publisher.perform { admin throws(AMQPError) in
            var deliveries: [Delivery] = []
            while let delivery = try admin.fetch(from: queue) {
                deliveries.append(delivery)
            }
            for delivery in deliveries {
                try admin.requeue(delivery)
            }
            return deliveries
        }
    }

    /// Publishes a dead letter by hand, as a provider failure would have left it, straight to the dead-letter exchange.
    func publishDeadLetter(id: String, category: String, message: String, failedAt: Date = Date(), with publisher: PublisherConnection) async throws {
        let stamp = Timestamp.rfc3339(failedAt)
        try await publisher.publish(OutgoingMessage(
            exchange: topology.deadLetterExchange,
            routingKey: "tweet",
            properties: MessageProperties(
                contentType: "application/json",
                headers: [
                    "x-error-category": .string(category), "x-error-message": .string(message), "x-attempts": .integer(4),
                    "x-first-failed-at": .string(stamp), "x-last-failed-at": .string(stamp), "x-provider": .string("openai"),
                    "x-original-exchange": .string(topology.exchange), "x-original-routing-key": .string("tweet"),
                ],
                deliveryMode: MessageProperties.persistent,
                messageId: id
            ),
            body: tweetBody(id: id, text: "a tweet the provider could not analyse")
        ))
    }

    /// Ready messages and consumers of `queue`.
    func inspect(_ queue: String, with publisher: PublisherConnection) async throws -> QueueState {
        try await publisher.perform { admin throws(AMQPError) in try admin.inspectQueue(queue) }
    }

    /// Deletes this test's queues and exchanges.
    func cleanUp(with publisher: PublisherConnection) async {
        let topology = self.topology
        _ = try? await publisher.perform { admin throws(AMQPError) in
            for queue in topology.queues.map(\.name) + topology.retryQueues + [topology.deadLetterQueue, topology.resultsQueue!] {
                _ = try? admin.deleteQueue(queue)
            }
            for exchange in [topology.exchange, topology.resultsExchange, topology.deadLetterExchange, topology.retryExchange, topology.metricsExchange] {
                try? admin.deleteExchange(exchange)
            }
        }
        await publisher.close()
    }
}

/// A JSON tweet body for tests.
func tweetBody(id: String, text: String, extra: String = "") -> [UInt8] {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return Array("{\"id\":\"\(id)\",\"text\":\"\(escaped)\"\(extra.isEmpty ? "" : "," + extra)}".utf8)
}

/// Parses a result body into a dictionary.
func resultJSON(_ delivery: Delivery) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(delivery.body))
    return try #require(object as? [String: Any])
}

extension TestBroker {
    /// Runs `body` with a fresh set of names and a connected client, and deletes the names afterwards.
    static func with(
        retryDelays: [Int] = [5, 30, 120],
        node: Node = .shared,
        queueType: TopologyConfiguration.QueueType = .classic,
        _ body: (TestBroker, PublisherConnection) async throws -> Void
    ) async throws {
        try await with(try TestBroker(retryDelays: retryDelays, node: node, queueType: queueType), body)
    }

    /// Runs `body` with `broker`'s names and a connected client, and deletes the names afterwards.
    static func with(_ broker: TestBroker, _ body: (TestBroker, PublisherConnection) async throws -> Void) async throws {
        let client = try await broker.connect()
        do {
            try await body(broker, client)
        } catch {
            await broker.cleanUp(with: client)
            throw error
        }
        await broker.cleanUp(with: client)
    }
}
