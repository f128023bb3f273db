import Engine
import Logging

extension PublisherConnection {
    /// A connected publisher for a command-line tool: no reconnects (a tool fails
    /// fast and says why), the topology declared first unless the tool only reads;
    /// a failure to connect is a runtime failure (exit 1).
    static func startedForTool(
        _ configuration: TweetdConfiguration,
        name: String,
        logger: Logger,
        declaringTopology: Bool = true
    ) async throws -> PublisherConnection {
        let topology = configuration.topology
        var declare: (@Sendable (BrokerAdmin) throws(AMQPError) -> Void)?
        if declaringTopology {
            declare = { admin throws(AMQPError) in try topology.declare(using: admin) }
        }
        let publisher = PublisherConnection(endpoint: configuration.endpoint, name: name, logger: logger, onConnect: declare)
        do {
            try await publisher.start()
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
        return publisher
    }
}
