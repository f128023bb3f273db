/// The broker objects behind one shared budget, named from the budget's name.
///
/// On one node they are classic, non-durable queues: a budget is about the
/// next minute, so after a broker restart every instance declares them again
/// and the refiller starts from empty, which keeps the guarantee. With
/// `topology.queue_type: quorum` they are quorum queues (durable, never
/// auto-deleted, as quorum queues must be), so the tokens, the election and
/// the last cooldown survive the loss of any minority of a cluster's nodes:
/// a non-durable classic queue on a node that dies is gone for everyone, and
/// a refiller on another node would not notice at once that its election
/// queue went with it.
public struct SharedBudgetQueues: Sendable, Equatable {
    /// The topic exchange every instance announces cooldowns on.
    public static let controlExchange = "tweetd.control"
    /// The budget's name.
    public let budget: String
    /// Request tokens, one per request, published by the refiller.
    public var tokens: String { "tweetd.budget.\(budget).tokens" }
    /// Chunks of the tokens-per-minute limit.
    public var chunks: String { "tweetd.budget.\(budget).chunks" }
    /// The election: a single-active-consumer queue holding the baton.
    public var refiller: String { "tweetd.budget.\(budget).refiller" }
    /// The refiller's latest word on the budget (who it is, the cooldown), for status.
    public var status: String { "tweetd.budget.\(budget).status" }
    /// The latest cooldown announcement, kept until it ends (its TTL is its delay).
    public var lastCooldown: String { "tweetd.budget.\(budget).cooldown" }
    /// The routing key of the budget's cooldown announcements.
    public var cooldownKey: String { "cooldown.\(budget)" }

    /// The queues of budget `budget`.
    public init(budget: String) {
        self.budget = budget
    }

    /// How the budget's queues are declared: classic and transient, or replicated.
    public struct Declaration: Sendable, Equatable {
        /// Quorum queues, for a cluster.
        public var replicated: Bool

        /// Classic transient queues, or quorum queues when `replicated`.
        public init(replicated: Bool) {
            self.replicated = replicated
        }

        /// Quorum queues must be durable.
        var durable: Bool { replicated }

        /// `arguments`, plus the queue type when replicated.
        func arguments(_ arguments: [String: FieldValue]) -> [String: FieldValue] {
            replicated ? arguments.merging(["x-queue-type": .string("quorum")]) { $1 } : arguments
        }
    }

    /// Arguments of the token and chunk queues: at most one token waits, the newest.
    ///
    /// A token's lifetime counts from when the broker enqueues it. Tokens the
    /// refiller sent on time but the network or the broker held back (a TCP
    /// stall, a memory alarm) would otherwise land together, each with a full
    /// lifetime, and go out as one burst; with room for one, such a clump
    /// leaves one token. One is enough: a token is due every interval and
    /// lives a fraction of it (at 600 rpm, 60 ms of 102).
    static var bucketArguments: [String: FieldValue] {
        ["x-max-length": .integer(1), "x-overflow": .string("drop-head")]
    }

    /// Arguments of the election queue: one active consumer, at most one baton waiting.
    static var refillerArguments: [String: FieldValue] {
        ["x-single-active-consumer": .bool(true), "x-max-length": .integer(1), "x-overflow": .string("reject-publish")]
    }

    /// Arguments of the status and last-cooldown queues: only the latest message.
    static var latestOnlyArguments: [String: FieldValue] {
        ["x-max-length": .integer(1), "x-overflow": .string("drop-head")]
    }
}
