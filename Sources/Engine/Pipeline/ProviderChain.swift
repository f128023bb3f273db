import Foundation
import Logging

/// One LLM provider behind its own rate limiter.
public struct LimitedProvider<C: Clock>: Sendable where C.Duration == Duration {
    /// The provider's configured name.
    public var name: String
    /// The client that speaks its wire format.
    public var client: any LLMProvider
    /// Its limiter, shared by every worker.
    public var limiter: RateLimiter<C>
    /// The budget it shares with other instances (`shared: true`), taken from
    /// after the limiter's permit; nil for limits of this instance alone.
    public var budget: (any SharedRequestBudget)?

    /// Creates an entry.
    public init(name: String, client: any LLMProvider, limiter: RateLimiter<C>, budget: (any SharedRequestBudget)? = nil) {
        self.name = name
        self.client = client
        self.limiter = limiter
        self.budget = budget
    }
}

/// The `processing.chain` of LLM providers: the first that can answer does.
///
/// A provider that is cooling down or out of budget is skipped at once in
/// favour of the next one; a provider that fails is not asked again in the
/// same attempt. When every provider is only waiting for its limiter, the
/// worker waits for the earliest one, but never past the message's hold
/// deadline (`processing.max_hold_seconds` after it was delivered), so the
/// broker's consumer timeout never fires; the message then goes to a retry
/// queue without using an attempt.
///
/// Generic over its clock so that tests drive cooldowns and waits with a
/// manual clock; the daemon uses ``ContinuousClock``.
public final class ProviderChain<C: Clock>: Sendable where C.Duration == Duration {
    /// The providers, in chain order.
    public let providers: [LimitedProvider<C>]
    /// The longest a delivery may wait for limiters before it goes to a retry queue.
    public let maxHold: Duration
    /// Every request the chain made, by provider.
    public let statistics: ProviderCallStatistics
    private let metrics: TweetdMetrics
    private let clock: C
    private let retirement = ChainRetirement()

    /// How long a quota-exhausted provider is left alone before it is asked again.
    static var quotaPause: Duration { .seconds(3600) }

    /// Creates a chain; `statistics` carries the request counts over from the chain this one replaces.
    public init(
        providers: [LimitedProvider<C>],
        maxHold: Duration,
        clock: C,
        metrics: TweetdMetrics = .discarding(),
        statistics: ProviderCallStatistics? = nil
    ) {
        self.providers = providers
        self.maxHold = maxHold
        self.clock = clock
        self.metrics = metrics
        self.statistics = statistics ?? ProviderCallStatistics(metrics: metrics)
    }

    /// True for the default chain `[builtin]`: nothing to call.
    public var isEmpty: Bool { providers.isEmpty }

    /// Marks the chain as replaced by a configuration reload: callers waiting
    /// for a limiter stop waiting and get ``EnrichmentOutcome/superseded`` so they
    /// can ask the new chain; requests already sent finish here.
    public func retire() {
        retirement.retire()
    }

    private enum ProviderState {
        case available(outputInvalidAnswers: Int)
        case failed(ErrorCategory, String)
        case rejected(String)
    }

