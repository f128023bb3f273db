@testable import Engine
import Foundation
import Logging
import Synchronization
import Testing

/// A provider whose answers a test scripts, recording when it was asked on the manual clock.
private final class ScriptedProvider: LLMProvider {
    enum Step: Sendable {
        case answer
        case fail(ProviderError.Kind)
        /// No answer for a day of manual time (or until the call is cancelled).
        case hang
    }

    let configuration: ProviderConfiguration
    private let clock: ManualClock
    private let state: Mutex<(script: [Step], calls: [ManualClock.Instant])>

    /// Follows `script` call by call; the last step repeats.
    init(_ name: String, clock: ManualClock, script: [Step] = [.answer]) {
        configuration = ProviderConfiguration(name: name, kind: .openaiCompatible)
        self.clock = clock
        state = Mutex((script, []))
    }

    /// When each request arrived.
    var calls: [ManualClock.Instant] { state.withLock { $0.calls } }

    func analyze(_ request: ProviderRequest) async throws(ProviderError) -> ProviderAnswer {
        let now = clock.now
        let step = state.withLock { state -> Step in
            state.calls.append(now)
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
        switch step {
        case .answer:
            return ProviderAnswer(
                sentiment: Sentiment(label: .positive, score: 0.8), topics: ["scripted"], summary: "from \(name)",
                language: "en", usage: TokenUsage(inputTokens: 10, outputTokens: 5), model: "m-\(name)", serverBudget: nil
            )
        case .fail(let kind):
            throw ProviderError(kind: kind, provider: name, status: nil, message: "scripted \(kind.name)")
        case .hang:
            try? await clock.sleep(until: now.advanced(by: .seconds(86_400)), tolerance: nil)
            throw ProviderError(kind: .transient, provider: name, status: nil, message: "hung up")
        }
    }

    func estimatedTokens(for request: ProviderRequest) -> Int { 15 }
}

/// A shared budget whose tokens a test scripts; a wait for a token that does not come passes its patience on the manual clock.
private final class ScriptedBudget: SharedRequestBudget {
    let budgetName = "scripted"
    let tokenInterval: Duration = .milliseconds(100)
    private let clock: ManualClock
    private let state: Mutex<(tokens: [Bool], patiences: [Duration], cooldowns: [Duration])>

    /// Answers `tokens` take by take; the last answer repeats.
    init(clock: ManualClock, tokens: [Bool]) {
        self.clock = clock
        state = Mutex((tokens, [], []))
    }

    var patiences: [Duration] { state.withLock { $0.patiences } }
    var cooldowns: [Duration] { state.withLock { $0.cooldowns } }

    func take(estimatedTokens: Int, patience: Duration) async -> Bool {
        let granted = state.withLock { state -> Bool in
            state.patiences.append(patience)
            return state.tokens.count > 1 ? state.tokens.removeFirst() : state.tokens[0]
        }
        if !granted { clock.advance(by: patience) }
        return granted
    }

    func announceCooldown(_ delay: Duration) {
        state.withLock { $0.cooldowns.append(delay) }
    }
}

@Suite("Provider chain: fallback, shared cooldowns and holding, on a manual clock", .timeLimit(.minutes(1)))
struct ProviderChainTests {
    private let clock = ManualClock()
    private let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    private let farDeadline: Duration = .seconds(86_400)

    private func limited(
        _ provider: ScriptedProvider, rpm: Int = 600, burst: Int = 10, maxConcurrency: Int = .max, budget: ScriptedBudget? = nil
    ) -> LimitedProvider<ManualClock> {
        LimitedProvider(
            name: provider.name, client: provider,
            limiter: RateLimiter(
                name: provider.name,
                limit: RateLimit(
                    requestsPerMinute: rpm, burst: burst, maxConcurrency: maxConcurrency,
                    cooldownInitial: .seconds(1), cooldownMax: .seconds(60)
                ),
                clock: clock,
                jitter: { 1 }
            ),
            budget: budget
        )
    }

