import Foundation

/// Reads message bodies to publish from a JSON-lines or CSV file.
///
/// JSON lines are passed on byte for byte (an invalid line is still published:
/// the daemon dead-letters it with a reason, which is what a producer needs to
/// see). A CSV row becomes a tweet JSON object, with columns named after the
/// wire fields: `id`, `text`, `lang`, `created_at`, `in_reply_to`, `author_id`,
/// `author_username`, `author_followers`, `author_verified`, `likes`,
/// `retweets`, `replies`, `quotes`, `media_type`, `media_url`. Unknown columns
/// are ignored; empty cells are left out.
public enum TweetFileReader {
    /// The formats `tweetd publish` reads.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON value per line; blank lines are skipped.
        case jsonLines = "jsonl"
        /// RFC 4180 CSV with a header row.
        case csv
    }

    /// The format a path's extension suggests (`.csv` → CSV, anything else → JSON lines).
    public static func format(forPath path: String) -> Format {
        path.lowercased().hasSuffix(".csv") ? .csv : .jsonLines
    }

    /// Message bodies from `data` in `format`.
    public static func bodies(from data: [UInt8], format: Format) throws(CSVError) -> [[UInt8]] {
        switch format {
        case .jsonLines:
            return jsonLines(data)
        case .csv:
            let rows = try CSVParser.parse(data)
            guard let header = rows.first else { return [] }
            return rows.dropFirst().filter { !($0.count == 1 && $0[0].isEmpty) }.map { tweetJSON(header: header, row: $0) }
        }
    }

    private static func jsonLines(_ data: [UInt8]) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var slice = line[...]
            if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
            if slice.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            bodies.append(Array(slice))
        }
        return bodies
    }

    private static let integerColumns: Set<String> = ["author_followers", "likes", "retweets", "replies", "quotes"]

    private static func tweetJSON(header: [String], row: [String]) -> [UInt8] {
        var cells: [String: String] = [:]
        for (index, name) in header.enumerated() where index < row.count && !row[index].isEmpty {
            cells[name.trimmingCharacters(in: .whitespaces).lowercased()] = row[index]
        }
        var json = JSONWriter()
        json.beginObject()
        func write(_ key: String, column: String) {
            guard let cell = cells[column] else { return }
            json.key(key)
            // A number that does not parse stays a string, so the daemon says which field was wrong.
            if integerColumns.contains(column), let number = Int64(cell.trimmingCharacters(in: .whitespaces)) {
                json.integer(number)
            } else if column == "author_verified", let flag = Bool(cell.trimmingCharacters(in: .whitespaces).lowercased()) {
                json.bool(flag)
            } else {
                json.string(cell)
            }
        }
        for field in ["id", "text", "lang", "created_at", "in_reply_to"] {
            write(field, column: field)
        }
        let authorColumns = ["author_id", "author_username", "author_followers", "author_verified"]
        if authorColumns.contains(where: { cells[$0] != nil }) {
            json.key("author")
            json.beginObject()
            for column in authorColumns {
                write(String(column.dropFirst("author_".count)), column: column)
            }
            json.endObject()
        }
        let metricColumns = ["likes", "retweets", "replies", "quotes"]
        if metricColumns.contains(where: { cells[$0] != nil }) {
            json.key("metrics")
            json.beginObject()
            for column in metricColumns {
                write(column, column: column)
            }
            json.endObject()
        }
        if let type = cells["media_type"] {
            json.key("media")
            json.beginArray()
            json.beginObject()
            json.field("type", type)
            if cells["media_url"] != nil { write("url", column: "media_url") }
            json.endObject()
            json.endArray()
        }
        json.endObject()
        return json.bytes
    }
}

/// A CSV file that does not parse.
public struct CSVError: Error, Sendable, CustomStringConvertible {
    /// The line the problem starts on.
    public var line: Int
    /// What is wrong.
    public var reason: String

    /// `line N: reason`.
    public var description: String { "line \(line): \(reason)" }
}

/// A small RFC 4180 parser: quoted fields, doubled quotes, newlines inside quotes, CRLF or LF.
enum CSVParser {
    static func parse(_ data: [UInt8]) throws(CSVError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var quoteStartLine = 1
        var index = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < data.count {
            let byte = data[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < data.count, data[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inQuotes = true
                    quoteStartLine = line
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\r"):
                    break
                case UInt8(ascii: "\n"):
                    endField()
                    rows.append(row)
                    row = []
                    line += 1
                default:
                    field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes {
            throw CSVError(line: quoteStartLine, reason: "a quoted field is never closed")
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }
}
