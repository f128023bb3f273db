/// A message tweetd publishes: a result, a dead letter, a retry or a snapshot.
public struct OutgoingMessage: Sendable {
    /// The exchange to publish to ("" is the default exchange).
    public var exchange: String
    /// The routing key.
    public var routingKey: String
    /// When true the broker returns the message if no queue takes it, and the publish fails.
    public var mandatory: Bool
    /// Properties and headers.
    public var properties: MessageProperties
    /// The body.
    public var body: [UInt8]

    /// Creates an outgoing message.
    public init(exchange: String, routingKey: String, mandatory: Bool = true, properties: MessageProperties = MessageProperties(), body: [UInt8]) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.mandatory = mandatory
        self.properties = properties
        self.body = body
    }
}
