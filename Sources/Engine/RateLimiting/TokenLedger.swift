/// The token reservations still inside the tokens-per-minute window, oldest first.
///
/// Each grant appends its estimate; completing the call overwrites it with the
/// reported usage, keeping the original instant because the provider counted
/// the request when it arrived. Entries leave once their window has passed, so
/// the ledger holds at most a window's worth of grants (bounded by `rpm`).
struct TokenLedger<Instant: InstantProtocol> where Instant.Duration == Duration {
    private struct Reservation {
        var permitID: UInt64
        var grantedAt: Instant
        var tokens: Int
    }

    private var entries: [Reservation] = []
    /// Entries before `head` have expired; they are dropped in batches to keep removal O(1) amortised.
    private var head = 0
    /// The sum of the live entries' tokens.
    private(set) var total = 0

    mutating func reserve(permitID: UInt64, grantedAt: Instant, tokens: Int) {
        entries.append(Reservation(permitID: permitID, grantedAt: grantedAt, tokens: tokens))
        total += tokens
    }

    /// Replaces a live reservation's tokens; a reservation that already left the window no longer matters.
    mutating func correct(permitID: UInt64, to tokens: Int) {
        // Permit ids grow in grant order, which is the entries' order.
        var low = head
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].permitID < permitID {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low < entries.count, entries[low].permitID == permitID else { return }
        total += tokens - entries[low].tokens
        entries[low].tokens = tokens
    }

    /// Drops the reservations that no longer count at `now`.
    mutating func expire(at now: Instant, window: Duration) {
        while head < entries.count, entries[head].grantedAt.advanced(by: window) <= now {
            total -= entries[head].tokens
            head += 1
        }
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// The earliest instant at which `need` more tokens fit under `limit`, or
    /// `nil` if they fit now. Call ``expire(at:window:)`` first.
    func earliestFit(need: Int, limit: Int, window: Duration) -> Instant? {
        guard total + need > limit else { return nil }
        var remaining = total
        for entry in entries[head...] {
            remaining -= entry.tokens
            if remaining + need <= limit {
                return entry.grantedAt.advanced(by: window)
            }
        }
        // Unreachable while need <= limit: once every entry has left, the window is empty.
        return entries.last.map { $0.grantedAt.advanced(by: window) }
    }

    /// Tokens of the reservations that still count at `now` in a window of `window`.
    func tokens(countingAt now: Instant, window: Duration) -> Int {
        var sum = 0
        for entry in entries[head...].reversed() {
            guard entry.grantedAt.advanced(by: window) > now else { break }
            sum += entry.tokens
        }
        return sum
    }
}