    private func chain(_ providers: [LimitedProvider<ManualClock>], maxHold: Duration = .seconds(600)) -> ProviderChain<ManualClock> {
        ProviderChain(providers: providers, maxHold: maxHold, clock: clock)
    }

    private func prepared(_ id: String = "1") throws -> PreparedTweet {
        let tweet = try TweetDecoder().decode(Array(#"{"id":"\#(id)","text":"what a great day"}"#.utf8))
        let delivery = Delivery(
            deliveryTag: 1, connectionGeneration: 1, queue: "tweets.in", exchange: "tweets", routingKey: "tweet",
            redelivered: false, properties: MessageProperties(), body: []
        )
        return PreparedTweet(delivery: delivery, tweet: tweet, analysis: BuiltinAnalyzer().analyze(tweet), priorityScore: 0, attempt: 1)
    }

    private func enrich(_ chain: ProviderChain<ManualClock>, holdFor hold: Duration? = nil) async throws -> EnrichmentOutcome {
        try await chain.enrich(prepared(), holdDeadline: clock.now.advanced(by: hold ?? farDeadline), logger: logger)
    }

    private func answeredBy(_ outcome: EnrichmentOutcome) -> String? {
        if case .enriched(let enrichment) = outcome { enrichment.provider } else { nil }
    }

    private func failure(_ outcome: EnrichmentOutcome) -> ProviderChainFailure? {
        if case .failed(let failure) = outcome { failure } else { nil }
    }

    @Test("A transient failure falls back to the next provider within the same attempt, at the same instant")
    func transientFailureFallsBack() async throws {
        let primary = ScriptedProvider("primary", clock: clock, script: [.fail(.transient)])
        let secondary = ScriptedProvider("secondary", clock: clock)
        let outcome = try await enrich(chain([limited(primary), limited(secondary)]))
        #expect(answeredBy(outcome) == "secondary")
        #expect(primary.calls == [clock.instant(.zero)])
        #expect(secondary.calls == [clock.instant(.zero)], "no delay before the fallback")
    }

    @Test("The answer is merged with its provider, model, usage and provider time")
    func enrichmentCarriesTheAnswer() async throws {
        let only = ScriptedProvider("only", clock: clock)
        guard case .enriched(let enrichment) = try await enrich(chain([limited(only)])) else {
            Issue.record("expected an answer")
            return
        }
        #expect(enrichment.answer.model == "m-only")
        #expect(enrichment.answer.summary == "from only")
        #expect(enrichment.answer.usage == TokenUsage(inputTokens: 10, outputTokens: 5))
        #expect(enrichment.latency == .zero, "no manual time passed during the call")
    }

    @Test("A call still running at the delivery's hold deadline is cut off there, so no delivery is held past max_hold_seconds")
    func callIsCutAtTheHoldDeadline() async throws {
        let slow = ScriptedProvider("slow", clock: clock, script: [.hang])
        let chain = chain([limited(slow)])
        // 10 s left of the hold, less than the call's 30 s timeout: the deadline ends it.
        async let outcome = enrich(chain, holdFor: .seconds(10))
        // The call waits on the clock, and so does the deadline.
        await clock.sleepers(count: 2)
        clock.advance(by: .seconds(10))
        let failure = failure(try await outcome)
        #expect(failure?.category == .providerUnavailable)
        #expect(failure?.reason.contains("hold deadline") == true, "\(String(describing: failure))")
        #expect(failure?.countsAttempt == true, "a provider too slow to answer in time used the attempt")
    }

    @Test("A 429 cools the provider down for every worker: the next message goes straight to the fallback")
    func rateLimitIsSharedAndSkipped() async throws {
        let primary = ScriptedProvider("primary", clock: clock, script: [.fail(.rateLimited(retryAfter: .seconds(10))), .answer])
        let secondary = ScriptedProvider("secondary", clock: clock)
        let chain = chain([limited(primary), limited(secondary)])

        #expect(answeredBy(try await enrich(chain)) == "secondary")
        #expect(answeredBy(try await enrich(chain)) == "secondary")
        #expect(primary.calls.count == 1, "the cooling provider is not asked again")

        clock.advance(by: .seconds(10))
        #expect(answeredBy(try await enrich(chain)) == "primary", "the primary is back once its cooldown ends")
    }

    @Test("A lone provider's 429 makes the worker wait out the server's delay and ask again, within the same attempt")
    func rateLimitedAloneWaitsAndAsksAgain() async throws {
        let only = ScriptedProvider("only", clock: clock, script: [.fail(.rateLimited(retryAfter: .seconds(10))), .answer])
        let chain = chain([limited(only)])
        async let waiting = enrich(chain)
        await clock.sleepers(count: 1)
        #expect(clock.sleeperDeadlines == [clock.instant(.seconds(10))])
        clock.advance(by: .seconds(10))
        #expect(answeredBy(try await waiting) == "only")
        #expect(only.calls == [clock.instant(.zero), clock.instant(.seconds(10))])
    }

    @Test("When every provider waits for its limiter the worker waits for the earliest, and uses no attempt")
    func waitsForTheEarliestLimiter() async throws {
        let slow = ScriptedProvider("slow", clock: clock)
        let slower = ScriptedProvider("slower", clock: clock)
        let slowLimit = limited(slow, rpm: 1, burst: 1)
        let slowerLimit = limited(slower, rpm: 1, burst: 1)
        let chain = chain([slowLimit, slowerLimit])
        #expect(answeredBy(try await enrich(chain)) == "slow")
        slowerLimit.limiter.recordRateLimited(retryAfter: .seconds(300))

        async let waiting = enrich(chain)
        await clock.sleepers(count: 1)
        // rpm 1 with its one-second arrival margin: the window reopens 61 s after the first call.
        let reopening = clock.instant(.seconds(61))
        #expect(clock.sleeperDeadlines == [reopening])
        clock.advance(to: reopening)
        #expect(answeredBy(try await waiting) == "slow")
        #expect(slow.calls == [clock.instant(.zero), reopening])
        #expect(slower.calls.isEmpty)
    }

    @Test("A wait that would pass the hold deadline ends at once as a rate-limit retry that uses no attempt")
    func holdDeadlineSendsToRetry() async throws {
        let busy = ScriptedProvider("busy", clock: clock)
        let busyLimit = limited(busy)
        busyLimit.limiter.recordRateLimited(retryAfter: .seconds(700))
        let failure = failure(try await enrich(chain([busyLimit], maxHold: .seconds(600)), holdFor: .seconds(600)))
        #expect(failure?.category == .rateLimited)
        #expect(failure?.countsAttempt == false)
        #expect(failure?.permanent == false)
        #expect(failure?.reason.contains("600 s") == true)
        #expect(clock.now == clock.instant(.zero), "nothing slept")
        #expect(busy.calls.isEmpty)
    }

    @Test("Every provider refusing is a permanent provider_rejected")
    func everyoneRefusing() async throws {
        let first = ScriptedProvider("first", clock: clock, script: [.fail(.rejected)])
        let second = ScriptedProvider("second", clock: clock, script: [.fail(.rejected)])
        let failure = failure(try await enrich(chain([limited(first), limited(second)])))
        #expect(failure == ProviderChainFailure(
            category: .providerRejected, reason: "scripted rejected", provider: "second", permanent: true, countsAttempt: true
        ))
    }

