import Foundation

/// Builds the dead letter for a message that cannot be processed.
///
/// The original body and properties travel along; tweetd adds its `x-…` headers
/// and leaves out only what would make the copy expire or be refused, so a fixed
/// message can be replayed as it was sent.
public enum DeadLetter {
    /// Header names of the dead-letter contract.
    public enum Header {
        /// One of `ErrorCategory`'s raw values.
        public static let category = "x-error-category"
        /// What went wrong, one line, never a secret.
        public static let message = "x-error-message"
        /// How many attempts were made.
        public static let attempts = "x-attempts"
        /// When the first attempt failed (RFC 3339).
        public static let firstFailedAt = "x-first-failed-at"
        /// When the last attempt failed (RFC 3339).
        public static let lastFailedAt = "x-last-failed-at"
        /// The exchange the message was first published to.
        public static let originalExchange = "x-original-exchange"
        /// The routing key the message was first published with.
        public static let originalRoutingKey = "x-original-routing-key"
        /// The provider involved, when there was one.
        public static let provider = "x-provider"
    }

    /// The queue the message was consumed from, so a replay can go back to exactly that queue.
    public static let originalQueueHeader = "x-original-queue"

    /// How many of the producer's headers a dead letter or retry had to leave out to fit in one frame.
    public static let droppedHeadersHeader = "x-dropped-headers"

    /// The longest `x-error-message` tweetd writes.
    static let maximumMessageLength = 1000

    /// The largest encoded properties tweetd publishes on a copy of a producer's message.
    ///
    /// A content header must fit in one frame (131,072 bytes as negotiated); a producer's
    /// headers just under that leave no room for tweetd's, so beyond this the producer's
    /// headers are left out rather than have the broker refuse the frame.
    public static let maximumPropertiesBytes = 65_536

    /// Every header tweetd itself writes on a dead letter or a retry; the rest are the producer's.
    public static let ownHeaders: Set<String> = [
        Header.category, Header.message, Header.attempts, Header.firstFailedAt, Header.lastFailedAt,
        Header.originalExchange, Header.originalRoutingKey, Header.provider, originalQueueHeader, droppedHeadersHeader,
        replaysHeader, OutcomeBuilder.holdRetriesHeader, TopologyConfiguration.retryDelayHeader,
    ]

    /// The dead letter for `delivery`, to the dead-letter exchange with its original routing key.
    ///
    /// The producer's properties travel along, except those that would make the copy
    /// vanish or be refused: `expiration` (a dead letter must not expire), `user_id`
    /// (the broker refuses a publish whose user id is not the publishing user's), a direct
    /// reply-to `reply_to` (only the producer's channel may name it), the headers the broker
    /// routes and dead-letters by (`CC`, `BCC`, `x-death`, see ``brokerRoutingHeaders``),
    /// and short strings that no longer fit. Headers tweetd
    /// reads back (`x-attempts`, `x-original-…`, `x-first-failed-at`) are used only
    /// when they are values tweetd could have written.
    public static func message(
        for delivery: Delivery,
        category: ErrorCategory,
        reason: String,
        attempts: Int,
        provider: String? = nil,
        now: Date,
        topology: TopologyConfiguration
    ) -> OutgoingMessage {
        var properties = forwardedProperties(delivery.properties)
        var headers = properties.headers
        let nowText = Timestamp.rfc3339(now)
        // A message that went through the retry queues keeps where it first came from and when it first failed.
        let originalExchange = ProducerHeaders.name(Header.originalExchange, in: headers).value
            ?? (delivery.exchange.utf8.count <= ProducerHeaders.maximumNameBytes ? delivery.exchange : topology.exchange)
        let originalRoutingKey = originalRoutingKey(of: delivery)
        headers[Header.category] = .string(category.rawValue)
        headers[Header.message] = .string(oneLine(reason))
        headers[Header.attempts] = .integer(Int64(attempts))
        headers[Header.firstFailedAt] = .string(ProducerHeaders.timestamp(Header.firstFailedAt, in: headers).value ?? nowText)
        headers[Header.lastFailedAt] = .string(nowText)
        headers[Header.originalExchange] = .string(originalExchange)
        headers[Header.originalRoutingKey] = .string(originalRoutingKey)
        headers[originalQueueHeader] = .string(delivery.queue)
        headers[Header.provider] = provider.map(FieldValue.string)
        headers[droppedHeadersHeader] = nil
        properties.headers = headers
        // Dead letters must survive a broker restart even when the input was transient.
        properties.deliveryMode = MessageProperties.persistent
        return OutgoingMessage(
            exchange: topology.deadLetterExchange,
            routingKey: originalRoutingKey,
            mandatory: true,
            properties: withinFrame(properties),
            body: delivery.body
        )
    }

