import Foundation
import Synchronization

/// One shared budget, as the provider chain uses it: takes tokens, announces
/// cooldowns, and tells the limiters of this instance about cooldowns
/// announced by any instance.
///
/// Callers wait in line (first come, first served); the budget connection's
/// thread takes tokens from the broker only while somebody waits, and hands
/// each to the front of the line.
public final class SharedBudgetHandle: SharedRequestBudget {
    /// The budget's name.
    public let budgetName: String
    /// The providers of this instance that take from it.
    public let providers: [String]
    let queues: SharedBudgetQueues

    struct Waiter {
        var id: UInt64
        var chunks: Int
        /// Resumed with when the token was taken, or nil for none.
        var continuation: CheckedContinuation<ContinuousClock.Instant?, Never>
    }

    struct State {
        var plan: SharedBudgetPlan
        var waiters: [Waiter] = []
        var nextID: UInt64 = 1
        var listeners: [@Sendable (ContinuousClock.Instant) -> Void] = []
        var connected = false
        var isRefiller = false
        var refiller: String?
        var refillerHeardAt: ContinuousClock.Instant?
        var instances: Int?
        var tokensAvailable: Int?
        var cooldownUntil: ContinuousClock.Instant?
        /// Tokens handed to callers, and those a caller got too late to use.
        var taken = 0
        var stale = 0
        /// Waits that ended without a token (patience ran out, cancelled, or a cooldown).
        var missed = 0
        /// Request tokens this instance published as the refiller, and the late restarts of its grid.
        var published = 0
        var lateRestarts = 0
        /// Tokens taken for a caller that had stopped waiting a moment before.
        var unclaimed = 0
    }

    let state: Mutex<State>
    private let wakeThread: @Sendable () -> Void
    private let announce: @Sendable (SharedBudgetHandle, ContinuousClock.Instant) -> Void

    init(
        budgetName: String, providers: [String], plan: SharedBudgetPlan,
        wakeThread: @escaping @Sendable () -> Void,
        announce: @escaping @Sendable (SharedBudgetHandle, ContinuousClock.Instant) -> Void
    ) {
        self.budgetName = budgetName
        self.providers = providers
        self.queues = SharedBudgetQueues(budget: budgetName)
        self.state = Mutex(State(plan: plan))
        self.wakeThread = wakeThread
        self.announce = announce
    }

    /// The plan in force.
    public var plan: SharedBudgetPlan {
        state.withLock { $0.plan }
    }

    /// Replaces the plan (a configuration reload changed the limits); the
    /// refiller's next token follows the new interval.
    public func updatePlan(_ plan: SharedBudgetPlan) {
        state.withLock { $0.plan = plan }
        wakeThread()
    }

    public var tokenInterval: Duration {
        plan.requestInterval
    }

    /// Calls `listener` with the deadline of every cooldown announced for
    /// this budget, by any instance, this one included.
    public func onCooldown(_ listener: @escaping @Sendable (ContinuousClock.Instant) -> Void) {
        state.withLock { $0.listeners.append(listener) }
    }

    /// How old a token may be when its caller gets to run: one handed over
    /// earlier (the process was paused, or starved of CPU) is dropped, since
    /// the guarantee allows only a network delay between taking and arriving.
    static let freshness: Duration = .milliseconds(250)

