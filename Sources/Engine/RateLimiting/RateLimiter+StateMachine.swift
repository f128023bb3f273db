extension RateLimiter {
    /// What a parked ``RateLimiter/acquire(estimatedTokens:deadline:)`` is woken with.
    enum WaitOutcome: Sendable {
        case granted(Permit<C>)
        case failed(RateLimitWait<C>)
        /// Its timer is out of date (it became the first in line, or the
        /// first in line's next chance moved): compute a new one.
        case recheck
    }

    /// A parked caller to wake, once the lock is released.
    struct Resumption {
        var continuation: CheckedContinuation<WaitOutcome, Never>
        var outcome: WaitOutcome

        func resume() {
            continuation.resume(returning: outcome)
        }
    }

    /// The limiter's bookkeeping: pure, given the time, so that every rule is
    /// decided in one place under one lock. Each event returns the parked
    /// callers to wake; the limiter wakes them after unlocking.
    ///
    /// Callers that have to wait queue up first come, first served. Only the
    /// first in line keeps a timer for its next chance; the others sleep until
    /// their deadline or until they reach the front. A grant thus wakes one
    /// caller instead of every waiting worker, and a large token estimate is
    /// not starved by a stream of small ones.
    struct StateMachine {
        typealias Instant = C.Instant

        private struct Waiter {
            let id: UInt64
            let estimatedTokens: Int
            let deadline: Instant
            /// Set while the caller is suspended; nil while it is setting up its next wait.
            var continuation: CheckedContinuation<WaitOutcome, Never>?
            /// The instant its current timer fires at, nil while it has none.
            var armedWake: Instant?
            /// A recheck that arrived while it had no continuation.
            var recheckPending = false
        }

        /// Why a request cannot be granted now.
        struct Blocker {
            /// The earliest instant the limits allow it, nil when only a release can tell.
            var notBefore: Instant?
            var reason: WaitReason
        }

        enum TryAcquireAction {
            case granted(Permit<C>)
            case notBefore(Instant, WaitReason)
        }

        enum AcquireAction {
            case granted(Permit<C>)
            case failed(RateLimitWait<C>)
            case wait(id: UInt64)
        }

        enum PrepareAction {
            case finished(WaitOutcome)
            case sleep(until: Instant)
        }

        private(set) var limit: RateLimit
        private var grants: GrantLog<Instant>
        private var tokens = TokenLedger<Instant>()
        private var outstanding: Set<UInt64> = []
        private var waiters: [Waiter] = []
        /// Outcomes decided while their caller had no continuation installed.
        private var unclaimed: [UInt64: WaitOutcome] = [:]
        private var nextPermitID: UInt64 = 1
        private var nextWaiterID: UInt64 = 1
        private var coolingDownUntil: Instant?
        private var unavailableUntil: Instant?
        private var consecutiveRateLimited = 0
        private var totalGranted = 0
        private(set) var totalCooldowns = 0

        init(limit: RateLimit) {
            self.limit = limit.normalized
            self.grants = GrantLog(capacity: max(self.limit.requestsPerMinute, self.limit.burst))
        }

        // MARK: Acquiring

        /// A grant now if nobody waits ahead and the limits allow it; else the earliest chance.
        mutating func tryAcquire(
            estimatedTokens: Int, now: Instant, pollInterval: Duration
        ) -> (TryAcquireAction, [Resumption]) {
            let resumptions = service(now: now)
            let estimate = max(estimatedTokens, 0)
            guard let blocker = blocker(estimatedTokens: estimate, position: waiters.count, now: now) else {
                return (.granted(grant(estimatedTokens: estimate, now: now)), resumptions)
            }
            return (.notBefore(blocker.notBefore ?? now.advanced(by: pollInterval), blocker.reason), resumptions)
        }

        /// A grant now, a failure now if the deadline cannot be met, or a place in line.
        mutating func acquire(
            estimatedTokens: Int, deadline: Instant, now: Instant
        ) -> (AcquireAction, [Resumption]) {
            let resumptions = service(now: now)
            let estimate = max(estimatedTokens, 0)
            guard let blocker = blocker(estimatedTokens: estimate, position: waiters.count, now: now) else {
                return (.granted(grant(estimatedTokens: estimate, now: now)), resumptions)
            }
            if Self.isHopeless(blocker, deadline: deadline, now: now) {
                return (.failed(.deadlineExceeded(nextChance: blocker.notBefore, reason: blocker.reason)), resumptions)
            }
            let id = nextWaiterID
            nextWaiterID += 1
            waiters.append(Waiter(id: id, estimatedTokens: estimate, deadline: deadline))
            return (.wait(id: id), resumptions)
        }

        /// Before each suspension: the outcome if one was decided, else when to wake up on one's own.
        mutating func prepareWait(id: UInt64, now: Instant) -> (PrepareAction, [Resumption]) {
            let resumptions = service(now: now)
            if let outcome = unclaimed.removeValue(forKey: id) {
                return (.finished(outcome), resumptions)
            }
            guard let index = waiters.firstIndex(where: { $0.id == id }) else {
                // Every way out of the line leaves an outcome; this only guards against a logic error.
                return (.finished(.failed(.cancelled)), resumptions)
            }
            waiters[index].recheckPending = false
            let wake = index == 0 ? frontWake(now: now) : waiters[index].deadline
            waiters[index].armedWake = wake
            return (.sleep(until: wake), resumptions)
        }

        /// Installs the continuation of a caller about to suspend, or hands back what it should get now.
        mutating func install(
            _ continuation: CheckedContinuation<WaitOutcome, Never>, id: UInt64
        ) -> Resumption? {
            if let outcome = unclaimed.removeValue(forKey: id) {
                return Resumption(continuation: continuation, outcome: outcome)
            }
            guard let index = waiters.firstIndex(where: { $0.id == id }) else {
                return Resumption(continuation: continuation, outcome: .failed(.cancelled))
            }
            if waiters[index].recheckPending {
                waiters[index].recheckPending = false
                waiters[index].armedWake = nil
                return Resumption(continuation: continuation, outcome: .recheck)
            }
            waiters[index].continuation = continuation
            return nil
        }

        /// A caller's own timer fired: grant what is due, and fail it if its deadline passed.
        mutating func timerFired(id: UInt64, now: Instant) -> [Resumption] {
            var resumptions = service(now: now)
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return resumptions }
            if waiters[index].deadline <= now {
                let blocker = blocker(estimatedTokens: waiters[index].estimatedTokens, position: index, now: now)
                let waiter = waiters.remove(at: index)
                let failure = RateLimitWait<C>.deadlineExceeded(
                    nextChance: blocker?.notBefore, reason: blocker?.reason ?? .concurrency
                )
                deliver(.failed(failure), to: waiter, &resumptions)
                if index == 0 {
                    resumptions += service(now: now)
                }
            } else {
                // Its timer is spent: it needs a new one.
                waiters[index].armedWake = nil
                requestRecheck(at: index, &resumptions)
            }
            return resumptions
        }

        /// The caller's task was cancelled: it leaves the line.
        mutating func cancel(id: UInt64, now: Instant) -> [Resumption] {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return [] }
            let waiter = waiters.remove(at: index)
            var resumptions: [Resumption] = []
            deliver(.failed(.cancelled), to: waiter, &resumptions)
            if index == 0 {
                resumptions += service(now: now)
            }
            return resumptions
        }

        /// A call ended: frees its slot, corrects its tokens, and grants what that allows.
        mutating func complete(_ permit: Permit<C>, actualTokens: Int?, now: Instant) -> [Resumption] {
            // A second completion of the same permit must not free a second slot.
            guard outstanding.remove(permit.id) != nil else { return [] }
            if let actualTokens {
                tokens.correct(permitID: permit.id, to: max(actualTokens, 0))
            }
            return service(now: now)
        }

        /// A permit whose request was never sent (a shared budget had no token
        /// for it): it leaves every window as if it had never been granted.
        mutating func withdraw(_ permit: Permit<C>, now: Instant) -> [Resumption] {
            guard outstanding.remove(permit.id) != nil else { return [] }
            tokens.correct(permitID: permit.id, to: 0)
            grants.removeLatest(permit.grantedAt)
            totalGranted -= 1
            return service(now: now)
        }

        // MARK: Pauses

        /// A 429 or 529: pause the whole provider for the server's delay, or for a backoff.
        ///
        /// Rate-limited answers that arrive while a cooldown runs belong to
        /// requests sent before it, so they do not count as another one in a
        /// row: fifteen workers hit by the same 429 pause for the first
        /// backoff, not the fifteenth.
        mutating func recordRateLimited(retryAfter: Duration?, jitter: Double, now: Instant) -> [Resumption] {
            if !isCoolingDown(at: now) {
                consecutiveRateLimited += 1
            }
            let delay = retryAfter.map { max($0, .zero) } ?? backoff() * jitter
            pause(until: now.advanced(by: delay), now: now)
            return failHopelessWaiters(now: now) + service(now: now)
        }

        /// Another instance sharing the budget was told to cool down: pause
        /// until `instant` (the later deadline wins), without counting a 429
        /// of our own in the backoff run.
        mutating func holdOff(until instant: Instant, now: Instant) -> [Resumption] {
            pause(until: instant, now: now)
            return failHopelessWaiters(now: now) + service(now: now)
        }

        mutating func recordSuccess() {
            consecutiveRateLimited = 0
        }

        /// The server's own count: pause until its reset when the requests
        /// already in flight could use up what it has left.
        ///
        /// Each permit in flight may be counted against the remaining budget
        /// once it arrives, so a new grant is safe only while `remaining`
        /// exceeds them. `remaining == 0` always pauses. A count without a
        /// reset time says nothing about when to resume, so it is ignored.
        mutating func recordServerBudget(remainingRequests: Int?, resetAfter: Duration?, now: Instant) -> [Resumption] {
            guard let remainingRequests, let resetAfter, resetAfter > .zero else { return [] }
            guard remainingRequests <= outstanding.count else { return [] }
            pause(until: now.advanced(by: resetAfter), now: now)
            return failHopelessWaiters(now: now) + service(now: now)
        }

        /// Replaces the unavailable period; an instant in the past ends it.
        mutating func markUnavailable(until instant: Instant, now: Instant) -> [Resumption] {
            unavailableUntil = instant
            return failHopelessWaiters(now: now) + service(now: now)
        }

        mutating func updateLimit(_ newLimit: RateLimit, now: Instant) -> [Resumption] {
            limit = newLimit.normalized
            grants.resize(to: max(limit.requestsPerMinute, limit.burst))
            var resumptions = service(now: now)
            // Deadlines that the new limit puts out of reach fail now rather than at the deadline.
            for index in waiters.indices.reversed() where index > 0 {
                guard let blocker = blocker(estimatedTokens: waiters[index].estimatedTokens, position: index, now: now),
                      Self.isHopeless(blocker, deadline: waiters[index].deadline, now: now)
                else { continue }
                let waiter = waiters.remove(at: index)
                let failure = RateLimitWait<C>.deadlineExceeded(nextChance: blocker.notBefore, reason: blocker.reason)
                deliver(.failed(failure), to: waiter, &resumptions)
            }
            return resumptions
        }

        func snapshot(name: String, now: Instant) -> RateLimiterSnapshot<C> {
            RateLimiterSnapshot(
                name: name,
                limit: limit,
                takenAt: now,
                requestsInLastMinute: grants.count(countingAt: now, window: .seconds(60)),
                tokensInLastMinute: tokens.tokens(countingAt: now, window: .seconds(60)),
                inFlight: outstanding.count,
                waiting: waiters.count,
                coolingDownUntil: isCoolingDown(at: now) ? coolingDownUntil : nil,
                unavailableUntil: unavailableUntil.flatMap { $0 > now ? $0 : nil },
                totalGranted: totalGranted,
                totalCooldowns: totalCooldowns
            )
        }

        // MARK: Rules

        /// Grants the front of the line while the limits allow, fails the
        /// front when its deadline is out of reach, and makes sure the new
        /// front's timer matches its next chance.
        private mutating func service(now: Instant) -> [Resumption] {
            var resumptions: [Resumption] = []
            while let front = waiters.first {
                guard let blocker = blocker(estimatedTokens: front.estimatedTokens, position: 0, now: now) else {
                    let permit = grant(estimatedTokens: front.estimatedTokens, now: now)
                    deliver(.granted(permit), to: waiters.removeFirst(), &resumptions)
                    continue
                }
                if Self.isHopeless(blocker, deadline: front.deadline, now: now) {
                    let failure = RateLimitWait<C>.deadlineExceeded(nextChance: blocker.notBefore, reason: blocker.reason)
                    deliver(.failed(failure), to: waiters.removeFirst(), &resumptions)
                    continue
                }
                let wake = min(blocker.notBefore ?? front.deadline, front.deadline)
                if let armed = front.armedWake, armed != wake {
                    waiters[0].armedWake = nil
                    requestRecheck(at: 0, &resumptions)
                }
                break
            }
            return resumptions
        }

        /// When the front of the line should wake by itself: its next chance, or its deadline if sooner.
        private mutating func frontWake(now: Instant) -> Instant {
            let front = waiters[0]
            let chance = blocker(estimatedTokens: front.estimatedTokens, position: 0, now: now)?.notBefore
            return min(chance ?? front.deadline, front.deadline)
        }

        /// What keeps a request with `estimatedTokens` from a grant at `now`,
        /// with `position` callers waiting ahead of it; nil if nothing does.
        ///
        /// With callers ahead, the instant is a lower bound that assumes they
        /// are served first, each as early as the request limits allow: their
        /// token use and completions are not known yet.
        private mutating func blocker(estimatedTokens: Int, position: Int, now: Instant) -> Blocker? {
            var latest: Blocker?
            // Ties go to the first reason considered: the one a person can least do about.
            func consider(_ instant: Instant?, _ reason: WaitReason) {
                guard let instant, instant > now else { return }
                if let current = latest?.notBefore, current >= instant { return }
                latest = Blocker(notBefore: instant, reason: reason)
            }
            consider(unavailableUntil, .unavailable)
            consider(coolingDownUntil, .coolingDown)
            if let slot = requestSlot(position: position, now: now) {
                consider(slot.instant, slot.reason)
            }
            if let tokensPerMinute = limit.tokensPerMinute {
                tokens.expire(at: now, window: limit.requestWindow)
                // An estimate above the whole limit fits once the window is empty, else it would wait forever.
                let need = min(estimatedTokens, tokensPerMinute)
                consider(
                    tokens.earliestFit(need: need, limit: tokensPerMinute, window: limit.requestWindow),
                    .tokensPerMinute
                )
            }
            var waitsForRelease = outstanding.count + position >= limit.maxConcurrency
            if position > 0, let front = waiters.first,
               let frontBlocker = blocker(estimatedTokens: front.estimatedTokens, position: 0, now: now) {
                // First come, first served: nobody overtakes the front of the line.
                if let instant = frontBlocker.notBefore {
                    consider(instant, frontBlocker.reason)
                } else {
                    waitsForRelease = true
                }
            }
            if let latest {
                return latest
            }
            return waitsForRelease ? Blocker(notBefore: nil, reason: .concurrency) : nil
        }

        /// The earliest instant the `position`-th next grant (0 = the very
        /// next) fits the request and burst windows, if later than `now`.
        ///
        /// Grant number n needs grant `n - rpm` to be a request window old,
        /// and grant `n - burst` a burst window old; for the grants ahead in
        /// line those are simulated, each at its own earliest instant.
        private func requestSlot(position: Int, now: Instant) -> (instant: Instant, reason: WaitReason)? {
            let requestWindow = limit.requestWindow
            let burstWindow = limit.burstWindow
            var simulated: [Instant] = []
            simulated.reserveCapacity(position)
            var time = now
            var reason: WaitReason?
            func grantInstant(_ index: Int) -> Instant? {
                if index < 0 { return nil }
                return index < grants.count ? grants[index] : simulated[index - grants.count]
            }
            for step in 0...position {
                let index = grants.count + step
                if let counted = grantInstant(index - limit.requestsPerMinute),
                   counted.advanced(by: requestWindow) > time {
                    time = counted.advanced(by: requestWindow)
                    reason = .requestsPerMinute
                }
                if let counted = grantInstant(index - limit.burst),
                   counted.advanced(by: burstWindow) > time {
                    time = counted.advanced(by: burstWindow)
                    reason = .burst
                }
                if step < position {
                    simulated.append(time)
                }
            }
            guard let reason, time > now else { return nil }
            return (time, reason)
        }

        private mutating func grant(estimatedTokens: Int, now: Instant) -> Permit<C> {
            let permit = Permit<C>(id: nextPermitID, estimatedTokens: estimatedTokens, grantedAt: now)
            nextPermitID += 1
            grants.append(now)
            // Expired here too, not only when a token limit asks: the ledger must stay bounded without one.
            tokens.expire(at: now, window: limit.requestWindow)
            tokens.reserve(permitID: permit.id, grantedAt: now, tokens: estimatedTokens)
            outstanding.insert(permit.id)
            totalGranted += 1
            return permit
        }

        /// The backoff for the current run of 429s, before jitter.
        private func backoff() -> Duration {
            var delay = limit.cooldownInitial
            for _ in 1..<max(consecutiveRateLimited, 1) {
                if delay >= limit.cooldownMax { break }
                delay *= 2
            }
            return min(delay, limit.cooldownMax)
        }

        /// Extends the cooldown to `instant`; a longer one already running stays as it is.
        private mutating func pause(until instant: Instant, now: Instant) {
            guard instant > now else { return }
            if !isCoolingDown(at: now) {
                totalCooldowns += 1
            }
            if let current = coolingDownUntil, current >= instant { return }
            coolingDownUntil = instant
        }

        private func isCoolingDown(at now: Instant) -> Bool {
            coolingDownUntil.map { $0 > now } ?? false
        }

        /// Fails at once every waiter whose deadline comes before the provider resumes.
        private mutating func failHopelessWaiters(now: Instant) -> [Resumption] {
            var resumes: Instant?
            var reason = WaitReason.coolingDown
            if let until = coolingDownUntil, until > now {
                resumes = until
            }
            if let until = unavailableUntil, until > now, until >= resumes ?? until {
                resumes = until
                reason = .unavailable
            }
            guard let resumes else { return [] }
            var resumptions: [Resumption] = []
            var kept: [Waiter] = []
            kept.reserveCapacity(waiters.count)
            for waiter in waiters {
                if waiter.deadline < resumes {
                    deliver(.failed(.deadlineExceeded(nextChance: resumes, reason: reason)), to: waiter, &resumptions)
                } else {
                    kept.append(waiter)
                }
            }
            waiters = kept
            return resumptions
        }

        private static func isHopeless(_ blocker: Blocker, deadline: Instant, now: Instant) -> Bool {
            if let instant = blocker.notBefore {
                return instant > deadline
            }
            // Waiting for a release: only a deadline already reached is out of reach.
            return deadline <= now
        }

        /// Hands a final outcome to a caller that has left the line.
        private mutating func deliver(_ outcome: WaitOutcome, to waiter: Waiter, _ resumptions: inout [Resumption]) {
            if let continuation = waiter.continuation {
                resumptions.append(Resumption(continuation: continuation, outcome: outcome))
            } else {
                unclaimed[waiter.id] = outcome
            }
        }

        private mutating func requestRecheck(at index: Int, _ resumptions: inout [Resumption]) {
            if let continuation = waiters[index].continuation {
                waiters[index].continuation = nil
                resumptions.append(Resumption(continuation: continuation, outcome: .recheck))
            } else {
                waiters[index].recheckPending = true
            }
        }
    }
}
