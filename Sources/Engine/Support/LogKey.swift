import Logging

/// The metadata keys tweetd's logs use, in one place so they stay consistent.
public enum LogKey {
    /// The tweet's id.
    public static let tweetID = "tweet.id"
    /// The delivery tag on the consumer channel.
    public static let deliveryTag = "amqp.delivery_tag"
    /// The queue a message came from.
    public static let queue = "amqp.queue"
    /// Which connection (consumer or publisher).
    public static let amqpConnection = "amqp.connection"
    /// The broker node a connection opened or will try next (`amqp://user@host:port/`).
    public static let brokerNode = "amqp.node"
    /// The broker node the next connection attempt will open.
    public static let nextBrokerNode = "amqp.next_node"
    /// The worker number.
    public static let worker = "worker"
    /// The provider's name.
    public static let provider = "provider"
    /// The attempt number.
    public static let attempt = "attempt"
    /// An error category from the wire contract.
    public static let errorCategory = "error.category"
    /// An error's text.
    public static let error = "error"
    /// A shared provider budget's name.
    public static let budget = "budget"
    /// Why something happened, in words.
    public static let reason = "reason"
}
