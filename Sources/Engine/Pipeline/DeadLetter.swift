import Foundation

/// Builds the dead letter for a message that cannot be processed.
///
/// The original body and properties travel untouched; tweetd only adds its
/// `x-…` headers, so a fixed message can be replayed exactly as it was sent.
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

    /// The longest `x-error-message` tweetd writes.
    static let maximumMessageLength = 1000

    /// The dead letter for `delivery`, to the dead-letter exchange with its original routing key.
    public static func message(
        for delivery: Delivery,
        category: ErrorCategory,
        reason: String,
        attempts: Int,
        provider: String? = nil,
        now: Date,
        topology: TopologyConfiguration
    ) -> OutgoingMessage {
        var properties = delivery.properties
        var headers = properties.headers
        let nowText = Timestamp.rfc3339(now)
        // A message that went through the retry queues keeps where it first came from and when it first failed.
        let originalExchange = headers[Header.originalExchange]?.stringValue ?? delivery.exchange
        let originalRoutingKey = headers[Header.originalRoutingKey]?.stringValue ?? delivery.routingKey
        headers[Header.category] = .string(category.rawValue)
        headers[Header.message] = .string(oneLine(reason))
        headers[Header.attempts] = .integer(Int64(attempts))
        headers[Header.firstFailedAt] = headers[Header.firstFailedAt] ?? .string(nowText)
        headers[Header.lastFailedAt] = .string(nowText)
        headers[Header.originalExchange] = .string(originalExchange)
        headers[Header.originalRoutingKey] = .string(originalRoutingKey)
        if let provider {
            headers[Header.provider] = .string(provider)
        }
        properties.headers = headers
        // Dead letters must survive a broker restart even when the input was transient.
        properties.deliveryMode = MessageProperties.persistent
        return OutgoingMessage(
            exchange: topology.deadLetterExchange,
            routingKey: originalRoutingKey,
            mandatory: true,
            properties: properties,
            body: delivery.body
        )
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