    /// Asks `entry` for its analysis, giving up at `deadline`.
    ///
    /// A delivery is held (unacked) for at most `processing.max_hold_seconds`; a call that
    /// started late in that time must not run past it, or chained calls with long timeouts
    /// could hold the delivery past the broker's `consumer_timeout`, which closes the channel
    /// and redelivers everything on it. A call cut off counts as the provider's failure.
    static func analyze(
        _ request: ProviderRequest, with entry: LimitedProvider<C>, before deadline: C.Instant, clock: C
    ) async throws(ProviderError) -> ProviderAnswer {
        let client = entry.client
        // The usual case: the call's own timeout ends it before the deadline, no race needed.
        if clock.now.advanced(by: .seconds(client.configuration.timeoutSeconds)) <= deadline {
            return try await client.analyze(request)
        }
        let outcome: Result<ProviderAnswer, ProviderError>? = await withTaskGroup(of: Result<ProviderAnswer, ProviderError>?.self) { group in
            group.addTask {
                do throws(ProviderError) {
                    return .success(try await client.analyze(request))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await clock.sleep(until: deadline, tolerance: nil)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let outcome else {
            throw ProviderError(kind: .transient, provider: entry.name, message: "no answer before the delivery's hold deadline (processing.max_hold_seconds)")
        }
        return try outcome.get()
    }

    /// Asks the providers in order until one answers, for one attempt at `prepared`;
    /// waits for limiters no later than `holdDeadline`.
    public func enrich(_ prepared: PreparedTweet, holdDeadline deadline: C.Instant, logger: Logger) async -> EnrichmentOutcome {
        let request = ProviderRequest(tweet: prepared.tweet, builtin: prepared.analysis)
        var states = [ProviderState](repeating: .available(outputInvalidAnswers: 0), count: providers.count)
        var lastFailure: (category: ErrorCategory, reason: String, provider: String)?
        // Time spent sleeping for limiters in this attempt, reported with each request that follows.
        var waited: Duration = .zero

        while true {
            if retirement.isRetired {
                return .superseded
            }
            var earliestChance: C.Instant?
            var index = 0
            while index < providers.count {
                guard case .available(let outputInvalidAnswers) = states[index] else {
                    index += 1
                    continue
                }
                let entry = providers[index]
                let estimate = entry.client.estimatedTokens(for: request)
                switch entry.limiter.tryAcquire(estimatedTokens: estimate) {
                case .notBefore(let instant, _):
                    earliestChance = min(earliestChance ?? instant, instant)
                case .granted(let permit):
                    if let budget = entry.budget {
                        // Worth waiting a couple of token intervals for; longer, and the next provider may answer sooner.
                        let patience = min(budget.tokenInterval * 2, max(clock.now.duration(to: deadline), .zero))
                        guard await budget.take(estimatedTokens: estimate, patience: patience) else {
                            entry.limiter.withdraw(permit)
                            if Task.isCancelled {
                                return .failed(ProviderChainFailure(
                                    category: .rateLimited, reason: "shutting down while waiting for a rate limit",
                                    provider: entry.name, permanent: false, countsAttempt: false
                                ))
                            }
                            // Ask again at once (the wait just happened), unless the hold is over: then the
                            // next chance lies past the deadline and the message goes back without an attempt.
                            let now = clock.now
                            let chance = now >= deadline ? now.advanced(by: budget.tokenInterval) : now
                            earliestChance = min(earliestChance ?? chance, chance)
                            index += 1
                            continue
                        }
                    }
                    metrics.rateLimitWait(provider: entry.name, wait: waited)
                    // The wait belongs to this request only; a fallback or second try waited nothing more.
                    waited = .zero
                    let started = clock.now
                    do throws(ProviderError) {
                        let answer = try await Self.analyze(request, with: entry, before: deadline, clock: clock)
                        let latency = started.duration(to: clock.now)
                        statistics.recordAnswer(provider: entry.name, latency: latency, usage: answer.usage)
                        entry.limiter.complete(permit, actualTokens: answer.usage.inputTokens + answer.usage.outputTokens)
                        entry.limiter.recordSuccess()
                        if let budget = answer.serverBudget {
                            entry.limiter.recordServerBudget(remainingRequests: budget.remainingRequests, resetAfter: budget.resetAfter)
                        }
                        return .enriched(Enrichment(provider: entry.name, answer: answer, latency: latency))
                    } catch {
                        entry.limiter.complete(permit, actualTokens: nil)
                        if Task.isCancelled {
                            // Shutting down, not the provider's fault: no failure counted, no attempt used.
                            return .failed(ProviderChainFailure(
                                category: .providerUnavailable, reason: "shutting down during the request",
                                provider: entry.name, permanent: false, countsAttempt: false
                            ))
                        }
                        statistics.recordFailure(provider: entry.name, kind: error.kind, latency: started.duration(to: clock.now))
                        if let budget = error.serverBudget {
                            entry.limiter.recordServerBudget(remainingRequests: budget.remainingRequests, resetAfter: budget.resetAfter)
                        }
                        logger.warning("provider failed", metadata: [
                            LogKey.provider: .string(entry.name), LogKey.error: .string(error.description),
                        ])
                        switch error.kind {
                        case .rateLimited(let retryAfter), .overloaded(let retryAfter):
                            // The cooldown is the limiter's, shared by every worker; this provider stays in the running.
                            if entry.limiter.recordRateLimited(retryAfter: retryAfter) {
                                metrics.cooldowns(provider: entry.name, count: 1)
                            }
                            if let budget = entry.budget, let until = entry.limiter.snapshot.coolingDownUntil {
                                // Every instance taking from the budget pauses too, within a second.
                                budget.announceCooldown(clock.now.duration(to: until))
                            }
                            lastFailure = (.rateLimited, error.message, entry.name)
                        case .transient:
                            states[index] = .failed(.providerUnavailable, error.message)
                            lastFailure = (.providerUnavailable, error.message, entry.name)
                        case .quotaExhausted:
                            entry.limiter.markUnavailable(until: clock.now.advanced(by: Self.quotaPause))
                            states[index] = .failed(.providerUnavailable, error.message)
                            lastFailure = (.providerUnavailable, error.message, entry.name)
                        case .rejected:
                            states[index] = .rejected(error.message)
                            lastFailure = (.providerRejected, error.message, entry.name)
                        case .outputInvalid:
                            lastFailure = (.outputInvalid, error.message, entry.name)
                            guard outputInvalidAnswers >= 1 else {
                                // One more try on the same provider at once (its limiter permitting), then fall back.
                                states[index] = .available(outputInvalidAnswers: outputInvalidAnswers + 1)
                                continue
                            }
                            states[index] = .failed(.outputInvalid, error.message)
                        }
                    }
                }
                index += 1
            }

            let stillAvailable = states.contains { if case .available = $0 { true } else { false } }
            guard stillAvailable else {
                return .failed(Self.summarize(states, lastFailure: lastFailure, providers: providers))
            }
            guard let earliestChance else {
                // A provider that was rate limited during this pass may be asked again at once.
                continue
            }
            if earliestChance > deadline {
                return .failed(ProviderChainFailure(
                    category: .rateLimited,
                    reason: "every provider is rate limited or cooling down past the \(Int(maxHold.seconds)) s a delivery may be held"
                        + (lastFailure.map { "; last error: \($0.reason)" } ?? ""),
                    provider: lastFailure?.provider ?? providers.first?.name,
                    permanent: false,
                    countsAttempt: false
                ))
            }
            do {
                let sleptFrom = clock.now
                // A reload ends the wait early: the new limits or chain may let the message go sooner.
                try await retirement.sleep(until: earliestChance, clock: clock)
                waited += sleptFrom.duration(to: clock.now)
            } catch {
                return .failed(ProviderChainFailure(
                    category: .rateLimited, reason: "shutting down while waiting for a rate limit",
                    provider: providers.first?.name, permanent: false, countsAttempt: false
                ))
            }
        }
    }

    private static func summarize(
        _ states: [ProviderState],
        lastFailure: (category: ErrorCategory, reason: String, provider: String)?,
        providers: [LimitedProvider<C>]
    ) -> ProviderChainFailure {
        let everyoneRefused = states.allSatisfy { if case .rejected = $0 { true } else { false } }
        let failure = lastFailure ?? (.internal, "no provider could be asked", providers.first?.name ?? "")
        return ProviderChainFailure(
            category: everyoneRefused ? .providerRejected : failure.category,
            reason: failure.reason,
            provider: failure.provider,
            permanent: everyoneRefused,
            countsAttempt: true
        )
    }
}

extension ProviderChain where C == ContinuousClock {
    /// A chain on the real clock.
    public convenience init(
        providers: [LimitedProvider<ContinuousClock>],
        maxHold: Duration,
        metrics: TweetdMetrics = .discarding(),
        statistics: ProviderCallStatistics? = nil
    ) {
        self.init(providers: providers, maxHold: maxHold, clock: ContinuousClock(), metrics: metrics, statistics: statistics)
    }

    /// Asks the providers in order until one answers, holding the delivery at most
    /// ``maxHold`` after it was received.
    public func enrich(_ prepared: PreparedTweet, logger: Logger) async -> EnrichmentOutcome {
        await enrich(prepared, holdDeadline: prepared.delivery.receivedAt + maxHold, logger: logger)
    }
}
