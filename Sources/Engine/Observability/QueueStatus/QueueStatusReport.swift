import Foundation

/// What `tweetd status` shows: each queue's counts, and with a previous sample, how fast each changes.
public struct QueueStatusReport: Sendable {
    /// One queue's line.
    public struct Row: Sendable, Equatable {
        /// Which queue.
        public var queue: MonitoredQueue
        /// Ready messages and consumers; nil when the queue does not exist.
        public var state: QueueState?
        /// Change of ready messages per second since the previous sample (negative: the queue shrinks).
        public var messagesPerSecond: Double?
    }

    /// When the sample was taken.
    public var time: Date
    /// Seconds since the previous sample; nil for the first.
    public var intervalSeconds: Double?
    /// The broker, without its password.
    public var broker: String
    /// One row per queue.
    public var rows: [Row]
    /// The shared provider budgets the configuration takes from, as the broker shows them.
    public var budgets: [SharedBudgetStatus] = []

    /// Builds the report for `sample`, with rates when there is a `previous` sample of the same queues.
    public init(sample: QueueStatusSample, previous: QueueStatusSample?, broker: String) {
        time = sample.time
        self.broker = broker
        let interval = previous.map { (sample.instant - $0.instant).seconds }
        intervalSeconds = interval
        rows = sample.readings.map { reading in
            var rate: Double?
            if let interval, interval > 0, let now = reading.state?.messages,
                let before = previous?.readings.first(where: { $0.queue == reading.queue })?.state?.messages
            {
                rate = Double(now - before) / interval
            }
            return Row(queue: reading.queue, state: reading.state, messagesPerSecond: rate)
        }
    }

    /// Ready messages in the input and retry queues.
    public var pendingMessages: Int {
        rows.filter(\.queue.holdsPendingWork).compactMap(\.state?.messages).reduce(0, +)
    }

    /// Ready messages in the dead-letter queue.
    public var deadLetters: Int {
        rows.filter { $0.queue.role == .deadLetter }.compactMap(\.state?.messages).reduce(0, +)
    }

    /// One JSON object on one line, for scripts:
    /// `{"time", "broker", "interval_seconds", "pending", "dead_letters", "queues": [{name, role, exists, messages, consumers, messages_per_second}]}`.
    public func json() -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("time", Timestamp.rfc3339(time))
        json.field("broker", broker)
        json.field("interval_seconds", intervalSeconds.map(Self.rounded))
        json.field("pending", pendingMessages)
        json.field("dead_letters", deadLetters)
        json.key("queues")
        json.beginArray()
        for row in rows {
            json.beginObject()
            json.field("name", row.queue.name)
            json.field("role", row.queue.role.rawValue)
            json.field("exists", row.state != nil)
            json.field("messages", row.state?.messages)
            json.field("consumers", row.state?.consumers)
            json.field("messages_per_second", row.messagesPerSecond.map(Self.rounded))
            json.endObject()
        }
        json.endArray()
        if !budgets.isEmpty {
            json.key("shared_budgets")
            json.beginArray()
            for budget in budgets {
                json.beginObject()
                json.field("budget", budget.budget)
                json.field("providers", budget.providers.joined(separator: ","))
                json.field("instances", budget.instances)
                json.field("refiller", budget.refiller)
                json.field("tokens_available", budget.tokensAvailable)
                json.field("cooldown_seconds", Self.rounded(budget.cooldownSeconds))
                json.field("sustained_rpm", Self.rounded(budget.sustainedRequestsPerMinute))
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// A table for people; the rate column reads `-` until there is a previous sample.
    public func table() -> String {
        let header = ["QUEUE", "ROLE", "MESSAGES", "CONSUMERS", "RATE/S"]
        let cells = rows.map { row -> [String] in
            [
                row.queue.name,
                row.queue.role.rawValue,
                row.state.map { String($0.messages) } ?? "missing",
                row.state.map { String($0.consumers) } ?? "-",
                row.messagesPerSecond.map { abs($0) < 0.05 ? "0.0" : String(format: "%+.1f", $0) } ?? "-",
            ]
        }
        // Names and roles read left to right; numbers line up on the right.
        var lines = ["\(Timestamp.rfc3339(time))  \(broker)  pending \(pendingMessages)  dead letters \(deadLetters)"]
        lines += Self.table(header: header, rows: cells, leftAligned: 2)
        if !budgets.isEmpty {
            lines.append("")
            lines += Self.table(
                header: ["SHARED BUDGET", "PROVIDERS", "INSTANCES", "REFILLER", "TOKENS", "COOLDOWN", "RPM"],
                rows: budgets.map { budget in
                    [
                        budget.budget, budget.providers.joined(separator: ","),
                        budget.instances.map(String.init) ?? "-", budget.refiller ?? "none",
                        budget.tokensAvailable.map(String.init) ?? "missing",
                        budget.cooldownSeconds > 0 ? String(format: "%.1fs", budget.cooldownSeconds) : "-",
                        String(format: "%.0f", budget.sustainedRequestsPerMinute),
                    ]
                },
                leftAligned: 4
            )
        }
        return lines.joined(separator: "\n")
    }

    /// Lines of a table whose first `leftAligned` columns read left to right and the rest line up on the right.
    static func table(header: [String], rows: [[String]], leftAligned: Int) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { values in
            values.enumerated().map { column, value in
                let padding = String(repeating: " ", count: widths[column] - value.count)
                return column < leftAligned ? value + padding : padding + value
            }.joined(separator: "  ")
        }
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
