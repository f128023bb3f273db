import Engine
import Foundation
import Testing

@Suite("Queue status reports without a broker")
struct QueueStatusReportTests {
    let topology = TopologyConfiguration()
    let start = ContinuousClock.now
    let time = Date(timeIntervalSince1970: 1_790_000_000)

    private func sample(after seconds: Double, _ counts: [String: (Int, Int)?]) -> QueueStatusSample {
        QueueStatusSample(
            time: time.addingTimeInterval(seconds),
            instant: start.advanced(by: .milliseconds(Int64(seconds * 1000))),
            readings: topology.monitoredQueues.map { queue in
                let state = counts[queue.name].map { $0.map { QueueState(name: queue.name, messages: $0.0, consumers: $0.1) } } ?? QueueState(name: queue.name, messages: 0, consumers: 0)
                return QueueStatusSample.Reading(queue: queue, state: state)
            }
        )
    }

    @Test("The monitored queues are the input, retry, dead-letter and results queues, in that order")
    func monitoredQueues() {
        #expect(topology.monitoredQueues.map(\.name) == ["tweets.in", "tweets.retry.5", "tweets.retry.30", "tweets.retry.120", "tweets.dead", "tweets.results"])
        #expect(topology.monitoredQueues.map(\.role) == [.input, .retry, .retry, .retry, .deadLetter, .results])
        var noResults = topology
        noResults.resultsQueue = nil
        #expect(noResults.monitoredQueues.last?.role == .deadLetter)
    }

    @Test("Rates are the change of ready messages per second between two samples")
    func rates() {
        let first = sample(after: 0, ["tweets.in": (1000, 1), "tweets.dead": (4, 0)])
        let second = sample(after: 2, ["tweets.in": (400, 1), "tweets.dead": (10, 0), "tweets.retry.5": (2, 0)])
        let report = QueueStatusReport(sample: second, previous: first, broker: "amqp://guest@localhost:5672/")
        #expect(report.intervalSeconds == 2)
        #expect(report.rows.map(\.messagesPerSecond) == [-300, 1, 0, 0, 3, 0])
        #expect(report.pendingMessages == 402, "input and retry queues")
        #expect(report.deadLetters == 10)
        #expect(QueueStatusReport(sample: first, previous: nil, broker: "b").rows.allSatisfy { $0.messagesPerSecond == nil })
    }

    @Test("The JSON is one line with every queue; a missing queue has exists false and null counts")
    func json() throws {
        let report = QueueStatusReport(sample: sample(after: 0, ["tweets.in": (12, 1), "tweets.results": nil]), previous: nil, broker: "b")
        let text = report.json()
        #expect(!text.contains("\n"))
        let object = try #require(try StrictJSONParser().parse(Array(text.utf8)).objectValue)
        #expect(object["time"] == .string("2026-09-21T14:13:20.000Z"))
        #expect(object["interval_seconds"] == .null)
        #expect(object["pending"] == .integer(12))
        let queues = try #require(object["queues"]?.arrayValue)
        #expect(queues.first == ["name": "tweets.in", "role": "input", "exists": true, "messages": 12, "consumers": 1, "messages_per_second": nil])
        #expect(queues.last == ["name": "tweets.results", "role": "results", "exists": false, "messages": nil, "consumers": nil, "messages_per_second": nil])
    }

    @Test("The table lines up names on the left and numbers on the right")
    func table() {
        let first = sample(after: 0, ["tweets.in": (1000, 1)])
        let second = sample(after: 2, ["tweets.in": (400, 1), "tweets.results": nil])
        let lines = QueueStatusReport(sample: second, previous: first, broker: "amqp://guest@localhost:5672/").table().split(separator: "\n")
        #expect(lines[0] == "2026-09-21T14:13:22.000Z  amqp://guest@localhost:5672/  pending 400  dead letters 0")
        #expect(lines[1] == "QUEUE             ROLE         MESSAGES  CONSUMERS  RATE/S")
        #expect(lines[2] == "tweets.in         input             400          1  -300.0")
        #expect(lines[7] == "tweets.results    results       missing          -       -")
    }

    @Test("Shared budgets get a table of their own and a shared_budgets array: instances, refiller, tokens, cooldown")
    func sharedBudgets() throws {
        var report = QueueStatusReport(sample: sample(after: 0, [:]), previous: nil, broker: "b")
        #expect(!report.table().contains("SHARED BUDGET"), "no shared budget, no table")
        #expect(!report.json().contains("shared_budgets"))
        report.budgets = [SharedBudgetStatus(
            budget: "team", providers: ["fast", "slow"], isRefiller: false, refiller: "host-7:4121", instances: 3,
            tokensAvailable: 1, cooldownSeconds: 12.5, sustainedRequestsPerMinute: 589.7, connected: true
        )]
        let lines = report.table().split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("SHARED BUDGET") })
        let row = lines[header + 1].split(separator: " ").map(String.init)
        #expect(row == ["team", "fast,slow", "3", "host-7:4121", "1", "12.5s", "590"])
        let json = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let budget = try #require((json["shared_budgets"] as? [[String: Any]])?.first)
        #expect(budget["refiller"] as? String == "host-7:4121")
        #expect(budget["instances"] as? Int == 3)
        #expect(budget["cooldown_seconds"] as? Double == 12.5)
    }
}