    public func take(estimatedTokens: Int, patience: Duration) async -> Bool {
        guard patience > .zero, !Task.isCancelled else { return false }
        let (id, chunks) = state.withLock { state in
            defer { state.nextID += 1 }
            return (state.nextID, state.plan.chunks(forEstimate: estimatedTokens, gatherers: state.instances ?? 1))
        }
        let taken = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ContinuousClock.Instant?, Never>) in
                state.withLock { $0.waiters.append(Waiter(id: id, chunks: chunks, continuation: continuation)) }
                // A cancellation just before the waiter was in line found nobody to end.
                if Task.isCancelled {
                    giveUp(id)
                    return
                }
                wakeThread()
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(patience.nanoseconds))) { [self] in
                    giveUp(id)
                }
            }
        } onCancel: {
            giveUp(id)
        }
        guard let taken else {
            state.withLock { $0.missed += 1 }
            return false
        }
        guard taken.duration(to: .now) <= Self.freshness else {
            state.withLock { $0.stale += 1 }
            return false
        }
        return true
    }

    public func announceCooldown(_ delay: Duration) {
        guard delay > .zero else { return }
        announce(self, .now + delay)
    }

    /// Tokens this instance took, dropped as stale, waits that ended without one, and (as the
    /// refiller) tokens published and grid restarts after late wakes: for the log at exit.
    public var counts: (taken: Int, stale: Int, missed: Int, published: Int, lateRestarts: Int, unclaimed: Int) {
        state.withLock { ($0.taken, $0.stale, $0.missed, $0.published, $0.lateRestarts, $0.unclaimed) }
    }

    /// What this instance knows of the budget now.
    public var status: SharedBudgetStatus {
        let now = ContinuousClock.now
        return state.withLock { state in
            // The refiller speaks every second; three missed words and it is no longer named.
            let heardRecently = state.refillerHeardAt.map { $0.duration(to: now) < .seconds(3) } ?? false
            return SharedBudgetStatus(
                budget: budgetName,
                providers: providers,
                isRefiller: state.isRefiller,
                refiller: heardRecently ? state.refiller : nil,
                instances: state.instances,
                tokensAvailable: state.tokensAvailable,
                cooldownSeconds: state.cooldownUntil.map { max(now.duration(to: $0).seconds, 0) } ?? 0,
                sustainedRequestsPerMinute: state.plan.sustainedRequestsPerMinute,
                connected: state.connected
            )
        }
    }

    // MARK: - For the budget connection's thread

    /// The chunks the front of the line needs, or nil when nobody waits.
    var frontChunks: Int? {
        state.withLock { $0.waiters.first?.chunks }
    }

    /// Hands a token taken at `takenAt` to the first caller in line that needs at most `chunks`
    /// chunks; returns the chunks it needed, or nil when nobody waits for it (the token is lost).
    ///
    /// Whoever is first when the token arrives gets it, not who was first when it was asked for:
    /// callers give up after their patience, often while a `basic.get` is on its way.
    func grantFirst(takenAt: ContinuousClock.Instant, holdingChunks chunks: Int) -> Int? {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.chunks <= chunks }) else { return nil }
            state.taken += 1
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return nil }
        waiter.continuation.resume(returning: takenAt)
        return waiter.chunks
    }

    /// Ends the wait of `id` without a token (its patience ran out, or it was cancelled), if it still waits.
    func giveUp(_ id: UInt64) {
        let continuation = state.withLock { state in
            state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
        }
        continuation?.resume(returning: nil)
    }

    /// A cooldown until `instant` was announced or read: merged by the later deadline and passed to
    /// the limiters; callers waiting for a token stop waiting (their requests must not go now).
    /// Returns whether it was news: later than the cooldown already known.
    @discardableResult
    func applyCooldown(until instant: ContinuousClock.Instant) -> Bool {
        let (news, listeners, waiters) = state.withLock { state in
            let news = instant > (state.cooldownUntil ?? .now)
            state.cooldownUntil = max(state.cooldownUntil ?? instant, instant)
            defer { state.waiters.removeAll() }
            return (news, state.listeners, state.waiters)
        }
        for listener in listeners { listener(instant) }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        return news
    }

    /// Ends every wait without a token.
    func failWaiters() {
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    /// The end of the cooldown known here, if it has not passed.
    var cooldownUntil: ContinuousClock.Instant? {
        state.withLock { state in state.cooldownUntil.flatMap { $0 > .now ? $0 : nil } }
    }

    func update(_ body: (inout State) -> Void) {
        state.withLock { body(&$0) }
    }
}
