import Engine
import Foundation
import Testing

@Suite("Configuration: the nodes of a cluster and the queue type")
struct ConfigurationClusterTests {
    static let threeNodes = """
        broker:
          urls:
            - amqp://app:pw@rabbit-1:5672/prod
            - amqp://app:pw@rabbit-2/prod
            - amqp://app:pw@[fd00::3]:5673/prod
        """

    @Test("broker.urls lists the nodes in order, sharing one set of credentials and a virtual host")
    func urlsListTheNodes() throws {
        let broker = try ConfigurationFixture.load(Self.threeNodes + "\n").broker
        #expect(broker.nodes.map(\.description) == ["rabbit-1:5672", "rabbit-2:5672", "[fd00::3]:5673"])
        #expect(broker.username == "app")
        #expect(broker.password == "pw")
        #expect(broker.virtualHost == "prod")
        #expect(broker.nodeOrder == .random)
        #expect(broker.redactedURLs == [
            "amqp://app:***@rabbit-1:5672/prod", "amqp://app:***@rabbit-2:5672/prod", "amqp://app:***@[fd00::3]:5673/prod",
        ])
        #expect(!"\(broker)".contains("pw"))
    }

    @Test("TWEETD_BROKER_URLS is comma-separated, and a repeated --broker-url arrives as the same list")
    func urlsFromTheEnvironmentAndOverrides() throws {
        let fromEnvironment = try ConfigurationFixture.load(environment: [
            "TWEETD_BROKER_URLS": "amqp://127.0.0.1:5681/, amqp://127.0.0.1:5682/,amqp://127.0.0.1:5683/"
        ])
        #expect(fromEnvironment.broker.nodes.map(\.port) == [5681, 5682, 5683])
        let overridden = try TweetdConfiguration.load(
            yaml: Self.threeNodes, environment: [:], overrides: ["broker.urls": "amqp://app:pw@a/prod,amqp://app:pw@b/prod"]
        )
        #expect(overridden.broker.nodes.map(\.host) == ["a", "b"])
        // broker.url is a cluster of one: the later source replaces the whole list.
        let single = try TweetdConfiguration.load(yaml: Self.threeNodes, environment: [:], overrides: ["broker.url": "amqp://solo/"])
        #expect(single.broker.nodes.map(\.host) == ["solo"])
        #expect(single.broker.virtualHost == "/")
    }

    @Test(
        "nodes that disagree on the scheme, credentials or virtual host, a node listed twice, or no node are refused, naming the item",
        arguments: [
            ("[amqp://a/, amqps://b/]", "broker.urls[1]", "the scheme"),
            ("[amqp://u:p@a/, amqp://u:q@b/]", "broker.urls[1]", "the user name or password"),
            ("[amqp://a/, amqp://b/, amqp://c/other]", "broker.urls[2]", "the virtual host"),
            ("[amqp://a:5672/, amqp://a/]", "broker.urls[1]", "listed twice"),
            ("[]", "broker.urls", "at least one"),
            ("[amqp://a/, \"http://b/\"]", "broker.urls[1]", "not a valid AMQP URL"),
        ]
    )
    func refusesInconsistentNodes(urls: String, key: String, problem: String) throws {
        let error = try #require(ConfigurationFixture.error("broker:\n  urls: \(urls)\n"))
        #expect(error.key == key)
        #expect(error.problem.contains(problem), "\(error)")
        #expect(!error.description.contains(":p@") && !error.description.contains(":q@"))
    }

    @Test("node_order: listed keeps the order; random starts every connection of a process at the same node and goes round")
    func nodeOrder() throws {
        let listed = try ConfigurationFixture.load(Self.threeNodes + "\n  node_order: listed\n")
        #expect(listed.endpoint.nodes.map(\.host) == ["rabbit-1", "rabbit-2", "fd00::3"])

        let random = try ConfigurationFixture.load(Self.threeNodes + "\n")
        let endpoint = random.endpoint
        #expect(endpoint.nodes.count == 3)
        #expect(random.endpoint == endpoint, "one start per process")
        let start = try #require(listed.endpoint.nodes.firstIndex(of: endpoint.nodes[0]))
        #expect(endpoint.nodes == listed.endpoint.rotated(toStartAt: start).nodes, "the listed order, from another start")

        #expect(ConfigurationFixture.error("broker:\n  node_order: nearest\n")?.key == "broker.node_order")
    }

    @Test("an endpoint narrowed to one node keeps the credentials; its description names every node without the password")
    func endpointNodes() throws {
        let endpoint = try ConfigurationFixture.load(Self.threeNodes + "\n  node_order: listed\n").endpoint
        #expect(endpoint.node(at: 4).nodes == [endpoint.nodes[1]])
        #expect(endpoint.node(at: 4).username == "app")
        #expect(endpoint.node(at: 4).virtualHost == "prod")
        #expect(endpoint.redactedDescription == "amqp://app@rabbit-1:5672/prod, amqp://app@rabbit-2:5672/prod, amqp://app@[fd00::3]:5673/prod")
    }

    @Test("queue_type: classic by default; quorum declares replicated input, results and dead-letter queues without x-max-priority")
    func queueType() throws {
        let classic = try ConfigurationFixture.load().topology
        #expect(classic.queueType == .classic)
        #expect(classic.inputQueueArguments["x-max-priority"] == .integer(10))
        #expect(classic.inputQueueArguments["x-queue-type"] == nil)
        #expect(classic.typeArguments.isEmpty)

        let quorum = try ConfigurationFixture.load("topology:\n  queue_type: quorum\n").topology
        #expect(quorum.inputQueueArguments == [
            "x-queue-type": .string("quorum"), "x-dead-letter-exchange": .string("tweets.dead"),
            "x-dead-letter-strategy": .string("at-least-once"), "x-overflow": .string("reject-publish"),
        ])
        #expect(quorum.typeArguments == ["x-queue-type": .string("quorum")])
        #expect(ConfigurationFixture.error("topology:\n  queue_type: stream\n")?.key == "topology.queue_type")
        let description = try ConfigurationFixture.load("topology:\n  queue_type: quorum\n").redactedDescription()
        #expect(description.contains("queue_type: quorum"))
    }

    @Test("one URL under broker.urls is a list of one; a wrong shape is refused without showing the URL, which may hold the password")
    func urlsShapes() throws {
        let one = try ConfigurationFixture.load("broker:\n  urls: amqp://app:s3cret@rabbit-1/\n")
        #expect(one.broker.nodes.map(\.host) == ["rabbit-1"])
        for yaml in ["broker:\n  urls: {a: amqp://app:s3cret@rabbit-1/}\n", "broker:\n  urls: [[amqp://app:s3cret@rabbit-1/]]\n"] {
            let error = try #require(ConfigurationFixture.error(yaml))
            #expect(error.key.hasPrefix("broker.urls"))
            #expect(!error.description.contains("s3cret"), "\(error)")
        }
    }

    @Test("url and urls in one source are refused: which one wins would depend on their order")
    func urlAndURLsTogether() throws {
        let inFile = try #require(ConfigurationFixture.error("broker:\n  url: amqp://a/\n  urls: [amqp://b/]\n"))
        #expect(inFile.key == "broker.urls")
        #expect(inFile.problem.contains("only one"))
        let inEnvironment = try #require(ConfigurationFixture.error(environment: [
            "TWEETD_BROKER_URL": "amqp://a/", "TWEETD_BROKER_URLS": "amqp://b/,amqp://c/",
        ]))
        #expect(inEnvironment.key == "TWEETD_BROKER_URLS")
        // From different sources the later one replaces the list, as for every key.
        let layered = try ConfigurationFixture.load("broker:\n  urls: [amqp://b/, amqp://c/]\n", environment: ["TWEETD_BROKER_URL": "amqp://a/"])
        #expect(layered.broker.nodes.map(\.host) == ["a"])
    }

    @Test("a world-readable file with a password in broker.urls is flagged, as one in broker.url is")
    func passwordInURLsIsFlagged() throws {
        let path = try ConfigurationFixture.temporaryFile("broker:\n  urls:\n    - amqp://app:s3cret@rabbit-1/\n    - amqp://app:s3cret@rabbit-2/\n")
        chmod(path, 0o644)
        let warnings = SecretExposure.warnings(configurationFile: path)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("broker.urls") == true)
        #expect(warnings.first?.contains("s3cret") == false)
    }
}
