/// A streaming JSON writer that appends UTF-8 straight into a byte buffer.
///
/// Results and metrics snapshots are written on every message, so this avoids
/// building an intermediate `JSONValue` tree or going through `JSONEncoder`:
/// callers emit keys and values in order and the writer inserts the commas.
///
/// Output is compact (no whitespace), strings are escaped as RFC 8259 requires
/// (`"`, `\`, and control characters; everything else, including non-ASCII, is
/// kept as UTF-8), and doubles use Swift's shortest round-trip form, so
/// `StrictJSONParser` reads back exactly what was written. Misuse such as a value
/// in an object without a key is a programming error, caught by assertions in
/// debug builds.
public struct JSONWriter: Sendable {
    private enum Container: Sendable {
        case array
        case object
    }

    /// The document written so far.
    public private(set) var bytes: [UInt8]

    // Open containers, innermost last.
    private var containers: [Container] = []
    // Whether the innermost container already holds an element, so the next one needs a comma.
    private var hasElements = false
    // Whether a key was just written, so the next value belongs to it and takes no comma.
    private var awaitingValue = false

    /// Creates an empty writer.
    ///
    /// - Parameter capacity: bytes to reserve up front; a typical result fits in the default.
    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Serializes a whole value in one call.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }

    // MARK: Containers

    /// Opens an object; follow with `key(_:)`/value pairs or `field` calls, then `endObject()`.
    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        containers.append(.object)
        hasElements = false
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        assert(containers.last == .object && !awaitingValue, "endObject() without a matching beginObject() or after a dangling key")
        containers.removeLast()
        bytes.append(UInt8(ascii: "}"))
        hasElements = true
    }

    /// Opens an array; follow with values, then `endArray()`.
    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        containers.append(.array)
        hasElements = false
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        assert(containers.last == .array, "endArray() without a matching beginArray()")
        containers.removeLast()
        bytes.append(UInt8(ascii: "]"))
        hasElements = true
    }

    /// Writes an object key; the next value written belongs to it.
    public mutating func key(_ name: String) {
        assert(containers.last == .object && !awaitingValue, "key(_:) outside an object or twice in a row")
        if hasElements {
            bytes.append(UInt8(ascii: ","))
        }
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        awaitingValue = true
    }

    // MARK: Scalars

    /// Writes a string, escaped.
    public mutating func string(_ value: String) {
        beginValue()
        appendQuoted(value)
    }

    /// Writes an integer.
    public mutating func integer(_ value: Int64) {
        beginValue()
        appendDecimal(value)
    }

    /// Writes an integer.
    public mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    /// Writes a double in its shortest round-trip form (`0.1`, `1.0`, `1e-05`, `1e+23`).
    ///
    /// Integral doubles keep their `.0`, so a double read back stays a double.
    /// JSON has no NaN or infinity: those are written as `null`.
    public mutating func double(_ value: Double) {
        guard value.isFinite else {
            null()
            return
        }
        beginValue()
        // Swift's description is always valid JSON for finite values: an optional
        // minus, digits, an optional fraction with digits, an optional `e±digits`.
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        beginValue()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    /// Writes `null`.
    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes a whole `JSONValue`, keeping object member order.
    public mutating func value(_ json: JSONValue) {
        switch json {
        case .null: null()
        case .bool(let value): bool(value)
        case .integer(let value): integer(value)
        case .double(let value): double(value)
        case .string(let value): string(value)
        case .array(let elements):
            beginArray()
            for element in elements {
                value(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            for (name, member) in object.entries {
                key(name)
                value(member)
            }
            endObject()
        }
    }

    // MARK: Fields

    /// Writes `"key": value` inside an object.
    public mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    /// Writes `"key": value` inside an object.
    public mutating func field(_ key: String, _ value: Int) {
        self.key(key)
        integer(value)
    }

    /// Writes `"key": value` inside an object.
    public mutating func field(_ key: String, _ value: Int64) {
        self.key(key)
        integer(value)
    }

    /// Writes `"key": value` inside an object; a non-finite double becomes `null`.
    public mutating func field(_ key: String, _ value: Double) {
        self.key(key)
        double(value)
    }

    /// Writes `"key": value` inside an object.
    public mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        bool(value)
    }

    /// Writes `"key": value` inside an object.
    public mutating func field(_ key: String, _ value: JSONValue) {
        self.key(key)
        self.value(value)
    }

    /// Writes `"key": value`, or `"key": null` when `value` is nil, so consumers see every key.
    public mutating func field(_ key: String, _ value: String?) {
        self.key(key)
        if let value { string(value) } else { null() }
    }

    /// Writes `"key": value`, or `"key": null` when `value` is nil, so consumers see every key.
    public mutating func field(_ key: String, _ value: Int?) {
        self.key(key)
        if let value { integer(value) } else { null() }
    }

    /// Writes `"key": value`, or `"key": null` when `value` is nil, so consumers see every key.
    public mutating func field(_ key: String, _ value: Int64?) {
        self.key(key)
        if let value { integer(value) } else { null() }
    }

    /// Writes `"key": value`, or `"key": null` when `value` is nil, so consumers see every key.
    public mutating func field(_ key: String, _ value: Double?) {
        self.key(key)
        if let value { double(value) } else { null() }
    }

    /// Writes `"key": value`, or `"key": null` when `value` is nil, so consumers see every key.
    public mutating func field(_ key: String, _ value: Bool?) {
        self.key(key)
        if let value { bool(value) } else { null() }
    }

    // MARK: Internals

    /// Emits the comma a value needs, if any, and records that the container is no longer empty.
    private mutating func beginValue() {
        if awaitingValue {
            awaitingValue = false
        } else {
            assert(containers.last != .object, "a value inside an object needs a key(_:) first")
            assert(!containers.isEmpty || bytes.isEmpty, "a JSON document holds exactly one top-level value")
            if hasElements {
                bytes.append(UInt8(ascii: ","))
            }
        }
        hasElements = true
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        // The magnitude as UInt64 covers Int64.min, whose negation would overflow.
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    private mutating func appendQuoted(_ string: String) {
        Self.appendQuoted(string, to: &bytes)
    }

    /// Appends `string` as a JSON string literal, copying runs that need no escaping in bulk.
    static func appendQuoted(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let handled: Void? = string.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &bytes) }
        if handled == nil {
            // Only bridged, non-native strings lack contiguous UTF-8; copy them once.
            var contiguous = string
            contiguous.makeContiguousUTF8()
            _ = contiguous.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &bytes) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ source: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        for position in source.indices {
            let byte = source[position]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<position]))
            runStart = position + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                // Other control characters have no short form: \u00XX, XX in 00...1F.
                let low = byte & 0x0F
                bytes.append(contentsOf: "u00".utf8)
                bytes.append(UInt8(ascii: "0") + (byte >> 4))
                bytes.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<source.count]))
    }

    /// `string` as a one-line, JSON-style quoted literal of at most `maxScalars`
    /// Unicode scalars (then `…`), for error messages and logs.
    ///
    /// Scalars, not characters, bound the length because one character can carry any
    /// number of combining marks. Besides what JSON escapes, anything that could break
    /// or reorder a log line (DEL, C1 controls, line/paragraph separators, bidi
    /// overrides) is shown as `\uXXXX`.
    static func quoted(_ string: String, maxScalars: Int) -> String {
        var result = "\""
        var remaining = maxScalars
        for scalar in string.unicodeScalars {
            guard remaining > 0 else {
                result += "…"
                break
            }
            remaining -= 1
            switch scalar.value {
            case 0x22: result += "\\\""
            case 0x5C: result += "\\\\"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
