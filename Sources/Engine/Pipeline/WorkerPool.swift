import Synchronization

/// How many workers the pipeline runs, and the starting and leaving that keeps that number
/// when a reload changes it.
///
/// More workers start at once (``run(_:)`` is woken); with fewer, a worker beyond the count
/// leaves after the message it holds, so nothing is cut short.
final class WorkerPool: Sendable {
    /// How many workers there should be, how many run, and the next worker's number (for logs):
    /// one lock, so starting and leaving agree.
    private let census: Mutex<(target: Int, running: Int, nextNumber: Int)>
    /// Wakes ``run(_:)`` to start workers after a reload raised the count; finished when the pipeline stops taking work.
    private let requests = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    init(workers: Int) {
        census = Mutex((target: max(1, workers), running: 0, nextNumber: 0))
    }

    /// Workers there should be, as configured now.
    var target: Int {
        census.withLock { $0.target }
    }

    /// Sets how many workers there should be; starts the missing ones at once.
    func resize(to workers: Int) {
        census.withLock { $0.target = max(1, workers) }
        requests.continuation.yield()
    }

    /// Runs `work` once per worker (its number as argument), starting more whenever a resize asks,
    /// until ``stopStarting()``; returns when every worker has returned.
    func run(_ work: @escaping @Sendable (_ worker: Int) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            startMissing(in: &group, work)
            for await _ in requests.stream {
                startMissing(in: &group, work)
            }
            await group.waitForAll()
        }
    }

    /// No more workers start (the pipeline takes no more work).
    func stopStarting() {
        requests.continuation.finish()
    }

    /// True when this worker should stop because a resize lowered the count; it is then no longer counted.
    func leaveIfSurplus() -> Bool {
        census.withLock { census in
            guard census.running > census.target else { return false }
            census.running -= 1
            return true
        }
    }

    private func startMissing(in group: inout TaskGroup<Void>, _ work: @escaping @Sendable (Int) async -> Void) {
        let numbers = census.withLock { census -> Range<Int> in
            let missing = max(0, census.target - census.running)
            defer {
                census.running += missing
                census.nextNumber += missing
            }
            return census.nextNumber..<(census.nextNumber + missing)
        }
        for worker in numbers {
            group.addTask { await work(worker) }
        }
    }
}
