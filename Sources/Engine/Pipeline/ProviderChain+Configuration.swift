import Foundation
import Synchronization

/// Builds the configured `processing.chain`, at start and again on every reload.
///
/// Every chain it builds shares one HTTP client, one set of request
/// statistics, and the limiter of each provider that stays in the chain: a
/// reload changes the limits but not the history of requests already made,
/// so a provider never sees more than its limit across a reload.
public final class ProviderChainBuilder: Sendable {
    private let environment: [String: String]
    private let metrics: TweetdMetrics
    private let statistics: ProviderCallStatistics
    /// Made with the first chain that calls a provider, so a `[builtin]` run starts no HTTP client.
    private let transport = Mutex<AsyncHTTPClientTransport?>(nil)
    /// Every limiter made so far, by provider name: a provider dropped by one reload and brought
    /// back by a later one gets its old limiter, whose windows still hold its recent requests.
    private let limiters = Mutex<[String: RateLimiter<ContinuousClock>]>([:])
    private let sharedBudgets: SharedBudgetService?

    /// Creates a builder; API keys are read from `environment` (or the files the configuration names).
    /// Providers with `shared: true` take from the budgets of `sharedBudgets`.
    public init(environment: [String: String], metrics: TweetdMetrics = .discarding(), sharedBudgets: SharedBudgetService? = nil) {
        self.environment = environment
        self.metrics = metrics
        self.statistics = ProviderCallStatistics(metrics: metrics)
        self.sharedBudgets = sharedBudgets
    }

    /// The budgets `configuration` shares: one per budget name of the shared
    /// providers in its chain, in chain order.
    public static func sharedBudgetDefinitions(_ configuration: TweetdConfiguration) -> [SharedBudgetDefinition] {
        var definitions: [SharedBudgetDefinition] = []
        for name in configuration.processing.chain {
            guard let provider = configuration.providers[name], provider.shared, provider.kind != .builtin else { continue }
            let budget = provider.effectiveBudgetName
            if let index = definitions.firstIndex(where: { $0.name == budget }) {
                if !definitions[index].providers.contains(name) { definitions[index].providers.append(name) }
                continue
            }
            definitions.append(SharedBudgetDefinition(name: budget, providers: [name], plan: SharedBudgetPlan(limit: limit(of: provider))))
        }
        return definitions
    }

    /// The limit of one provider, as its limiter enforces it.
    static func limit(of provider: ProviderConfiguration) -> RateLimit {
        RateLimit(
            requestsPerMinute: provider.rpm,
            burst: provider.burst,
            tokensPerMinute: provider.tpm,
            maxConcurrency: provider.maxConcurrency,
            cooldownInitial: .seconds(provider.cooldownInitialSeconds),
            cooldownMax: .seconds(provider.cooldownMaxSeconds)
        )
    }

    /// One client and one limiter per LLM provider in `processing.chain`; `builtin` entries need
    /// neither, since the built-in analysis always runs first. A provider this builder has made
    /// a limiter for before (in any earlier chain) keeps that limiter, with the new limit.
    public func build(_ configuration: TweetdConfiguration) throws(ConfigurationError) -> ProviderChain<ContinuousClock> {
        let names = configuration.processing.chain.filter { configuration.providers[$0]?.kind != .builtin }
        var providers: [LimitedProvider<ContinuousClock>] = []
        var limitUpdates: [(RateLimiter<ContinuousClock>, RateLimit)] = []
        var budgetUpdates: [(SharedBudgetHandle, SharedBudgetPlan)] = []
        var newListeners: [(SharedBudgetHandle, RateLimiter<ContinuousClock>)] = []
        for name in names {
            guard let provider = configuration.providers[name] else {
                throw ConfigurationError(key: "processing.chain", problem: "no provider named \(name)")
            }
            var limit = Self.limit(of: provider)
            var budget: SharedBudgetHandle?
            if provider.shared {
                // Checked before any client is made: a refused configuration leaves nothing to shut down.
                guard let shared = sharedBudgets?.budget(named: provider.effectiveBudgetName) else {
                    throw ConfigurationError(
                        key: "providers.\(name).shared",
                        problem: "this process has no connection for this shared budget: shared providers take effect at a restart"
                    )
                }
                budget = shared
                // The broker's tokens keep the rates; this limiter keeps the concurrency and cooldowns,
                // and its windows, at twice the limits, only back the budget up. At the same limits they
                // would bind below the budget's own rate: a permit is counted when it is granted, up to
                // two token intervals before its token comes. Tokens per minute are the budget's chunks
                // alone: a reservation here would count every request twice.
                limit.requestsPerMinute = provider.rpm * 2
                limit.burst = provider.burst * 2
                limit.tokensPerMinute = nil
                budgetUpdates.append((shared, SharedBudgetPlan(limit: Self.limit(of: provider))))
            }
            let client = try ProviderFactory.make(configuration: provider, environment: environment, transport: sharedTransport())
            let limiter: RateLimiter<ContinuousClock>
            if let kept = limiters.withLock({ $0[name] }) {
                // Applied only once the whole configuration is accepted.
                limitUpdates.append((kept, limit))
                limiter = kept
            } else {
                limiter = RateLimiter(name: name, limit: limit, clock: ContinuousClock())
                if let budget { newListeners.append((budget, limiter)) }
            }
            providers.append(LimitedProvider(name: name, client: client, limiter: limiter, budget: budget))
        }
        limiters.withLock { limiters in
            for provider in providers { limiters[provider.name] = provider.limiter }
        }
        for (limiter, limit) in limitUpdates where limiter.limit != limit {
            limiter.updateLimit(limit)
        }
        for (budget, plan) in budgetUpdates where budget.plan != plan {
            budget.updatePlan(plan)
        }
        // Only now that the whole configuration is accepted: a limiter of a refused one hears nothing.
        for (budget, limiter) in newListeners {
            budget.onCooldown { until in limiter.holdOff(until: until) }
        }
        metrics.register(providers: names)
        return ProviderChain(
            providers: providers, maxHold: .seconds(configuration.processing.maxHoldSeconds),
            metrics: metrics, statistics: statistics
        )
    }

    /// Releases the HTTP client; call once no chain is in use any more.
    public func shutdown() async {
        let transport = transport.withLock { transport in
            defer { transport = nil }
            return transport
        }
        await transport?.shutdown()
    }

    private func sharedTransport() -> AsyncHTTPClientTransport {
        transport.withLock { transport in
            if let transport { return transport }
            let made = AsyncHTTPClientTransport()
            transport = made
            return made
        }
    }
}
