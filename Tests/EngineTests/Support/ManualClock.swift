import Synchronization

/// A clock that moves only when a test moves it, so that minutes of limiter
/// time pass in microseconds and every wake-up happens at a chosen instant.
///
/// `sleep(until:tolerance:)` suspends until ``advance(to:)`` or
/// ``advance(by:)`` reaches the deadline, or the sleeping task is cancelled.
/// Tests wait for the code under test to settle with ``sleepers(count:)`` or
/// ``waitUntil(_:)`` instead of sleeping for real.
final class ManualClock: Clock, Sendable {
    /// An offset from the clock's start.
    struct Instant: InstantProtocol, CustomStringConvertible {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        var description: String { "t+\(offset)" }
    }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        var id: UInt64
        var condition: @Sendable ([Instant]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Instant
        var sleepers: [Sleeper] = []
        var watchers: [Watcher] = []
        var nextID: UInt64 = 0

        var deadlines: [Instant] { sleepers.map(\.deadline).sorted() }

        /// Removes and returns the watchers whose condition now holds.
        mutating func satisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            guard !watchers.isEmpty else { return [] }
            let deadlines = deadlines
            var satisfied: [CheckedContinuation<Void, Never>] = []
            watchers.removeAll { watcher in
                guard watcher.condition(deadlines) else { return false }
                satisfied.append(watcher.continuation)
                return true
            }
            return satisfied
        }
    }

    private let state: Mutex<State>

    /// A clock reading `start`.
    init(start: Instant = Instant(offset: .zero)) {
        state = Mutex(State(now: start))
    }

    var now: Instant {
        state.withLock { $0.now }
    }

    var minimumResolution: Duration { .nanoseconds(1) }

    /// The instant `offset` after the clock's start.
    func instant(_ offset: Duration) -> Instant {
        Instant(offset: offset)
    }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Start { case suspended, due, cancelled }
                let (start, watchers) = state.withLock { state -> (Start, [CheckedContinuation<Void, Never>]) in
                    // Checked under the lock so that a cancellation racing with this registration is never lost.
                    if Task.isCancelled { return (.cancelled, []) }
                    if deadline <= state.now { return (.due, []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (.suspended, state.satisfiedWatchers())
                }
                switch start {
                case .suspended: break
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
                watchers.forEach { $0.resume() }
            }
        } onCancel: {
            let (sleeper, watchers) = state.withLock { state -> (Sleeper?, [CheckedContinuation<Void, Never>]) in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return (nil, []) }
                return (state.sleepers.remove(at: index), state.satisfiedWatchers())
            }
            sleeper?.continuation.resume(throwing: CancellationError())
            watchers.forEach { $0.resume() }
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline it reaches.
    func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backwards), waking every sleeper whose deadline it reaches.
    func advance(to instant: Instant) {
        let (due, watchers) = state.withLock { state -> ([Sleeper], [CheckedContinuation<Void, Never>]) in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return (due, state.satisfiedWatchers())
        }
        due.forEach { $0.continuation.resume() }
        watchers.forEach { $0.resume() }
    }

    /// The deadlines of the suspended sleepers, earliest first.
    var sleeperDeadlines: [Instant] {
        state.withLock { $0.deadlines }
    }

    /// Returns once at least `count` tasks are suspended in `sleep`.
    func sleepers(count: Int) async {
        await waitUntil { $0.count >= count }
    }

    /// Returns once `condition` holds for the suspended sleepers' deadlines (earliest first).
    ///
    /// Cancellation (a test's time limit) ends the wait too, so that a broken
    /// expectation fails the test instead of hanging it.
    func waitUntil(_ condition: @escaping @Sendable ([Instant]) -> Bool) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let satisfied = state.withLock { state -> Bool in
                    if Task.isCancelled || condition(state.deadlines) { return true }
                    state.watchers.append(Watcher(id: id, condition: condition, continuation: continuation))
                    return false
                }
                if satisfied {
                    continuation.resume()
                }
            }
        } onCancel: {
            let watcher = state.withLock { state -> Watcher? in
                guard let index = state.watchers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.watchers.remove(at: index)
            }
            watcher?.continuation.resume()
        }
    }
}
