import Synchronization

/// Prefetched deliveries waiting for a worker, highest AMQP priority first.
///
/// The broker orders only what waits in its queue; once a batch is prefetched,
/// this buffer keeps the order among them. Equal priorities leave in arrival
/// order. The consumer thread pushes without blocking; workers wait in `next()`.
///
/// It also keeps the one count of a delivery's life in the pipeline: from ``push(_:)``
/// until ``settle()`` (acked or given back), whether it waits here or a worker holds it.
/// Both parts are read under one lock (``counts``), so a reader never sees a delivery
/// both waiting and held.
public final class DeliveryBuffer: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Delivery?, Never>
    }

    private struct State {
        var heap = DeliveryHeap()
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var finished = false
        /// Pushed and not yet settled: waiting in the heap or held by a worker.
        var unsettled = 0
    }

    private let state = Mutex(State())

    /// Creates an empty buffer.
    public init() {}

    /// Hands `delivery` to a waiting worker or keeps it, and counts it unsettled until ``settle()``;
    /// false (and not counted) once the buffer is finished.
    @discardableResult
    public func push(_ delivery: Delivery) -> Bool {
        put(delivery, counting: true)
    }

    /// A worker that will not process `delivery` puts it back for another; it stays counted.
    /// False once the buffer is finished: the worker must then give it back to the broker and ``settle()``.
    public func giveBack(_ delivery: Delivery) -> Bool {
        put(delivery, counting: false)
    }

    /// One delivery a worker held is acked or given back to the broker.
    public func settle() {
        state.withLock { $0.unsettled -= 1 }
    }

    /// Deliveries pushed and not yet settled: buffered, or held by a worker.
    public var unsettledCount: Int {
        state.withLock { $0.unsettled }
    }

    /// Deliveries waiting here, and deliveries workers hold, read together.
    public var counts: (buffered: Int, held: Int) {
        state.withLock { ($0.heap.count, $0.unsettled - $0.heap.count) }
    }

    private func put(_ delivery: Delivery, counting: Bool) -> Bool {
        let (accepted, waiter): (Bool, Waiter?) = state.withLock { state in
            if state.finished { return (false, nil) }
            if counting { state.unsettled += 1 }
            if !state.waiters.isEmpty {
                return (true, state.waiters.removeFirst())
            }
            state.heap.insert(delivery)
            return (true, nil)
        }
        waiter?.continuation.resume(returning: delivery)
        return accepted
    }

    /// The highest-priority delivery, waiting for one if needed; nil once finished (or cancelled).
    public func next() async -> Delivery? {
        let id: UInt64 = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
                let immediate: Delivery?? = state.withLock { state in
                    if let delivery = state.heap.popFirst() { return .some(delivery) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .none
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// Stops accepting deliveries, wakes every waiting worker with nil, and returns what was still
    /// buffered, no longer counted: the caller gives it back to the broker.
    public func finish() -> [Delivery] {
        let (waiters, remaining) = state.withLock { state -> ([Waiter], [Delivery]) in
            state.finished = true
            var remaining: [Delivery] = []
            while let delivery = state.heap.popFirst() { remaining.append(delivery) }
            state.unsettled -= remaining.count
            defer { state.waiters.removeAll() }
            return (state.waiters, remaining)
        }
        for waiter in waiters {
            waiter.continuation.resume(returning: nil)
        }
        return remaining
    }

    /// Removes (and no longer counts) every waiting delivery that `shouldDrop` picks; returns how many went.
    @discardableResult
    public func removeAll(where shouldDrop: (Delivery) -> Bool) -> Int {
        state.withLock { state in
            var kept = DeliveryHeap()
            var dropped = 0
            while let delivery = state.heap.popFirst() {
                if shouldDrop(delivery) {
                    dropped += 1
                } else {
                    kept.insert(delivery)
                }
            }
            state.heap = kept
            state.unsettled -= dropped
            return dropped
        }
    }

    /// Whether `finish()` was called.
    public var isFinished: Bool {
        state.withLock { $0.finished }
    }

    /// How many deliveries wait for a worker.
    public var count: Int {
        state.withLock { $0.heap.count }
    }

    /// How many workers wait in ``next()`` for a delivery: the next `push` goes straight to the
    /// first of them instead of into the buffer.
    public var waitingWorkers: Int {
        state.withLock { $0.waiters.count }
    }
}

/// A binary max-heap of deliveries by (priority, earlier arrival).
struct DeliveryHeap {
    private var elements: [(delivery: Delivery, sequence: UInt64)] = []
    private var nextSequence: UInt64 = 0

    var count: Int { elements.count }

    mutating func insert(_ delivery: Delivery) {
        elements.append((delivery, nextSequence))
        nextSequence += 1
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard comesFirst(child, parent) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Delivery? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let first = elements.removeLast().delivery
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < elements.count, comesFirst(left, best) { best = left }
            if right < elements.count, comesFirst(right, best) { best = right }
            if best == parent { break }
            elements.swapAt(parent, best)
            parent = best
        }
        return first
    }

    private func comesFirst(_ a: Int, _ b: Int) -> Bool {
        let (left, right) = (elements[a], elements[b])
        if left.delivery.priority != right.delivery.priority {
            return left.delivery.priority > right.delivery.priority
        }
        return left.sequence < right.sequence
    }
}
