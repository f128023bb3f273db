import Foundation

/// A parsed Prometheus text exposition (what `/metrics` serves), for assertions.
struct PrometheusText {
    /// One sample: a metric name, its labels and its value.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Metric family names to their `# TYPE`.
    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []

    /// Parses `text`; a line that is neither a comment nor `name{labels} value` fails the parse.
    init(_ text: String) throws {
        for line in text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw TestBroker.Missing(description: "not an exposition line: \(line)")
            }
            let series = line[..<space]
            var labels: [String: String] = [:]
            let name: Substring
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = series[..<open]
                let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
                // Label values here never contain `",` (they are names from the configuration).
                for pair in body.components(separatedBy: "\",") where !pair.isEmpty {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { throw TestBroker.Missing(description: "bad labels in: \(line)") }
                    labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
            } else {
                name = series
            }
            samples.append(Sample(name: String(name), labels: labels, value: value))
        }
    }

    /// The value of the one sample of `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum of the samples of `name` whose labels include `matching`.
    func sum(_ name: String, matching: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }
}

extension DaemonProcess {
    /// The observability listener's base URL, from the daemon's "metrics listening" log line.
    func metricsURL(timeout: Duration = .seconds(30)) async throws -> String {
        var found: String?
        _ = await eventually(timeout: timeout) {
            let log = standardError
            // Text logs say address=http://…, JSON logs "address":"http://….
            for marker in ["address=http://", "\"address\":\"http://"] {
                guard let start = log.range(of: marker) else { continue }
                let rest = log[start.upperBound...]
                let hostPort = rest.prefix { $0.isNumber || $0 == "." || $0 == ":" }
                found = "http://" + hostPort
                return true
            }
            return false
        }
        guard let found else {
            throw TestBroker.Missing(description: "the daemon never said where metrics listen:\n\(standardError.suffix(2000))")
        }
        return found
    }
}
