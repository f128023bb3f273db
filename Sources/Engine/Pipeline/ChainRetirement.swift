import Synchronization

/// Whether a provider chain was replaced by a reload, and the waits that end when it is.
///
/// Workers waiting for a limiter sleep until the earliest provider can answer,
/// which may be a minute away; after a reload that raised the limits they
/// should not sleep on. ``sleep(until:clock:)`` returns at the instant or at
/// ``retire()``, whichever comes first.
final class ChainRetirement: Sendable {
    private struct State {
        var retired = false
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// True once retired.
    var isRetired: Bool {
        state.withLock { $0.retired }
    }

    /// Retires the chain and wakes every sleeper.
    func retire() {
        let waiters = state.withLock { state in
            state.retired = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Sleeps until `instant` on `clock`, or until the chain is retired; throws when the task is cancelled.
    func sleep<C: Clock>(until instant: C.Instant, clock: C) async throws where C.Duration == Duration {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await clock.sleep(until: instant, tolerance: .milliseconds(1))
            }
            group.addTask {
                await self.waitUntilRetired()
            }
            // Whichever ends first; a cancelled sleep throws, and the group cancels the other.
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// Returns once retired, or once the calling task is cancelled.
    private func waitUntilRetired() async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    // Checked under the lock: a cancellation that ran before this finds nothing to resume.
                    if state.retired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
