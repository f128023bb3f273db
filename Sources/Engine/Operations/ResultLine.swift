import Foundation

/// How `tweetd subscribe` prints a result: one JSON line for programs, or one line for people.
public enum ResultLine {
    /// The body as exactly one line of JSON, for `jq` and friends; nil when the body is not JSON.
    ///
    /// tweetd's own results are compact already and pass through untouched; a
    /// body from another publisher that spans lines is re-serialized compactly.
    public static func json(_ body: [UInt8]) -> String? {
        guard let value = try? StrictJSONParser().parse(body) else { return nil }
        let bytes = body.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) ? JSONWriter.serialize(value) : body
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A compact line for people:
    /// `1001  en  positive +0.80  priority 7  builtin/tweetd-builtin-1  topics: swift, release  "Swift 6 is out…"`.
    public static func human(_ body: [UInt8]) -> String {
        guard let result = (try? StrictJSONParser().parse(body))?.objectValue else {
            return "(not a JSON object: \(body.count) bytes)"
        }
        let analysis = result["analysis"]?.objectValue
        let sentiment = analysis?["sentiment"]?.objectValue
        let score = sentiment?["score"]?.doubleValue ?? 0
        let topics = analysis?["topics"]?.arrayValue?.compactMap(\.stringValue).prefix(4) ?? []
        var parts = [
            text(result["id"]),
            text(analysis?["language"]),
            "\(text(sentiment?["label"])) \(score < 0 ? "-" : "+")\(formatted(abs(score)))",
            "priority \(text(result["priority"]?.objectValue?["assigned"]))",
            "\(text(result["provider"]))/\(text(result["model"]))",
        ]
        if !topics.isEmpty {
            parts.append("topics: " + topics.joined(separator: ", "))
        }
        if let summary = analysis?["summary"]?.stringValue, !summary.isEmpty {
            parts.append(JSONWriter.quoted(summary, maxScalars: 80))
        }
        return parts.joined(separator: "  ")
    }

    private static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let string)?: string
        case .integer(let integer)?: String(integer)
        case .double(let double)?: formatted(double)
        case .bool(let bool)?: String(bool)
        default: "-"
        }
    }

    private static func formatted(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
