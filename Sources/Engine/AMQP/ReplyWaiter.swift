import Synchronization

/// A caller waiting for the connection thread's answer (a confirm, a query's result); the first answer wins.
///
/// The connection thread answers when it has done the work (or failed); the caller's task answers
/// itself when it is cancelled, so a caller never waits on a broker that stopped answering (a
/// memory alarm, an outage) past a shutdown's grace period. Whichever comes second is dropped.
final class ReplyWaiter<Value: Sendable>: Sendable {
    private typealias Continuation = CheckedContinuation<Result<Value, AMQPError>, Never>
    private let state = Mutex<(continuation: Continuation?, result: Result<Value, AMQPError>?)>((nil, nil))

    /// Waits for the answer; `submit` hands the work to the connection thread.
    ///
    /// Cancelling the calling task answers at once with a `.cancelled` error saying `cancelledMessage`.
    /// With a nil `cancelledMessage` the wait ignores cancellation: for work that must be given
    /// its chance even during a forced shutdown (final acks), bounded by the submitter instead.
    static func wait(
        cancelledMessage: String?, _ submit: (ReplyWaiter<Value>) -> Void
    ) async -> Result<Value, AMQPError> {
        let waiter = ReplyWaiter<Value>()
        guard let cancelledMessage else {
            return await withCheckedContinuation { continuation in
                waiter.install(continuation)
                submit(waiter)
            }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter.install(continuation)
                submit(waiter)
            }
        } onCancel: {
            waiter.finish(.failure(AMQPError(.cancelled, cancelledMessage)))
        }
    }

    private func install(_ continuation: CheckedContinuation<Result<Value, AMQPError>, Never>) {
        let early: Result<Value, AMQPError>? = state.withLock { state in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Answers the caller, unless it was answered already.
    func finish(_ result: Result<Value, AMQPError>) {
        let continuation: Continuation? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: result)
    }
}
