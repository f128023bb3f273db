/// The publisher-confirm bookkeeping of one channel, without I/O: which publish
/// waits for which confirm, and which one a `basic.return` belongs to.
///
/// With confirms on, the n-th publish on a channel has sequence number n; the
/// broker acks or nacks by that number, alone or with every earlier one
/// (`multiple`), in any order. A mandatory message no queue took comes back as
/// `basic.return` just before its ack, and that ack means only "handled", so
/// the return must be pinned on the right publish: the returned message's
/// exchange, routing key, properties and body identify it. Two publishes that
/// are identical in all of those are interchangeable; when the returned copy
/// matches no publish exactly (a header kind that does not survive decoding),
/// every candidate with that exchange and routing key is marked returned, so a
/// publish is never counted as stored when it may not be (its input goes back to
/// the queue and is processed again: a duplicate, never a loss).
struct ConfirmTracker<Waiter> {
    /// A publish waiting for its confirm.
    struct Pending {
        var waiter: Waiter
        var message: OutgoingMessage
        var returned: AMQPError?
        var sentAt: ContinuousClock.Instant
    }

    /// What became of a publish.
    struct Settled {
        var waiter: Waiter
        /// nil when the broker has the message; the reason otherwise.
        var failure: AMQPError?
        var sentAt: ContinuousClock.Instant
    }

    /// Publishes awaiting a confirm, indexed by sequence number minus `firstSequence`.
    private var pending: [Pending?] = []
    private var firstSequence: UInt64 = 1
    private var nextSequence: UInt64 = 1
    /// Entries before this index are all settled.
    private var settledPrefix = 0

    /// Publishes still waiting for their confirm.
    private(set) var unconfirmedCount = 0

    /// Forgets everything: a fresh channel starts numbering at 1 again.
    mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        firstSequence = 1
        nextSequence = 1
        settledPrefix = 0
        unconfirmedCount = 0
    }

    /// Records a publish just sent; returns its sequence number.
    @discardableResult
    mutating func published(_ message: OutgoingMessage, waiter: Waiter, at instant: ContinuousClock.Instant = .now) -> UInt64 {
        pending.append(Pending(waiter: waiter, message: message, returned: nil, sentAt: instant))
        unconfirmedCount += 1
        defer { nextSequence += 1 }
        return nextSequence
    }

    /// Pins a `basic.return` on the publish it belongs to (see the type's documentation).
    mutating func returned(
        exchange: String, routingKey: String, properties: MessageProperties, body: [UInt8], error: AMQPError
    ) {
        var candidates: [Int] = []
        for index in settledPrefix..<pending.count {
            guard let entry = pending[index], entry.returned == nil,
                entry.message.exchange == exchange, entry.message.routingKey == routingKey
            else { continue }
            if entry.message.body == body, entry.message.properties == properties {
                pending[index]?.returned = error
                return
            }
            candidates.append(index)
        }
        for index in candidates {
            pending[index]?.returned = error
        }
    }

    /// Settles the publish `tag` (and, with `multiple`, every earlier one still waiting).
    ///
    /// An ack confirms each publish that was not returned; a nack fails them all with `nackError`.
    /// Tags that are unknown or already settled are ignored.
    mutating func settle(_ tag: UInt64, multiple: Bool, nackError: AMQPError?) -> [Settled] {
        guard tag >= firstSequence, tag < nextSequence else { return [] }
        let last = Int(tag - firstSequence)
        let first = multiple ? settledPrefix : last
        guard first <= last, last >= settledPrefix else { return [] }
        var settled: [Settled] = []
        for index in first...last {
            guard let entry = pending[index] else { continue }
            pending[index] = nil
            unconfirmedCount -= 1
            settled.append(Settled(waiter: entry.waiter, failure: nackError ?? entry.returned, sentAt: entry.sentAt))
        }
        while settledPrefix < pending.count, pending[settledPrefix] == nil {
            settledPrefix += 1
        }
        // Compact now and then so the array does not grow without bound.
        if settledPrefix > 4096, settledPrefix * 2 > pending.count {
            pending.removeFirst(settledPrefix)
            firstSequence += UInt64(settledPrefix)
            settledPrefix = 0
        }
        return settled
    }

    /// Every publish still waiting, in order, for failing them when the channel or connection closes;
    /// the tracker is empty afterwards, and later confirms of the old numbers are ignored.
    mutating func failAll() -> [Waiter] {
        let waiters = pending.compactMap { $0?.waiter }
        pending.removeAll(keepingCapacity: true)
        firstSequence = nextSequence
        settledPrefix = 0
        unconfirmedCount = 0
        return waiters
    }
}
