/// Request statistics of one provider, as the drain report shows them.
public struct ProviderRequestStatistics: Sendable, Equatable {
    /// Requests sent (for the built-in analysis: messages analysed).
    public var requests: Int
    /// Requests that gave a usable answer.
    public var ok: Int
    /// Requests that failed for any reason.
    public var failed: Int
    /// Requests the provider refused for the rate (429 and kin).
    public var rateLimited: Int
    /// Average time per request in milliseconds; nil without requests.
    public var averageLatencyMilliseconds: Double?

    /// Creates statistics.
    public init(requests: Int, ok: Int, failed: Int = 0, rateLimited: Int = 0, averageLatencyMilliseconds: Double?) {
        self.requests = requests
        self.ok = ok
        self.failed = failed
        self.rateLimited = rateLimited
        self.averageLatencyMilliseconds = averageLatencyMilliseconds
    }
}