    @Test("One refusal and one transient failure are worth another attempt, as provider_unavailable")
    func refusalAndOutageRetry() async throws {
        let refusing = ScriptedProvider("refusing", clock: clock, script: [.fail(.rejected)])
        let down = ScriptedProvider("down", clock: clock, script: [.fail(.transient)])
        let failure = failure(try await enrich(chain([limited(refusing), limited(down)])))
        #expect(failure?.category == .providerUnavailable)
        #expect(failure?.provider == "down")
        #expect(failure?.permanent == false)
        #expect(failure?.countsAttempt == true)
    }

    @Test("An answer that is not the JSON asked for gets one more try on the same provider, then the next provider")
    func invalidOutputIsRetriedOnceThenFallsBack() async throws {
        let rambling = ScriptedProvider("rambling", clock: clock, script: [.fail(.outputInvalid)])
        let fallback = ScriptedProvider("fallback", clock: clock)
        #expect(answeredBy(try await enrich(chain([limited(rambling), limited(fallback)]))) == "fallback")
        #expect(rambling.calls.count == 2)

        let once = ScriptedProvider("once", clock: clock, script: [.fail(.outputInvalid), .answer])
        #expect(answeredBy(try await enrich(chain([limited(once)]))) == "once", "the second try answered")

        let alone = ScriptedProvider("alone", clock: clock, script: [.fail(.outputInvalid)])
        let failure = failure(try await enrich(chain([limited(alone)])))
        #expect(failure?.category == .outputInvalid)
        #expect(failure?.countsAttempt == true)
    }

