@testable import Engine
import Foundation
import Testing

@Suite("Shared budget: what is left of an announced cooldown")
struct SharedBudgetCooldownTests {
    private func announcement(delayMilliseconds: Int64?, sentMilliseconds: Int64?) -> Delivery {
        var headers: [String: FieldValue] = [:]
        if let delayMilliseconds { headers["x-delay-ms"] = .integer(delayMilliseconds) }
        if let sentMilliseconds { headers["x-sent-ms"] = .integer(sentMilliseconds) }
        return Delivery(
            deliveryTag: 1, connectionGeneration: 1, queue: "q", exchange: "tweetd.control", routingKey: "cooldown.b",
            redelivered: false, properties: MessageProperties(headers: headers), body: []
        )
    }

    private let now = Date(timeIntervalSince1970: 1_790_000_000)
    private var nowMilliseconds: Int64 { Int64(now.timeIntervalSince1970 * 1000) }

    @Test("Heard as it was sent, a cooldown counts in full from now, whatever the sender's clock says")
    func liveAnnouncementCountsInFull() {
        let heard = announcement(delayMilliseconds: 20_000, sentMilliseconds: nowMilliseconds - 15_000)
        #expect(SharedBudgetSession.cooldownLeft(in: heard, now: now) == .seconds(20))
    }

    @Test("Read back later, its age comes off, less a second for the clocks; never more than the delay, never negative")
    func agedAnnouncementLosesItsAge() {
        let old = announcement(delayMilliseconds: 20_000, sentMilliseconds: nowMilliseconds - 15_000)
        #expect(SharedBudgetSession.cooldownLeft(in: old, aged: true, now: now) == .seconds(6))
        let fromTheFuture = announcement(delayMilliseconds: 20_000, sentMilliseconds: nowMilliseconds + 60_000)
        #expect(SharedBudgetSession.cooldownLeft(in: fromTheFuture, aged: true, now: now) == .seconds(20))
        let over = announcement(delayMilliseconds: 20_000, sentMilliseconds: nowMilliseconds - 25_000)
        #expect(SharedBudgetSession.cooldownLeft(in: over, aged: true, now: now) == nil)
        #expect(SharedBudgetSession.cooldownLeft(in: announcement(delayMilliseconds: 0, sentMilliseconds: nil), now: now) == nil)
        #expect(SharedBudgetSession.cooldownLeft(in: announcement(delayMilliseconds: nil, sentMilliseconds: nil), now: now) == nil)
        let huge = announcement(delayMilliseconds: .max, sentMilliseconds: nil)
        #expect(SharedBudgetSession.cooldownLeft(in: huge, now: now) == .seconds(86_400), "a day at most")
    }
}
