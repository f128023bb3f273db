/// Which deliveries of one consumer channel are still unsettled, so that acks
/// can go out as one `multiple` ack where the broker allows it.
///
/// A multiple ack for tag N settles every unacknowledged delivery up to N, so
/// it is only sent for the longest run of settled tags at the front; acks past
/// a delivery still in flight go out one by one at once, so that a slow
/// message (a provider rate limit) never holds back the prefetch window.
/// Delivery tags on a channel start at 1 and grow by one per delivery; if they
/// ever do not, every ack is sent on its own from then on.
struct DeliverySettlement {
    /// One ack to send.
    struct Ack: Equatable {
        var tag: UInt64
        var multiple: Bool
    }

    private enum State: UInt8 {
        case unsettled, ackWaiting, settled
    }

    /// The tag of `states[head]`: the lowest delivery not yet known to be settled.
    private var lowestTag: UInt64 = 1
    private var states: [State] = []
    private var head = 0
    /// Set when tags were not consecutive: acks are then never combined.
    private var onlySingleAcks = false

    /// A delivery arrived.
    mutating func delivered(_ tag: UInt64) {
        guard !onlySingleAcks else { return }
        guard tag == lowestTag + UInt64(states.count - head) else {
            onlySingleAcks = true
            return
        }
        states.append(.unsettled)
    }

    /// A delivery was settled without an ack (nack, reject): it no longer holds a run back.
    mutating func settledWithoutAck(_ tag: UInt64) {
        if let index = index(of: tag), states[index] == .unsettled {
            states[index] = .settled
        }
        advance()
    }

    /// The acks that settle `tags`: at most one multiple ack for the run at the front, then single ones.
    mutating func acknowledge(_ tags: [UInt64]) -> [Ack] {
        guard !onlySingleAcks else { return tags.map { Ack(tag: $0, multiple: false) } }
        var untracked: [Ack] = []
        for tag in tags {
            if let index = index(of: tag), states[index] == .unsettled {
                states[index] = .ackWaiting
            } else {
                untracked.append(Ack(tag: tag, multiple: false))
            }
        }
        var acks: [Ack] = []
        if let run = advance() {
            acks.append(Ack(tag: run, multiple: true))
        }
        for tag in tags {
            guard let index = index(of: tag), states[index] == .ackWaiting else { continue }
            states[index] = .settled
            acks.append(Ack(tag: tag, multiple: false))
        }
        return acks + untracked
    }

    /// Deliveries not settled yet, for tests.
    var unsettledCount: Int {
        states[head...].filter { $0 == .unsettled }.count
    }

    private func index(of tag: UInt64) -> Int? {
        guard tag >= lowestTag else { return nil }
        let index = head + Int(tag - lowestTag)
        return index < states.count ? index : nil
    }

    /// Moves past the settled front; returns the highest tag in it whose ack is still to be sent.
    @discardableResult
    private mutating func advance() -> UInt64? {
        var highestWaiting: UInt64?
        while head < states.count, states[head] != .unsettled {
            if states[head] == .ackWaiting { highestWaiting = lowestTag }
            head += 1
            lowestTag += 1
        }
        if head >= 1024, head * 2 >= states.count {
            states.removeFirst(head)
            head = 0
        }
        return highestWaiting
    }
}
