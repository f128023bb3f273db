/// The instants of the latest grants, oldest first, at most `capacity` of them.
///
/// The limiter only asks "when was the n-th latest grant" for n up to
/// `max(rpm, burst)`, so the log is a ring that overwrites its oldest entry
/// instead of pruning by age: memory is bounded by the limit and a grant costs
/// O(1). Storage grows as grants come, so a generous limit (the built-in
/// provider's million a minute) costs nothing until it is used.
struct GrantLog<Instant: InstantProtocol> where Instant.Duration == Duration {
    private var storage: [Instant] = []
    /// Where the oldest entry sits once the ring has wrapped.
    private var start = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Entries kept: every grant since the limiter started, up to `capacity`.
    var count: Int { storage.count }

    /// The kept grant at `index`, 0 being the oldest.
    subscript(index: Int) -> Instant {
        storage[(start + index) % storage.count]
    }

    mutating func append(_ instant: Instant) {
        if storage.count < capacity {
            // Only after the capacity grew can a wrapped ring have room to spare.
            linearize()
            storage.append(instant)
        } else {
            storage[start] = instant
            start = (start + 1) % storage.count
        }
    }

    /// Removes the latest entry equal to `instant` (a grant taken back), if any is kept.
    mutating func removeLatest(_ instant: Instant) {
        // Usually the grant taken back is the latest and the ring has not wrapped: no copy.
        if start == 0, storage.last == instant {
            storage.removeLast()
            return
        }
        linearize()
        guard let index = storage.lastIndex(of: instant) else { return }
        storage.remove(at: index)
    }

    /// Keeps the latest `newCapacity` entries (the ones a smaller limit can still ask for).
    mutating func resize(to newCapacity: Int) {
        let newCapacity = max(newCapacity, 1)
        linearize()
        if storage.count > newCapacity {
            storage.removeFirst(storage.count - newCapacity)
        }
        capacity = newCapacity
    }

    /// How many kept grants still count at `now` in a window of `window`.
    func count(countingAt now: Instant, window: Duration) -> Int {
        // Entries are in time order: find the first that still counts.
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].advanced(by: window) > now {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return count - low
    }

    private mutating func linearize() {
        guard start != 0 else { return }
        storage = Array(storage[start...] + storage[..<start])
        start = 0
    }
}
