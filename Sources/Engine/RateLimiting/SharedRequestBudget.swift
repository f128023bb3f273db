/// A provider's request budget shared with other tweetd instances through
/// the broker (`providers.<name>.shared`): a caller takes a token for each
/// request, on top of its own limiter's permit.
public protocol SharedRequestBudget: Sendable {
    /// The budget's name (`budget_name`, or the provider's name).
    var budgetName: String { get }
    /// The time between two tokens: how long waiting for one is worth it
    /// before a caller tries the next provider in its chain.
    var tokenInterval: Duration { get }
    /// Takes a request token, and the chunks of `estimatedTokens` when the
    /// budget has a token limit, waiting at most `patience`; false when they
    /// did not come in time or the task was cancelled. Send the request at
    /// once after a true: the guarantee allows only a network delay between
    /// the two.
    func take(estimatedTokens: Int, patience: Duration) async -> Bool
    /// Tells every instance sharing the budget (this one included) that the
    /// provider asked for a pause of `delay` from now.
    func announceCooldown(_ delay: Duration)
}
