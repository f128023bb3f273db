@testable import Engine
import Testing

/// The publisher-confirm bookkeeping decides which input is acked: a publish counted as
/// stored when it was not loses that tweet.
@Suite("Publisher confirms: acks, nacks and returns, without a broker")
struct ConfirmTrackerTests {
    private func message(_ body: String, exchange: String = "tweets.retry", routingKey: String = "tweets.in") -> OutgoingMessage {
        OutgoingMessage(exchange: exchange, routingKey: routingKey, properties: MessageProperties(headers: ["tweetd-retry-delay": .string("5")]), body: Array(body.utf8))
    }

    private let returnError = AMQPError(.publishReturned, "returned", replyCode: 312, replyText: "NO_ROUTE")
    private let nackError = AMQPError(.publishNacked, "nacked")

    @Test("Single acks in any order settle exactly the publish they name")
    func outOfOrderAcks() {
        var tracker = ConfirmTracker<Int>()
        for waiter in 1...5 { tracker.published(message("m\(waiter)"), waiter: waiter) }
        #expect(tracker.settle(3, multiple: false, nackError: nil).map(\.waiter) == [3])
        #expect(tracker.settle(1, multiple: false, nackError: nil).map(\.waiter) == [1])
        #expect(tracker.settle(3, multiple: false, nackError: nil).isEmpty, "a second ack of a tag settles nothing")
        #expect(tracker.settle(5, multiple: false, nackError: nil).map(\.waiter) == [5])
        #expect(tracker.unconfirmedCount == 2)
        #expect(tracker.settle(9, multiple: false, nackError: nil).isEmpty, "an unknown tag settles nothing")
    }

    @Test("A multiple ack settles every earlier publish still waiting and none after it")
    func multipleAck() {
        var tracker = ConfirmTracker<Int>()
        for waiter in 1...6 { tracker.published(message("m\(waiter)"), waiter: waiter) }
        _ = tracker.settle(2, multiple: false, nackError: nil)
        let settled = tracker.settle(4, multiple: true, nackError: nil)
        #expect(settled.map(\.waiter) == [1, 3, 4])
        #expect(settled.allSatisfy { $0.failure == nil })
        #expect(tracker.settle(1, multiple: true, nackError: nil).isEmpty, "a multiple ack below what is settled is harmless")
        #expect(tracker.unconfirmedCount == 2)
    }

    @Test("A multiple nack fails every earlier publish still waiting")
    func multipleNack() {
        var tracker = ConfirmTracker<Int>()
        for waiter in 1...3 { tracker.published(message("m\(waiter)"), waiter: waiter) }
        let settled = tracker.settle(2, multiple: true, nackError: nackError)
        #expect(settled.map(\.waiter) == [1, 2])
        #expect(settled.allSatisfy { $0.failure?.code == .publishNacked })
    }

    @Test("A return is pinned on the publish it carries, not on an older one with the same exchange and key")
    func returnMatchesItsOwnPublish() {
        // Retry A is still being persisted when retry B, on the same exchange and key, comes back
        // unroutable: B's ack must fail B, and A's later ack must confirm A.
        var tracker = ConfirmTracker<String>()
        let retryA = message("tweet A")
        let retryB = message("tweet B")
        tracker.published(retryA, waiter: "A")
        tracker.published(retryB, waiter: "B")
        tracker.returned(exchange: retryB.exchange, routingKey: retryB.routingKey, properties: retryB.properties, body: retryB.body, error: returnError)
        let ackB = tracker.settle(2, multiple: false, nackError: nil)
        #expect(ackB.map(\.waiter) == ["B"])
        #expect(ackB.first?.failure?.code == .publishReturned)
        let ackA = tracker.settle(1, multiple: false, nackError: nil)
        #expect(ackA.map(\.waiter) == ["A"])
        #expect(ackA.first?.failure == nil, "A was stored: its input may be acked")
    }

    @Test("A return that matches no publish exactly marks every candidate with its exchange and key, never none")
    func unmatchedReturnIsConservative() {
        var tracker = ConfirmTracker<String>()
        tracker.published(message("tweet A"), waiter: "A")
        tracker.published(message("tweet B"), waiter: "B")
        tracker.published(message("tweet C", routingKey: "tweets.vip"), waiter: "C")
        // Properties that did not survive decoding exactly.
        tracker.returned(exchange: "tweets.retry", routingKey: "tweets.in", properties: MessageProperties(), body: Array("tweet B".utf8), error: returnError)
        let settled = tracker.settle(3, multiple: true, nackError: nil)
        #expect(settled.filter { $0.failure != nil }.map(\.waiter).sorted() == ["A", "B"])
        #expect(settled.first { $0.waiter == "C" }?.failure == nil)
    }

    @Test("Closing the channel fails every publish waiting, and the old tags' late confirms settle nothing")
    func failAll() {
        var tracker = ConfirmTracker<Int>()
        for waiter in 1...3 { tracker.published(message("m\(waiter)"), waiter: waiter) }
        _ = tracker.settle(1, multiple: false, nackError: nil)
        #expect(tracker.failAll() == [2, 3])
        #expect(tracker.settle(3, multiple: true, nackError: nil).isEmpty)
        #expect(tracker.unconfirmedCount == 0)
        tracker.reset()
        #expect(tracker.published(message("again"), waiter: 4) == 1, "a fresh channel numbers from 1")
    }

    @Test("Ten thousand publishes confirmed in shuffled single and multiple acks: each settled exactly once")
    func shuffledSettlement() {
        var tracker = ConfirmTracker<Int>()
        let count = 10_000
        for waiter in 1...count { tracker.published(message("m"), waiter: waiter) }
        var generator = SystemRandomNumberGenerator()
        var seen = Set<Int>()
        var duplicates = 0
        for tag in (1...count).shuffled(using: &generator) {
            for entry in tracker.settle(UInt64(tag), multiple: Bool.random(using: &generator), nackError: nil) {
                if !seen.insert(entry.waiter).inserted { duplicates += 1 }
            }
        }
        #expect(seen.count == count)
        #expect(duplicates == 0)
        #expect(tracker.unconfirmedCount == 0)
    }
}
