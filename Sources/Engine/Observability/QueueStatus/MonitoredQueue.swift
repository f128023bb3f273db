/// A queue tweetd reports on, and what it is for.
public struct MonitoredQueue: Sendable, Equatable {
    /// What a queue holds.
    public enum Role: String, Sendable, CaseIterable {
        /// Tweets waiting for the daemon.
        case input
        /// Tweets waiting out a retry delay before they go back to the input.
        case retry
        /// Dead letters waiting for `tweetd replay`.
        case deadLetter = "dead_letter"
        /// Results kept for readers that are not subscribed right now.
        case results
    }

    /// The queue's name.
    public var name: String
    /// What it holds.
    public var role: Role

    /// Creates a monitored queue.
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// Whether its messages are work still to do (input and retry queues), as drain mode counts it.
    public var holdsPendingWork: Bool {
        role == .input || role == .retry
    }
}
