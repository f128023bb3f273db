import Engine
import Foundation

extension OutcomeBuilder {
    /// What the pipeline publishes for `delivery` with the built-in analysis only (no provider chain).
    func process(_ delivery: Delivery, now: Date, startedAt: ContinuousClock.Instant = .now) -> ProcessingOutcome {
        switch prepare(delivery, now: now) {
        case .invalid(let deadLetter):
            return deadLetter
        case .prepared(let prepared):
            return result(for: prepared, enrichment: nil, now: now, startedAt: startedAt)
        }
    }
}

/// The body was not a valid tweet.
struct InvalidTweet: Error {
    var deadLetter: ProcessingOutcome
}

extension Preparation {
    /// The prepared tweet, or a thrown ``InvalidTweet``.
    func get() throws -> PreparedTweet {
        switch self {
        case .prepared(let prepared): return prepared
        case .invalid(let deadLetter): throw InvalidTweet(deadLetter: deadLetter)
        }
    }
}
