import Foundation

extension ProviderChain where C == ContinuousClock {
    /// Builds the configured `processing.chain`: one client and one limiter per LLM provider;
    /// `builtin` entries need neither, since the built-in analysis always runs first.
    public static func make(
        configuration: TweetdConfiguration,
        environment: [String: String],
        metrics: TweetdMetrics = .discarding()
    ) async throws(ConfigurationError) -> ProviderChain<ContinuousClock> {
        let names = configuration.processing.chain.filter { configuration.providers[$0]?.kind != .builtin }
        guard !names.isEmpty else {
            return ProviderChain(providers: [], maxHold: .seconds(configuration.processing.maxHoldSeconds), metrics: metrics)
        }
        let transport = AsyncHTTPClientTransport()
        var providers: [LimitedProvider<ContinuousClock>] = []
        do throws(ConfigurationError) {
            for name in names {
                guard let provider = configuration.providers[name] else {
                    throw ConfigurationError(key: "processing.chain", problem: "no provider named \(name)")
                }
                let client = try ProviderFactory.make(configuration: provider, environment: environment, transport: transport)
                let limit = RateLimit(
                    requestsPerMinute: provider.rpm,
                    burst: provider.burst,
                    tokensPerMinute: provider.tpm,
                    maxConcurrency: provider.maxConcurrency,
                    cooldownInitial: .seconds(provider.cooldownInitialSeconds),
                    cooldownMax: .seconds(provider.cooldownMaxSeconds)
                )
                providers.append(LimitedProvider(
                    name: name, client: client, limiter: RateLimiter(name: name, limit: limit, clock: ContinuousClock())
                ))
            }
        } catch {
            // The HTTP client must be shut down even when the configuration is refused.
            await transport.shutdown()
            throw error
        }
        return ProviderChain(
            providers: providers,
            maxHold: .seconds(configuration.processing.maxHoldSeconds),
            metrics: metrics,
            shutdownTransport: { await transport.shutdown() }
        )
    }
}
