import Foundation

/// Turning a dead letter back into an input message (`tweetd replay`).
extension DeadLetter {
    /// How many times a message has been replayed; an integer header tweetd adds and increments.
    public static let replaysHeader = "x-replays"

    /// What a dead letter's category reads as when it has no `x-error-category`
    /// (for example a message an operator rejected by hand, which the broker dead-lettered itself).
    public static let unknownCategory = "unknown"

    /// Headers describing the failure; a replayed message starts afresh without them,
    /// so it gets a full set of attempts and, if it fails again, new failure times.
    /// Every other `x-error-…` header goes too.
    public static let failureHeaders: Set<String> = [
        Header.category, Header.message, Header.attempts, Header.firstFailedAt, Header.lastFailedAt, Header.provider,
    ]

    /// The dead letter's `x-error-category`, or `unknown`.
    public static func category(of delivery: Delivery) -> String {
        delivery.properties.headers[Header.category]?.stringValue ?? unknownCategory
    }

    /// When the dead letter last failed (`x-last-failed-at`), if it says.
    public static func lastFailedAt(of delivery: Delivery) -> Date? {
        delivery.properties.headers[Header.lastFailedAt]?.stringValue.flatMap(RFC3339.date(from:))
    }

    /// The input message a dead letter came from, ready to publish again.
    ///
    /// It goes back to the input queue tweetd recorded (`x-original-queue`) when that is one
    /// of the configured input queues, through the default exchange, so it reaches that queue
    /// only; otherwise to the configured input exchange with `x-original-routing-key` (else the
    /// routing key it was dead-lettered with). Never anywhere else: the headers of a dead letter
    /// are the producer's to write too, and a replay must not publish wherever they say.
    /// Body and properties are untouched except `user_id` and `expiration` (see ``message(for:category:reason:attempts:provider:now:topology:)``)
    /// and the headers: the failure headers go, `x-replays` counts one more, and `x-original-…`
    /// stay so a second failure still names where the message first came from.
    public static func replay(_ delivery: Delivery, topology: TopologyConfiguration) -> OutgoingMessage {
        var properties = forwardedProperties(delivery.properties)
        let replays = ProducerHeaders.count(replaysHeader, in: properties.headers).value ?? 0
        let destination: (exchange: String, routingKey: String)
        if let queue = ProducerHeaders.name(originalQueueHeader, in: properties.headers).value, topology.inputQueueNames.contains(queue) {
            destination = ("", queue)
        } else {
            destination = (topology.exchange, originalRoutingKey(of: delivery))
        }
        properties.headers = properties.headers.filter { name, _ in
            !failureHeaders.contains(name) && !name.hasPrefix("x-error-")
        }
        properties.headers[replaysHeader] = .integer(Int64(min(replays, ProducerHeaders.maximumCount - 1) + 1))
        return OutgoingMessage(
            exchange: destination.exchange, routingKey: destination.routingKey, mandatory: true,
            properties: withinFrame(properties), body: delivery.body
        )
    }
}
