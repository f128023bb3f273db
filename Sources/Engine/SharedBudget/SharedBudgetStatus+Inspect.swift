extension SharedBudgetStatus {
    /// Reads a shared budget from outside, as `tweetd status` does: the
    /// instances in its election, the tokens waiting, and the refiller's
    /// latest word (who it is, the cooldown it keeps). Changes nothing: the
    /// refiller's word is fetched and put back, and a budget no instance has
    /// declared yet reads as empty.
    public static func inspect(_ definition: SharedBudgetDefinition, with admin: BrokerAdmin) throws(AMQPError) -> SharedBudgetStatus {
        let queues = SharedBudgetQueues(budget: definition.name)
        var status = SharedBudgetStatus(
            budget: definition.name, providers: definition.providers, isRefiller: false, refiller: nil,
            instances: nil, tokensAvailable: nil, cooldownSeconds: 0,
            sustainedRequestsPerMinute: definition.plan.sustainedRequestsPerMinute, connected: true
        )
        status.tokensAvailable = try missingAsNil { () throws(AMQPError) in try admin.inspectQueue(queues.tokens).messages }
        status.instances = try missingAsNil { () throws(AMQPError) in try admin.inspectQueue(queues.refiller).consumers }
        let word = try missingAsNil { () throws(AMQPError) in try admin.fetch(from: queues.status) }
        if let word = word ?? nil {
            try admin.requeue(word)
            status.refiller = word.properties.headers["x-refiller"]?.stringValue
            status.cooldownSeconds = Double(word.properties.headers["x-cooldown-ms"]?.integerValue ?? 0) / 1000
        }
        return status
    }

    /// The value, or nil when the queue does not exist (404).
    private static func missingAsNil<Value>(_ read: () throws(AMQPError) -> Value) throws(AMQPError) -> Value? {
        do {
            return try read()
        } catch where error.replyCode == 404 {
            return nil
        }
    }
}
