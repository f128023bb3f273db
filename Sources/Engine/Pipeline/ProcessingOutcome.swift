/// What became of one delivery: the message to publish before the delivery may be acked.
public struct ProcessingOutcome: Sendable {
    /// How the delivery was settled.
    public enum Kind: Sendable, Equatable {
        /// A result from `provider`.
        case result(provider: String)
        /// A dead letter of `category`.
        case deadLetter(ErrorCategory, reason: String)
        /// Sent to a delay queue to be tried again; `countsAttempt` is false when only a limiter kept it waiting.
        case retry(ErrorCategory, reason: String, countsAttempt: Bool)
    }

    /// How the delivery was settled.
    public var kind: Kind
    /// The result, dead letter or retry to publish and have confirmed.
    public var message: OutgoingMessage
    /// The tweet's id, when the body got far enough to have one.
    public var tweetID: String?

    /// Whether the message is a copy of the producer's (a dead letter or a retry), with its properties.
    public var copiesProducerProperties: Bool {
        if case .result = kind { return false }
        return true
    }

    /// The provider that answered, or the one a dead letter or retry names in `x-provider`.
    public var provider: String? {
        if case .result(let provider) = kind { return provider }
        return message.properties.headers[DeadLetter.Header.provider]?.stringValue
    }
}
