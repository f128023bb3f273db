/// The basic properties of an AMQP message, as Swift values.
public struct MessageProperties: Sendable, Equatable {
    /// MIME type of the body, for example `application/json`.
    public var contentType: String?
    /// Content encoding of the body, for example `gzip`.
    public var contentEncoding: String?
    /// Application headers.
    public var headers: [String: FieldValue]
    /// 2 for persistent, 1 for transient; nil when the publisher left it unset.
    public var deliveryMode: UInt8?
    /// Message priority 0…255; nil when unset.
    public var priority: UInt8?
    /// Correlation id.
    public var correlationId: String?
    /// Reply-to address.
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as a string.
    public var expiration: String?
    /// Application message id.
    public var messageId: String?
    /// Seconds since the epoch when the producer published, if it said.
    public var timestamp: UInt64?
    /// Message type name.
    public var type: String?
    /// Validated user id.
    public var userId: String?
    /// Producing application id.
    public var appId: String?

    /// Creates properties; everything is optional.
    public init(
        contentType: String? = nil,
        contentEncoding: String? = nil,
        headers: [String: FieldValue] = [:],
        deliveryMode: UInt8? = nil,
        priority: UInt8? = nil,
        correlationId: String? = nil,
        replyTo: String? = nil,
        expiration: String? = nil,
        messageId: String? = nil,
        timestamp: UInt64? = nil,
        type: String? = nil,
        userId: String? = nil,
        appId: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationId = correlationId
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageId = messageId
        self.timestamp = timestamp
        self.type = type
        self.userId = userId
        self.appId = appId
    }

    /// Delivery mode for messages that survive a broker restart.
    public static let persistent: UInt8 = 2
}
