/// What a configuration reload changes now, and what only a restart can change.
///
/// Reloaded while running: `log.level`, `processing.workers`,
/// `processing.prefetch`, `processing.chain`, `processing.max_hold_seconds`
/// and everything under `providers` (limits, models, endpoints, keys) but
/// `shared` and `budget_name`, which decide the budgets' broker queues. The
/// broker connection, topology, metrics listener, log format and the other
/// processing settings are fixed for the life of the process.
public struct ReloadPlan: Sendable, Equatable {
    /// Changed settings that the reload applies, as dotted keys.
    public var applied: [String]
    /// Changed settings that keep their old value until the daemon restarts.
    public var needsRestart: [String]

    /// Compares the running configuration with the newly read one, setting by setting.
    public init(from running: TweetdConfiguration, to new: TweetdConfiguration) {
        let before = Dictionary(running.redactedSettings(), uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.redactedSettings(), uniquingKeysWith: { first, _ in first })
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        applied = changed.filter(Self.isReloadable)
        needsRestart = changed.filter { !Self.isReloadable($0) }
    }

    /// True when `key` (dotted) is applied by a reload.
    public static func isReloadable(_ key: String) -> Bool {
        if key.hasPrefix("providers.") {
            return !key.hasSuffix(".shared") && !key.hasSuffix(".budget_name")
        }
        return reloadableKeys.contains(key)
    }

    private static let reloadableKeys: Set<String> = [
        "log.level", "processing.workers", "processing.prefetch", "processing.chain", "processing.max_hold_seconds",
    ]

    /// The configuration to run with: `new` for what a reload applies, `running` for the rest.
    public static func merged(running: TweetdConfiguration, new: TweetdConfiguration) -> TweetdConfiguration {
        var merged = running
        merged.log.level = new.log.level
        merged.processing.workers = new.processing.workers
        merged.processing.prefetch = new.processing.prefetch
        merged.processing.chain = new.processing.chain
        merged.processing.maxHoldSeconds = new.processing.maxHoldSeconds
        merged.providers = new.providers
        // Which budgets are shared is fixed for the life of the process (their queues and election).
        // A shared provider stays shared; one that becomes shared keeps the new value, so that
        // building its chain fails (no budget for it until a restart) and the reload is refused,
        // rather than running it unshared with a whole rpm for each instance.
        for name in new.providers.keys {
            guard let before = running.providers[name], before.shared else { continue }
            merged.providers[name]?.shared = true
            merged.providers[name]?.budgetName = before.budgetName
        }
        return merged
    }
}