    @Test("An exhausted quota takes the provider out for an hour, then it is asked again")
    func exhaustedQuotaPausesTheProvider() async throws {
        let broke = ScriptedProvider("broke", clock: clock, script: [.fail(.quotaExhausted), .answer])
        let spare = ScriptedProvider("spare", clock: clock)
        let chain = chain([limited(broke), limited(spare)])
        #expect(answeredBy(try await enrich(chain)) == "spare")
        clock.advance(by: .seconds(3599))
        #expect(answeredBy(try await enrich(chain)) == "spare")
        #expect(broke.calls.count == 1)
        clock.advance(by: .seconds(1))
        #expect(answeredBy(try await enrich(chain)) == "broke")
    }

    @Test("The chain counts every request by provider: answers, failures by kind, rate limits, tokens")
    func statisticsCountEveryRequest() async throws {
        let flaky = ScriptedProvider("flaky", clock: clock, script: [.fail(.rateLimited(retryAfter: .seconds(5))), .fail(.transient), .answer])
        let steady = ScriptedProvider("steady", clock: clock)
        let chain = chain([limited(flaky), limited(steady)])
        #expect(answeredBy(try await enrich(chain)) == "steady")
        clock.advance(by: .seconds(5))
        #expect(answeredBy(try await enrich(chain)) == "steady")
        #expect(answeredBy(try await enrich(chain)) == "flaky")

        let counts = chain.statistics.snapshot()
        #expect(counts["flaky"]?.requests == 3)
        #expect(counts["flaky"]?.ok == 1)
        #expect(counts["flaky"]?.failed == 2)
        #expect(counts["flaky"]?.failuresByKind == ["rate_limited": 1, "transient": 1])
        #expect(counts["flaky"]?.rateLimited == 1)
        #expect(counts["steady"]?.requests == 2)
        #expect(counts["steady"]?.inputTokens == 20)
        #expect(counts["steady"]?.outputTokens == 10)
        #expect(counts["steady"]?.reportStatistics == ProviderRequestStatistics(
            requests: 2, ok: 2, failed: 0, rateLimited: 0, averageLatencyMilliseconds: 0
        ))
    }

    @Test("Twelve workers sharing one provider at rpm 5 never put more than 5 requests in any 60 s window")
    func concurrentWorkersKeepTheLimit() async throws {
        let provider = ScriptedProvider("limited", clock: clock)
        let chain = chain([limited(provider, rpm: 5, burst: 2)])
        let workers = 12
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    let outcome = try await enrich(chain)
                    #expect(answeredBy(outcome) == "limited")
                }
            }
            // Drive time from one wake-up to the next until every worker has been answered.
            while provider.calls.count < workers {
                if let next = clock.sleeperDeadlines.first {
                    clock.advance(to: next)
                }
                await Task.yield()
            }
            try await group.waitForAll()
        }
        let calls = provider.calls.sorted()
        #expect(calls.count == workers)
        for (index, start) in calls.enumerated() {
            let inWindow = calls[index...].prefix { $0 < start.advanced(by: .seconds(60)) }.count
            #expect(inWindow <= 5, "at most 5 requests in the 60 s from \(start)")
            let inSecond = calls[index...].prefix { $0 < start.advanced(by: .seconds(1)) }.count
            #expect(inSecond <= 2, "at most the burst of 2 in the second from \(start)")
        }
        // 12 requests at 5 per minute: the last one can go only in the third window.
        #expect(try #require(calls.last) >= clock.instant(.seconds(120)))
        #expect(try #require(calls.last) <= clock.instant(.seconds(125)))
    }

    @Test("Retiring the chain (a reload) wakes a message waiting for a limiter at once, with nothing sent or used up")
    func retiredChainReleasesWaiters() async throws {
        let only = ScriptedProvider("only", clock: clock)
        let chain = chain([limited(only, rpm: 1, burst: 1)])
        #expect(answeredBy(try await enrich(chain)) == "only")
        async let waiting = enrich(chain)
        // The second message sleeps until the minute is over.
        await clock.sleepers(count: 1)
        chain.retire()
        guard case .superseded = try await waiting else {
            Issue.record("a retired chain must hand the message back")
            return
        }
        #expect(clock.now == clock.instant(.zero), "no time passed")
        #expect(only.calls.count == 1)
        guard case .superseded = try await enrich(chain) else {
            Issue.record("a retired chain takes no new message")
            return
        }
    }

    @Test("No token from the shared budget in two token intervals: the permit is taken back and the next provider answers")
    func emptySharedBudgetFallsBack() async throws {
        let shared = ScriptedProvider("shared", clock: clock)
        let spare = ScriptedProvider("spare", clock: clock)
        let budget = ScriptedBudget(clock: clock, tokens: [false])
        let sharedEntry = limited(shared, rpm: 1, burst: 1, budget: budget)
        #expect(answeredBy(try await enrich(chain([sharedEntry, limited(spare)]))) == "spare")
        #expect(shared.calls.isEmpty, "nothing sent without a token")
        #expect(budget.patiences == [.milliseconds(200)])
        let snapshot = sharedEntry.limiter.snapshot
        #expect(snapshot.totalGranted == 0 && snapshot.inFlight == 0 && snapshot.requestsInLastMinute == 0)
        // The withdrawn permit left no trace: the one request a minute is still there to grant.
        #expect(sharedEntry.limiter.tryAcquire() != .notBefore(clock.now, reason: .requestsPerMinute))
    }

    @Test("A token that comes on the third try: the request goes then, once")
    func sharedTokenAfterWaiting() async throws {
        let shared = ScriptedProvider("shared", clock: clock)
        let budget = ScriptedBudget(clock: clock, tokens: [false, false, true])
        #expect(answeredBy(try await enrich(chain([limited(shared, budget: budget)]))) == "shared")
        #expect(shared.calls == [clock.instant(.milliseconds(400))], "after two waits of two token intervals")
        #expect(budget.patiences.count == 3)
    }

    @Test("A 429 from a shared provider is announced to every instance with the cooldown the limiter chose")
    func rateLimitIsAnnounced() async throws {
        let shared = ScriptedProvider("shared", clock: clock, script: [.fail(.rateLimited(retryAfter: .seconds(20))), .answer])
        let spare = ScriptedProvider("spare", clock: clock)
        let budget = ScriptedBudget(clock: clock, tokens: [true])
        #expect(answeredBy(try await enrich(chain([limited(shared, budget: budget), limited(spare)]))) == "spare")
        #expect(budget.cooldowns == [.seconds(20)])
    }

    @Test("Waiting for shared tokens past the hold deadline hands the message to a retry queue without using an attempt")
    func sharedWaitUsesNoAttempt() async throws {
        let shared = ScriptedProvider("shared", clock: clock)
        let budget = ScriptedBudget(clock: clock, tokens: [false])
        let failure = failure(try await enrich(chain([limited(shared, budget: budget)]), holdFor: .seconds(1)))
        #expect(failure?.category == .rateLimited)
        #expect(failure?.countsAttempt == false)
        #expect(shared.calls.isEmpty)
        #expect(budget.patiences == Array(repeating: .milliseconds(200), count: 5), "waits of two intervals, none past the hold")
        #expect(clock.now == clock.instant(.seconds(1)), "held exactly to the deadline")
    }
}
