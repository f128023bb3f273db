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

    /// Creates a builder; API keys are read from `environment` (or the files the configuration names).
    public init(environment: [String: String], metrics: TweetdMetrics = .discarding()) {
        self.environment = environment
        self.metrics = metrics
        self.statistics = ProviderCallStatistics(metrics: metrics)
    }

    /// One client and one limiter per LLM provider in `processing.chain`; `builtin` entries need
    /// neither, since the built-in analysis always runs first. A provider this builder has made
    /// a limiter for before (in any earlier chain) keeps that limiter, with the new limit.
    public func build(_ configuration: TweetdConfiguration) throws(ConfigurationError) -> ProviderChain<ContinuousClock> {
        let names = configuration.processing.chain.filter { configuration.providers[$0]?.kind != .builtin }
        var providers: [LimitedProvider<ContinuousClock>] = []
        var limitUpdates: [(RateLimiter<ContinuousClock>, RateLimit)] = []
        for name in names {
            guard let provider = configuration.providers[name] else {
                throw ConfigurationError(key: "processing.chain", problem: "no provider named \(name)")
            }
            let client = try ProviderFactory.make(configuration: provider, environment: environment, transport: sharedTransport())
            let limit = RateLimit(
                requestsPerMinute: provider.rpm,
                burst: provider.burst,
                tokensPerMinute: provider.tpm,
                maxConcurrency: provider.maxConcurrency,
                cooldownInitial: .seconds(provider.cooldownInitialSeconds),
                cooldownMax: .seconds(provider.cooldownMaxSeconds)
            )
            let limiter: RateLimiter<ContinuousClock>
            if let kept = limiters.withLock({ $0[name] }) {
                // Applied only once the whole configuration is accepted.
                limitUpdates.append((kept, limit))
                limiter = kept
            } else {
                limiter = RateLimiter(name: name, limit: limit, clock: ContinuousClock())
            }
            providers.append(LimitedProvider(name: name, client: client, limiter: limiter))
        }
        limiters.withLock { limiters in
            for provider in providers { limiters[provider.name] = provider.limiter }
        }
        for (limiter, limit) in limitUpdates where limiter.limit != limit {
            limiter.updateLimit(limit)
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
