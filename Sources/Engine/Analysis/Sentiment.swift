/// The feeling a tweet expresses, as found by the built-in analysis.
public struct Sentiment: Sendable, Equatable {
    /// The overall verdict.
    public var label: Label
    /// From -1 (entirely negative) to 1 (entirely positive); 0 is neutral or balanced.
    public var score: Double

    /// Creates a sentiment.
    public init(label: Label, score: Double) {
        self.label = label
        self.score = score
    }

    /// No sentiment evidence at all.
    public static let neutral = Sentiment(label: .neutral, score: 0)

    /// The sentiment verdict; the raw value is what results carry on the wire
    /// and in the routing key `<provider>.<sentiment>`.
    public enum Label: String, Sendable {
        /// Clearly favourable (score ≥ 0.25).
        case positive
        /// Clearly unfavourable (score ≤ -0.25).
        case negative
        /// No sentiment worth reporting.
        case neutral
        /// Strong positive and strong negative evidence that cancel out.
        case mixed
    }
}
