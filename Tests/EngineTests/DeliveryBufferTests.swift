import Engine
import Testing

@Suite("Local priority buffer")
struct DeliveryBufferTests {
    private func delivery(_ tag: UInt64, priority: UInt8?) -> Delivery {
        Delivery(
            deliveryTag: tag, connectionGeneration: 1, queue: "q", exchange: "x", routingKey: "k",
            redelivered: false, properties: MessageProperties(priority: priority), body: []
        )
    }

    @Test("Buffered deliveries leave highest priority first, equal priorities in arrival order")
    func highestPriorityFirstThenArrivalOrder() async {
        let buffer = DeliveryBuffer()
        let priorities: [UInt8?] = [1, 5, nil, 5, 9, 0, 1]
        for (index, priority) in priorities.enumerated() {
            buffer.push(delivery(UInt64(index + 1), priority: priority))
        }
        var tags: [UInt64] = []
        for _ in priorities {
            if let next = await buffer.next() { tags.append(next.deliveryTag) }
        }
        #expect(tags == [5, 2, 4, 1, 7, 3, 6])
    }

    @Test("A waiting worker gets the next push at once")
    func waitingWorkerIsHandedThePush() async throws {
        let buffer = DeliveryBuffer()
        async let taken = buffer.next()
        // Only a push that meets a registered waiter proves the hand-over: pushed earlier, the
        // delivery would sit in the buffer and `next()` would find it there just the same.
        let deadline = ContinuousClock.now + .seconds(5)
        while buffer.waitingWorkers == 0, ContinuousClock.now < deadline {
            await Task.yield()
            try await Task.sleep(for: .milliseconds(1))
        }
        try #require(buffer.waitingWorkers == 1)
        buffer.push(delivery(42, priority: 3))
        let buffered = buffer.count
        #expect(buffered == 0, "the push went into the buffer instead of to the waiting worker")
        #expect(buffer.waitingWorkers == 0)
        // A delivery left in the buffer never reaches the waiter: wake it with nil so the test fails instead of hanging.
        if buffered != 0 { _ = buffer.finish() }
        #expect(await taken?.deliveryTag == 42)
    }

    @Test("finish() wakes waiting workers with nil, returns what was buffered, and refuses later pushes")
    func finishReturnsBufferedAndRefusesMore() async {
        let buffer = DeliveryBuffer()
        buffer.push(delivery(1, priority: 2))
        buffer.push(delivery(2, priority: 7))
        let remaining = buffer.finish()
        #expect(remaining.map(\.deliveryTag) == [2, 1])
        #expect(buffer.push(delivery(3, priority: 1)) == false)
        #expect(await buffer.next() == nil)
        #expect(buffer.isFinished)
    }
}
