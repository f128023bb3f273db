import Foundation

/// Which dead letters `tweetd replay` moves: by category and by age.
public struct DeadLetterFilter: Sendable, Equatable {
    /// A filter value that names nothing tweetd writes.
    public struct UnknownCategory: Error, Sendable, Equatable, CustomStringConvertible {
        /// The value as given.
        public var name: String

        /// One line listing what is accepted.
        public var description: String {
            "unknown category '\(name)': expected one of " + DeadLetterFilter.knownCategories.joined(separator: ", ")
        }
    }

    /// Categories that match; empty matches every category.
    public var categories: Set<String>
    /// Only dead letters whose `x-last-failed-at` is at least this long ago; nil for any age.
    public var olderThan: Duration?

    /// The `x-error-category` values tweetd writes, and `unknown` for dead letters without one.
    public static let knownCategories = ErrorCategory.allCases.map(\.rawValue) + [DeadLetter.unknownCategory]

    /// Creates a filter; the defaults match everything.
    public init(categories: Set<String> = [], olderThan: Duration? = nil) {
        self.categories = categories
        self.olderThan = olderThan
    }

    /// Reads `--category` values, each one category or a comma-separated list.
    public static func categories(from values: [String]) throws(UnknownCategory) -> Set<String> {
        var categories: Set<String> = []
        for value in values {
            for part in value.split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                guard knownCategories.contains(name) else { throw UnknownCategory(name: name) }
                categories.insert(name)
            }
        }
        return categories
    }

    /// Whether `delivery` (a dead letter) should be replayed at wall-clock time `now`.
    ///
    /// With an age limit, a dead letter without a readable `x-last-failed-at`
    /// does not match: its age is unknown, and replaying is the step that cannot be undone.
    public func matches(_ delivery: Delivery, now: Date) -> Bool {
        if !categories.isEmpty, !categories.contains(DeadLetter.category(of: delivery)) {
            return false
        }
        if let olderThan {
            guard let failedAt = DeadLetter.lastFailedAt(of: delivery) else { return false }
            return now.timeIntervalSince(failedAt) >= olderThan.seconds
        }
        return true
    }
}
