import Logging

/// Drain mode's end: nothing ready in the input queues, nothing waiting in the retry queues,
/// and no delivery unsettled, twice in a row.
///
/// The input queues are counted on the consumer's delivery channel (``DeliverySource/readyMessages(in:)``),
/// which also brings in any delivery still on the wire; a busy machine can hold one there for
/// longer than any fixed wait. The retry queues are nobody's to consume, so a count is enough.
/// Two quiet checks, because a message expiring from a retry queue is on its way back to the
/// input for a moment.
struct DrainDetector: Sendable {
    var inputQueues: [String]
    var retryQueues: [String]
    var checkInterval: Duration
    /// Counts the deliveries handed over and not yet acked or given back; finished once the pipeline stops taking work.
    var buffer: DeliveryBuffer

    /// Returns true once drained; false when the pipeline stopped taking work first or the task was cancelled.
    func waitUntilDrained(_ connections: TweetPipeline.Connections) async -> Bool {
        var quietChecks = 0
        while !buffer.isFinished {
            do {
                try await Task.sleep(for: checkInterval)
            } catch {
                return false
            }
            guard buffer.unsettledCount == 0, connections.source.isConsuming else {
                quietChecks = 0
                continue
            }
            let ready = try? await connections.source.readyMessages(in: inputQueues)
            let retrying = try? await connections.sink.messageCount(in: retryQueues)
            quietChecks = ready == 0 && retrying == 0 ? quietChecks + 1 : 0
            if quietChecks >= 2, buffer.unsettledCount == 0 {
                return true
            }
        }
        return false
    }
}
