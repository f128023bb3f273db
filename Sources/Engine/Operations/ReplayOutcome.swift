/// What one `tweetd replay` pass did, or in a dry run would do.
public struct ReplayOutcome: Sendable, Equatable {
    /// A dead letter shown to the operator in a dry run.
    public struct Sample: Sendable, Equatable {
        /// The message id, else the tweet id in the body, else `-`.
        public var id: String
        /// Its `x-error-category` (or `unknown`).
        public var category: String
        /// Its `x-error-message` (or empty).
        public var message: String

        /// Creates a sample.
        public init(id: String, category: String, message: String) {
            self.id = id
            self.category = category
            self.message = message
        }
    }

    /// Whether this was a dry run, which moves nothing.
    public var dryRun: Bool
    /// The dead-letter queue's name.
    public var queue: String
    /// Ready messages in the dead-letter queue when the pass began; the pass looks at no more than these.
    public var deadLettersAtStart = 0
    /// Dead letters looked at, by category.
    public var examinedByCategory: [String: Int] = [:]
    /// Dead letters that matched the filters within the limit, by category: moved, or to be moved in a dry run.
    public var selectedByCategory: [String: Int] = [:]
    /// Dead letters republished, confirmed and acked off the dead-letter queue, by category.
    public var replayedByCategory: [String: Int] = [:]
    /// Dead letters looked at that did not match the filters; they stay.
    public var unmatched = 0
    /// Dead letters looked at after `--limit` was reached; they stay.
    public var beyondLimit = 0
    /// Selected dead letters whose republish the broker refused; they stay in the dead-letter queue.
    public var failed = 0
    /// Why the first refused republish failed.
    public var firstFailure: String?
    /// The error that ended the pass early; whatever was not acked is back in the dead-letter queue.
    public var interruption: String?
    /// The first few selected dead letters, for a dry run.
    public var samples: [Sample] = []

    /// Creates an empty outcome.
    public init(dryRun: Bool, queue: String) {
        self.dryRun = dryRun
        self.queue = queue
    }

    /// Dead letters looked at.
    public var examined: Int { examinedByCategory.values.reduce(0, +) }
    /// Dead letters that matched the filters within the limit.
    public var selected: Int { selectedByCategory.values.reduce(0, +) }
    /// Dead letters moved back to the input.
    public var replayed: Int { replayedByCategory.values.reduce(0, +) }
    /// Whether everything selected was moved (or, in a dry run, whether the pass completed).
    public var succeeded: Bool { failed == 0 && interruption == nil }

    /// What the operator reads: one headline, then what stayed behind and why.
    public var summary: String {
        var lines: [String] = []
        if dryRun {
            lines.append("dry run: would replay \(selected) of \(deadLettersAtStart) dead letters\(Self.byCategory(selectedByCategory)); nothing was moved")
            if !examinedByCategory.isEmpty {
                lines.append("  examined \(examined) in \(queue)\(Self.byCategory(examinedByCategory))")
            }
            if !samples.isEmpty {
                lines.append("  samples:")
                for sample in samples {
                    lines.append("    \(sample.id)  \(sample.category)  \(sample.message)")
                }
            }
        } else {
            lines.append("replayed \(replayed) of \(deadLettersAtStart) dead letters\(Self.byCategory(replayedByCategory))")
            if unmatched > 0 {
                lines.append("  \(unmatched) did not match the filters and stay in \(queue)")
            }
            if beyondLimit > 0 {
                lines.append("  \(beyondLimit) beyond the limit stay in \(queue)")
            }
            if failed > 0 {
                lines.append("  \(failed) could not be republished and stay in \(queue): \(firstFailure ?? "unknown error")")
            }
        }
        if let interruption {
            lines.append("  stopped early: \(interruption); every message not yet acked is back in \(queue)")
        }
        return lines.joined(separator: "\n")
    }

    /// ` (by category: a=1, b=2)`, most frequent first, or nothing when empty.
    static func byCategory(_ counts: [String: Int]) -> String {
        guard !counts.isEmpty else { return "" }
        let parts = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key)=\($0.value)" }
        return " (by category: " + parts.joined(separator: ", ") + ")"
    }
}
