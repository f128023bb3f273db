import Foundation
import Logging

/// A swift-log handler for `log.format: json`: one JSON object per line, for
/// log shippers (journald's JSON export, Loki, Elasticsearch).
///
/// A line reads `{"time":"2026-11-29T09:00:00.123Z","level":"info","label":"tweetd",
/// "message":"…","tweet.id":"123","worker":"3","source":"Engine"}`: metadata keys
/// sit at the top level under their dotted names, so a query can say
/// `tweet.id="123"`; a metadata key that would overwrite one of the fixed
/// fields is written as `metadata.<key>` instead. Nested metadata becomes
/// nested JSON; everything else is a string.
public struct JSONLogHandler: LogHandler {
    /// The fields every line has, which metadata may not overwrite.
    static let fixedFields: Set<String> = ["time", "level", "label", "message", "source"]

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let write: @Sendable ([UInt8]) -> Void
    private let now: @Sendable () -> Date

    /// A handler that hands each finished line (newline included) to `write`.
    public init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        write: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    /// A handler writing to standard error, one `write(2)` per line so that
    /// lines from different threads never interleave.
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { line in
            line.withUnsafeBytes { writeAll($0, to: 2) }
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(line(level: event.level, message: event.message, metadata: event.metadata, source: event.source))
    }

    /// The JSON line for one event, newline included.
    func line(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String) -> [UInt8] {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit {
            merged.merge(explicit) { _, explicit in explicit }
        }
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.key("time")
        json.string(Timestamp.rfc3339(now()))
        json.key("level")
        json.string(level.rawValue)
        json.key("label")
        json.string(label)
        json.key("message")
        json.string(message.description)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            json.key(Self.fixedFields.contains(key) ? "metadata.\(key)" : key)
            Self.write(value, into: &json)
        }
        json.key("source")
        json.string(source)
        json.endObject()
        var bytes = json.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func write(_ value: Logger.Metadata.Value, into json: inout JSONWriter) {
        switch value {
        case .string(let text):
            json.string(text)
        case .stringConvertible(let convertible):
            json.string(convertible.description)
        case .array(let values):
            json.beginArray()
            values.forEach { write($0, into: &json) }
            json.endArray()
        case .dictionary(let values):
            json.beginObject()
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                json.key(key)
                write(value, into: &json)
            }
            json.endObject()
        }
    }
}
