/// A message the broker delivered to tweetd's consumer.
///
/// The delivery tag only means something on the connection that received it;
/// `connectionGeneration` says which one, so an ack for a delivery from a
/// connection that has since died is dropped instead of acking the wrong message.
public struct Delivery: Sendable {
    /// The broker's tag for this delivery on its channel.
    public var deliveryTag: UInt64
    /// Which consumer connection (counting reconnects) received it.
    public var connectionGeneration: UInt64
    /// The queue it was consumed from (or fetched from, for `basic.get`).
    public var queue: String
    /// The tag of the consumer the broker delivered it to: the broker's own name for one
    /// `basic.consume` of ``queue``, new on every (re)registration. Empty for a message
    /// fetched with `basic.get` (``BrokerAdmin/fetch(from:)``), which no consumer received.
    public var consumerTag: String
    /// The exchange it was published to.
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// Whether the broker delivered it before without an ack.
    public var redelivered: Bool
    /// Its properties and headers.
    public var properties: MessageProperties
    /// The body, copied out of librabbitmq's buffers.
    public var body: [UInt8]
    /// When it was received, on the continuous clock, for queue-time statistics.
    public var receivedAt: ContinuousClock.Instant
    /// The size the broker declared for a body too large to read (over the consumer's body
    /// limit): its bytes were read off the wire and dropped, and `body` is empty. Nil normally.
    public var unreadBodyBytes: UInt64?
    /// For a message fetched with `basic.get`: which opening of its channel it came on,
    /// because a tag stops meaning anything once its channel closes, even if the channel number is reopened.
    var channelOpening: UInt64 = 0

    /// Creates a delivery. The connection layer makes one per `basic.deliver` or `basic.get`;
    /// tests and the processing benchmark make their own to drive the pipeline without a
    /// broker, and may leave `consumerTag` empty.
    public init(
        deliveryTag: UInt64,
        connectionGeneration: UInt64,
        queue: String,
        consumerTag: String = "",
        exchange: String,
        routingKey: String,
        redelivered: Bool,
        properties: MessageProperties,
        body: [UInt8],
        receivedAt: ContinuousClock.Instant = .now
    ) {
        self.deliveryTag = deliveryTag
        self.connectionGeneration = connectionGeneration
        self.queue = queue
        self.consumerTag = consumerTag
        self.exchange = exchange
        self.routingKey = routingKey
        self.redelivered = redelivered
        self.properties = properties
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The AMQP priority it arrived with (0 when the producer set none).
    public var priority: Int { Int(properties.priority ?? 0) }
}
