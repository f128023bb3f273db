/// One shared budget as this instance sees it, for `tweetd status`, the
/// dashboard and metrics.
public struct SharedBudgetStatus: Sendable, Equatable {
    /// The budget's name.
    public var budget: String
    /// The providers of this instance that take from it.
    public var providers: [String]
    /// Whether this instance is the refiller right now.
    public var isRefiller: Bool
    /// Who refills the budget ("host:pid"), from the refiller's latest word; nil when none was heard recently.
    public var refiller: String?
    /// Instances taking from the budget: the consumers of its election queue.
    public var instances: Int?
    /// Request tokens waiting in the bucket queue.
    public var tokensAvailable: Int?
    /// Seconds of cooldown left, 0 when none.
    public var cooldownSeconds: Double
    /// The requests per minute the budget sustains when every token is used.
    public var sustainedRequestsPerMinute: Double
    /// Whether this instance's budget connection is open.
    public var connected: Bool

    /// Creates a status.
    public init(
        budget: String, providers: [String], isRefiller: Bool, refiller: String?, instances: Int?,
        tokensAvailable: Int?, cooldownSeconds: Double, sustainedRequestsPerMinute: Double, connected: Bool
    ) {
        self.budget = budget
        self.providers = providers
        self.isRefiller = isRefiller
        self.refiller = refiller
        self.instances = instances
        self.tokensAvailable = tokensAvailable
        self.cooldownSeconds = cooldownSeconds
        self.sustainedRequestsPerMinute = sustainedRequestsPerMinute
        self.connected = connected
    }
}
