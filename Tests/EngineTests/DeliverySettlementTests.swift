@testable import Engine
import Testing

@Suite("Acks combined into multiple acks only where every earlier delivery is settled")
struct DeliverySettlementTests {
    private typealias Ack = DeliverySettlement.Ack

    private func delivered(_ count: UInt64) -> DeliverySettlement {
        var settlement = DeliverySettlement()
        for tag in 1...count { settlement.delivered(tag) }
        return settlement
    }

    @Test("Acks for the front run go out as one multiple ack")
    func frontRun() {
        var settlement = delivered(5)
        #expect(settlement.acknowledge([2, 1, 3]) == [Ack(tag: 3, multiple: true)])
        #expect(settlement.unsettledCount == 2)
        #expect(settlement.acknowledge([4, 5]) == [Ack(tag: 5, multiple: true)])
        #expect(settlement.unsettledCount == 0)
    }

    @Test("An ack past a delivery still in flight goes out alone at once, and is not repeated later")
    func pastAGap() {
        var settlement = delivered(4)
        #expect(settlement.acknowledge([2, 3]) == [Ack(tag: 2, multiple: false), Ack(tag: 3, multiple: false)])
        // Tag 1 finishes: the front run is 1…3, but only 1 still needs its ack.
        #expect(settlement.acknowledge([1]) == [Ack(tag: 1, multiple: true)])
        #expect(settlement.acknowledge([4]) == [Ack(tag: 4, multiple: true)])
    }

    @Test("A nacked delivery does not hold the run back, and is not acked")
    func nackInTheRun() {
        var settlement = delivered(3)
        settlement.settledWithoutAck(2)
        #expect(settlement.acknowledge([1]) == [Ack(tag: 1, multiple: true)])
        #expect(settlement.acknowledge([3]) == [Ack(tag: 3, multiple: true)], "multiple up to 3 touches only 3: 2 was nacked, 1 acked")
        #expect(settlement.unsettledCount == 0)
    }

    @Test("Tags that are not consecutive turn combining off for the connection")
    func unexpectedTags() {
        var settlement = DeliverySettlement()
        settlement.delivered(1)
        settlement.delivered(5)
        #expect(settlement.acknowledge([1, 5]) == [Ack(tag: 1, multiple: false), Ack(tag: 5, multiple: false)])
    }

    @Test("Ten thousand deliveries settled in a shuffled order: every tag acked exactly once, directly or by a multiple ack")
    func shuffledOrder() {
        var settlement = delivered(10_000)
        var generator = SystemRandomNumberGenerator()
        var tags = Array(UInt64(1)...10_000)
        tags.shuffle(using: &generator)
        var acked = Set<UInt64>()
        var lowestUnacked: UInt64 = 1
        var index = 0
        while index < tags.count {
            let batch = Array(tags[index..<min(tags.count, index + Int.random(in: 1...20))])
            index += batch.count
            for ack in settlement.acknowledge(batch) {
                if ack.multiple {
                    // A multiple ack must not reach past a delivery that is not done.
                    for tag in lowestUnacked...ack.tag where !acked.contains(tag) {
                        #expect(batch.contains(tag) || tags[..<index].contains(tag), "tag \(tag) acked before it was done")
                        acked.insert(tag)
                    }
                } else {
                    #expect(!acked.contains(ack.tag), "tag \(ack.tag) acked twice")
                    acked.insert(ack.tag)
                }
                while acked.contains(lowestUnacked) { lowestUnacked += 1 }
            }
        }
        #expect(acked.count == 10_000)
        #expect(settlement.unsettledCount == 0)
    }
}