    /// The routing key the message was first published with: tweetd's `x-original-routing-key`
    /// when it is a usable name, else the delivery's own (when it fits in a short string).
    public static func originalRoutingKey(of delivery: Delivery) -> String {
        if let recorded = ProducerHeaders.name(Header.originalRoutingKey, in: delivery.properties.headers).value {
            return recorded
        }
        return delivery.routingKey.utf8.count <= ProducerHeaders.maximumNameBytes ? delivery.routingKey : ""
    }

    /// The producer's properties as a dead letter or retry carries them (see ``message(for:category:reason:attempts:provider:now:topology:)``).
    static func forwardedProperties(_ original: MessageProperties) -> MessageProperties {
        var properties = original.fittingShortStrings()
        properties.expiration = nil
        properties.userId = nil
        if properties.replyTo?.hasPrefix(directReplyToPrefix) == true {
            // Direct reply-to names the producer's channel; the broker refuses it from any other (406).
            properties.replyTo = nil
        }
        for counter in [replaysHeader, OutcomeBuilder.holdRetriesHeader] {
            if case .ignored = ProducerHeaders.count(counter, in: properties.headers) {
                properties.headers[counter] = nil
            }
        }
        for header in brokerRoutingHeaders {
            properties.headers[header] = nil
        }
        return properties
    }

    /// RabbitMQ's direct reply-to pseudo-queue, which only the channel that consumes it may name.
    static let directReplyToPrefix = "amq.rabbitmq.reply-to"

    /// Headers the broker acts on when it routes or dead-letters a message, dropped from every copy.
    ///
    /// `CC` and `BCC` add routing keys: a retry or replay carrying them would reach other
    /// queues and multiply with every hop. `x-death` and `x-first-death-…`/`x-last-death-…` are
    /// the broker's history: it adds to them when a delay queue dead-letters a retry, and a
    /// producer's copy can crash that code (a string `count`) or make it see a cycle (an entry
    /// naming the input queue) and hold the retry for ever. tweetd never reads them.
    static let brokerRoutingHeaders = [
        "CC", "BCC", "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
        "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason",
    ]

    /// `properties`, without the producer's headers when they would not leave room in one frame.
    static func withinFrame(_ properties: MessageProperties) -> MessageProperties {
        guard properties.encodedSize > maximumPropertiesBytes else { return properties }
        var trimmed = properties
        trimmed.headers = properties.headers.filter { ownHeaders.contains($0.key) }
        let dropped = properties.headers.count - trimmed.headers.count
        trimmed.headers[droppedHeadersHeader] = .integer(Int64(dropped))
        return trimmed
    }

    /// The smallest form of a dead letter or retry: the body and tweetd's own headers, nothing else
    /// of the producer's. Published when the broker refused the full copy, so the message still ends.
    public static func minimal(_ message: OutgoingMessage) -> OutgoingMessage {
        var minimal = message
        let original = message.properties
        var properties = MessageProperties(
            contentType: original.contentType, deliveryMode: MessageProperties.persistent, priority: original.priority,
            messageId: original.messageId, timestamp: original.timestamp
        ).fittingShortStrings()
        properties.headers = original.headers.filter { ownHeaders.contains($0.key) }
        let dropped = original.headers.count - properties.headers.count
        if dropped > 0 {
            properties.headers[droppedHeadersHeader] = .integer(Int64(dropped))
        }
        minimal.properties = properties
        return minimal
    }

    /// Collapses whitespace and control characters and caps the length, so the header reads as one line.
    static func oneLine(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, maximumMessageLength))
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
            if isSpace {
                if !lastWasSpace, !result.isEmpty { result.append(" ") }
                lastWasSpace = true
            } else {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
            if result.unicodeScalars.count >= maximumMessageLength {
                result.append("…")
                break
            }
        }
        return result.trimmingCharacters(in: .whitespaces)
    }
}
