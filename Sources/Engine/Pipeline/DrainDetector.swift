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
    /// Deliveries handed over and not yet acked or given back.
    var unsettled: @Sendable () -> Int

    /// Returns true once drained; false when `isStopping` turned true first or the task was cancelled.
    func waitUntilDrained(_ connections: TweetPipeline.Connections, isStopping: @Sendable () -> Bool) async -> Bool {
        var quietChecks = 0
        while !isStopping() {
            do {
                try await Task.sleep(for: checkInterval)
            } catch {
                return false
            }
            guard unsettled() == 0, connections.source.isConsuming else {
                quietChecks = 0
                continue
            }
            let ready = try? await connections.source.readyMessages(in: inputQueues)
            let retrying = try? await connections.sink.messageCount(in: retryQueues)
            quietChecks = ready == 0 && retrying == 0 ? quietChecks + 1 : 0
            if quietChecks >= 2, unsettled() == 0 {
                return true
            }
        }
        return false
    }
}
