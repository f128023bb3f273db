/// A strict RFC 8259 JSON parser for bodies that come from untrusted producers.
///
/// It accepts exactly one JSON value surrounded by optional whitespace and rejects
/// everything the RFC leaves to implementations: invalid UTF-8 (overlong forms,
/// encoded surrogates, code points above U+10FFFF, truncated sequences), lone
/// surrogate escapes, duplicate keys, comments, `NaN`/`Infinity`, leading zeros,
/// raw control characters in strings, and trailing bytes.
///
/// A hostile body must neither crash nor stall the daemon, so:
/// - the parser never recurses: containers live on explicit stacks, and opening a
///   container beyond `maxDepth` fails at once, whatever the input's depth;
/// - number literals longer than `maxNumberLength` characters are rejected before
///   conversion, and numbers whose magnitude overflows `Double` (`1e400`) are errors;
/// - duplicate-key detection switches from a scan to a hash set once an object grows,
///   so an object with many keys stays linear.
///
/// Keys are compared with Swift `String` equality (Unicode canonical equivalence),
/// the same comparison `JSONObject`'s subscript uses, so `"é"` and `"e\u0301"` count
/// as duplicates: otherwise a lookup could silently pick either one.
public struct StrictJSONParser: Sendable {
    /// The longest number literal accepted, in characters.
    ///
    /// 128 is far more than any 64-bit integer (20 characters) or shortest round-trip
    /// double (at most 24 characters) needs, while bounding the cost of converting a
    /// literal of thousands of digits.
    public static let maxNumberLength = 128

    /// How many containers may be open at once; `0` allows only a scalar document.
    public let maxDepth: Int

    /// Creates a parser.
    ///
    /// - Parameter maxDepth: how deeply arrays and objects may nest. The default of 64
    ///   is far beyond what a tweet needs (3). Parsing itself never recurses, but code
    ///   that walks the result does (`JSONWriter`, `==`, deallocation), so keep it modest.
    public init(maxDepth: Int = 64) {
        precondition(maxDepth >= 0, "maxDepth must not be negative")
        self.maxDepth = maxDepth
    }

    /// Parses one JSON document.
    ///
    /// Contiguous collections (`[UInt8]`, `Data`, array slices) are read in place;
    /// others are copied once.
    ///
    /// - Throws: `JSONParseError` naming the first problem and its byte offset.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable(parse(buffer:)) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer(parse(buffer:)).get()
    }

    // A Result rather than a throw: the standard library's buffer accessors only rethrow untyped errors.
    private func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var reader = Reader(bytes: buffer, maxDepth: maxDepth)
        return Result { () throws(JSONParseError) in try reader.parseDocument() }
    }
}

/// Why a body is not strict JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The zero-based byte offset at which the problem was found.
    public let offset: Int
    /// What is wrong, in words a producer can act on, without the offset.
    public let reason: String

    init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// The reason followed by the offset, e.g. `duplicate key "id" at byte 31`.
    public var description: String { "\(reason) at byte \(offset)" }
}

// MARK: - Reader

/// Byte values the grammar refers to, named so the parser reads like the RFC.
private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let apostrophe = UInt8(ascii: "'")
}

/// One parse over one buffer; lives only for the duration of `parse`.
private struct Reader {
    private enum Container {
        case array
        case object
    }

    /// An object under construction, with its pending key.
    private struct ObjectBuilder {
        /// Past this many members, duplicate detection hashes instead of scanning.
        static let linearScanLimit = 12

        var entries: [(key: String, value: JSONValue)] = []
        var keySet: Set<String>?
        var pendingKey = ""

        /// Records `key` as the pending key; returns false if the object already has it.
        mutating func claim(_ key: String) -> Bool {
            if keySet == nil {
                if entries.contains(where: { $0.key == key }) { return false }
                if entries.count >= Self.linearScanLimit {
                    keySet = Set(entries.map(\.key))
                }
            }
            if keySet?.insert(key).inserted == false { return false }
            pendingKey = key
            return true
        }

        mutating func complete(with value: JSONValue) {
            entries.append((key: pendingKey, value: value))
        }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0

    // Open containers, innermost last. Arrays and objects under construction sit
    // on their own stacks so they are mutated in place, never copied.
    private var containers: [Container] = []
    private var arrays: [[JSONValue]] = []
    private var objects: [ObjectBuilder] = []
    /// Reused for strings with escapes, to avoid an allocation per such string.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else {
            throw JSONParseError("empty input (no JSON value)", at: index)
        }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw JSONParseError("unexpected trailing bytes after the JSON value (\(describeByte(at: index)))", at: index)
        }
        return value
    }

    /// Parses a value at `index` iteratively: opening a container pushes it and goes
    /// on to its first element; a finished value is attached to the innermost open
    /// container, which may then close and become the finished value in turn.
    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        nextValue: while true {
            var value: JSONValue
            guard index < bytes.count else { throw endOfInput() }
            switch bytes[index] {
            case ASCII.openBrace:
                try checkDepth()
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == ASCII.closeBrace {
                    index += 1
                    value = .object(JSONObject())
                } else {
                    containers.append(.object)
                    objects.append(ObjectBuilder())
                    try parseMemberKey(commaOffset: nil)
                    continue nextValue
                }
            case ASCII.openBracket:
                try checkDepth()
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == ASCII.closeBracket {
                    index += 1
                    value = .array([])
                } else {
                    containers.append(.array)
                    arrays.append([])
                    continue nextValue
                }
            case ASCII.quote:
                value = .string(try parseString())
            case ASCII.minus, ASCII.zero...ASCII.nine:
                value = try parseNumber()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                value = try parseLiteral()
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                throw invalidLiteral()
            default:
                throw unexpected(expected: "a value")
            }

            // Attach the finished value, closing every container it completes.
            while let container = containers.last {
                skipWhitespace()
                switch container {
                case .array:
                    arrays[arrays.count - 1].append(value)
                    guard index < bytes.count else { throw endOfInput() }
                    if bytes[index] == ASCII.comma {
                        let commaOffset = index
                        index += 1
                        skipWhitespace()
                        if index < bytes.count, bytes[index] == ASCII.closeBracket {
                            throw JSONParseError("trailing comma in array", at: commaOffset)
                        }
                        continue nextValue
                    }
                    guard bytes[index] == ASCII.closeBracket else {
                        throw unexpected(expected: "',' or ']' after an array element")
                    }
                    index += 1
                    containers.removeLast()
                    value = .array(arrays.removeLast())
                case .object:
                    objects[objects.count - 1].complete(with: value)
                    guard index < bytes.count else { throw endOfInput() }
                    if bytes[index] == ASCII.comma {
                        let commaOffset = index
                        index += 1
                        try parseMemberKey(commaOffset: commaOffset)
                        continue nextValue
                    }
                    guard bytes[index] == ASCII.closeBrace else {
                        throw unexpected(expected: "',' or '}' after an object member")
                    }
                    index += 1
                    containers.removeLast()
                    value = .object(JSONObject(objects.removeLast().entries))
                }
            }
            return value
        }
    }

    private func checkDepth() throws(JSONParseError) {
        if containers.count >= maxDepth {
            throw JSONParseError("nesting deeper than \(maxDepth)", at: index)
        }
    }

    /// Parses `"key" :` for the innermost object and leaves `index` at its value.
    /// `commaOffset` is where the preceding comma was, if any, to point at a trailing comma.
    private mutating func parseMemberKey(commaOffset: Int?) throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count else { throw endOfInput() }
        if let commaOffset, bytes[index] == ASCII.closeBrace {
            throw JSONParseError("trailing comma in object", at: commaOffset)
        }
        guard bytes[index] == ASCII.quote else {
            throw unexpected(expected: "a string key")
        }
        let keyOffset = index
        let key = try parseString()
        guard objects[objects.count - 1].claim(key) else {
            throw JSONParseError("duplicate key \(JSONWriter.quoted(key, maxScalars: 40))", at: keyOffset)
        }
        skipWhitespace()
        guard index < bytes.count else { throw endOfInput() }
        guard bytes[index] == ASCII.colon else {
            throw unexpected(expected: "':' after an object key")
        }
        index += 1
        skipWhitespace()
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.lineFeed, ASCII.carriageReturn, ASCII.tab: index += 1
            default: return
            }
        }
    }

    // MARK: Literals

    private mutating func parseLiteral() throws(JSONParseError) -> JSONValue {
        let (word, value): (StaticString, JSONValue) =
            switch bytes[index] {
            case UInt8(ascii: "t"): ("true", .bool(true))
            case UInt8(ascii: "f"): ("false", .bool(false))
            default: ("null", .null)
            }
        let length = word.utf8CodeUnitCount
        let available = min(length, bytes.count - index)
        for offset in 0..<available where bytes[index + offset] != word.utf8Start[offset] {
            throw invalidLiteral()
        }
        guard available == length else { throw endOfInput() }
        // `trueish` is not `true` followed by garbage, it is one bad word.
        if index + length < bytes.count, isLetter(bytes[index + length]) {
            throw invalidLiteral()
        }
        index += length
        return value
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// Names the bad word (`NaN`, `Infinity`, `undefined`), shortened, so the producer sees what we saw.
    private func invalidLiteral() -> JSONParseError {
        var end = index
        while end < bytes.count, end - index < 20, isLetter(bytes[end]) { end += 1 }
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
        return JSONParseError("invalid literal '\(word)' (only true, false and null are allowed)", at: index)
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == ASCII.minus {
            index += 1
        }
        guard index < bytes.count else { throw endOfInput() }
        guard isDigit(bytes[index]) else {
            throw unexpected(expected: "a digit after '-'")
        }
        if bytes[index] == ASCII.zero {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw JSONParseError("leading zeros are not allowed in numbers", at: start)
            }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == ASCII.dot {
            isInteger = false
            index += 1
            guard index < bytes.count else { throw endOfInput() }
            guard isDigit(bytes[index]) else {
                throw unexpected(expected: "a digit after the decimal point")
            }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == ASCII.lowerE || bytes[index] == ASCII.upperE {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == ASCII.plus || bytes[index] == ASCII.minus {
                index += 1
            }
            guard index < bytes.count else { throw endOfInput() }
            guard isDigit(bytes[index]) else {
                throw unexpected(expected: "a digit in the exponent")
            }
            skipDigits()
        }

        let length = index - start
        if length > StrictJSONParser.maxNumberLength {
            throw JSONParseError(
                "number out of range: literal of \(length) characters, over the \(StrictJSONParser.maxNumberLength)-character limit",
                at: start
            )
        }
        let literal = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if isInteger, let integer = Self.int64(fromDigits: literal) {
            return .integer(integer)
        }
        // The grammar is already checked, so the standard conversion only has to round.
        guard let double = Double(String(decoding: literal, as: UTF8.self)), double.isFinite else {
            throw JSONParseError("number out of range", at: start)
        }
        return .double(double)
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= ASCII.zero && byte <= ASCII.nine
    }

    /// Converts an optionally negative digit string, or returns nil when it overflows `Int64`.
    private static func int64(fromDigits literal: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = literal.first == ASCII.minus
        var value: Int64 = 0
        // Accumulating towards the sign keeps Int64.min representable.
        for byte in literal.dropFirst(negative ? 1 : 0) {
            let digit = Int64(byte - ASCII.zero)
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
        }
        return value
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        let contentStart = index
        // Fast path: no escapes, so the bytes are the string once validated.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.quote {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                index += 1
                return String(decoding: content, as: UTF8.self)
            }
            if byte == ASCII.backslash {
                return try parseEscapedString(start: start, contentStart: contentStart)
            }
            if byte < 0x20 {
                throw JSONParseError("unescaped control character \(hex(byte)) in string", at: index)
            }
            if byte < 0x80 {
                index += 1
            } else {
                index += try utf8SequenceLength()
            }
        }
        throw JSONParseError("unterminated string", at: start)
    }

    /// Slow path for a string with escapes, entered at the first backslash.
    private mutating func parseEscapedString(start: Int, contentStart: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case ASCII.quote:
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case ASCII.backslash:
                try appendEscape()
            case ..<0x20:
                throw JSONParseError("unescaped control character \(hex(byte)) in string", at: index)
            case ..<0x80:
                scratch.append(byte)
                index += 1
            default:
                let length = try utf8SequenceLength()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + length]))
                index += length
            }
        }
        throw JSONParseError("unterminated string", at: start)
    }

    /// Decodes the escape at `index` (a backslash) into `scratch`.
    private mutating func appendEscape() throws(JSONParseError) {
        let escapeOffset = index
        guard index + 1 < bytes.count else { throw JSONParseError("unterminated string", at: index) }
        let replacement: UInt8
        switch bytes[index + 1] {
        case ASCII.quote: replacement = ASCII.quote
        case ASCII.backslash: replacement = ASCII.backslash
        case ASCII.slash: replacement = ASCII.slash
        case UInt8(ascii: "b"): replacement = 0x08
        case UInt8(ascii: "f"): replacement = 0x0C
        case UInt8(ascii: "n"): replacement = ASCII.lineFeed
        case UInt8(ascii: "r"): replacement = ASCII.carriageReturn
        case UInt8(ascii: "t"): replacement = ASCII.tab
        case UInt8(ascii: "u"):
            index += 2
            let scalar = try parseUnicodeEscape(escapeOffset: escapeOffset)
            scratch.append(contentsOf: String(scalar).utf8)
            return
        default:
            throw JSONParseError("invalid escape sequence '\\\(printable(bytes[index + 1]))' in string", at: index)
        }
        scratch.append(replacement)
        index += 2
    }

    /// Decodes the hex digits of a `\u` escape (already past `\u`), pairing surrogates.
    private mutating func parseUnicodeEscape(escapeOffset: Int) throws(JSONParseError) -> Unicode.Scalar {
        let first = try parseHex4(escapeOffset: escapeOffset)
        switch first {
        case 0xD800...0xDBFF:
            let lowOffset = index
            guard index + 1 < bytes.count, bytes[index] == ASCII.backslash, bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONParseError("unpaired surrogate escape \\u\(hex4(first)) in string", at: escapeOffset)
            }
            index += 2
            let second = try parseHex4(escapeOffset: lowOffset)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONParseError("unpaired surrogate escape \\u\(hex4(first)) in string", at: escapeOffset)
            }
            let value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            return Unicode.Scalar(value)!  // always in 0x10000...0x10FFFF
        case 0xDC00...0xDFFF:
            throw JSONParseError("unpaired surrogate escape \\u\(hex4(first)) in string", at: escapeOffset)
        default:
            return Unicode.Scalar(first)!  // not a surrogate, so a valid scalar
        }
    }

    private mutating func parseHex4(escapeOffset: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw JSONParseError("unterminated string", at: escapeOffset) }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError("invalid \\u escape: expected 4 hex digits", at: escapeOffset)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    // MARK: UTF-8

    /// The length of the well-formed UTF-8 sequence at `index` (a non-ASCII byte).
    ///
    /// Follows Unicode Table 3-7, which rules out overlong forms, encoded surrogates
    /// (ED A0..BF) and anything above U+10FFFF by restricting the second byte.
    private func utf8SequenceLength() throws(JSONParseError) -> Int {
        guard let length = wellFormedUTF8Length(at: index) else {
            throw JSONParseError("invalid UTF-8", at: index)
        }
        return length
    }

    private func wellFormedUTF8Length(at position: Int) -> Int? {
        let lead = bytes[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard position + length <= bytes.count, secondRange.contains(bytes[position + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[position + offset]) {
            return nil
        }
        return length
    }

    // MARK: Errors

    private func endOfInput() -> JSONParseError {
        JSONParseError("unexpected end of input", at: index)
    }

    /// "expected X, got Y", with a hint for the two mistakes producers make most.
    private func unexpected(expected: String) -> JSONParseError {
        guard index < bytes.count else { return endOfInput() }
        let byte = bytes[index]
        if byte >= 0x80, wellFormedUTF8Length(at: index) == nil {
            return JSONParseError("invalid UTF-8", at: index)
        }
        var reason = "expected \(expected), got \(describeByte(at: index))"
        if byte == ASCII.slash {
            reason += " (comments are not allowed)"
        } else if byte == ASCII.apostrophe {
            reason += " (strings must use double quotes)"
        }
        return JSONParseError(reason, at: index)
    }

    /// Names the byte at `position` without ever echoing something unprintable.
    private func describeByte(at position: Int) -> String {
        let byte = bytes[position]
        switch byte {
        case 0x00: return "a NUL byte"
        case ..<0x20, 0x7F: return "control byte \(hex(byte))"
        case ASCII.apostrophe: return "\"'\""
        case ..<0x80: return "'\(printable(byte))'"
        default:
            guard let length = wellFormedUTF8Length(at: position) else { return "invalid UTF-8" }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<position + length]), as: UTF8.self)
            let digits = String(text.unicodeScalars.first!.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }

    private func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : hex(byte)
    }

    private func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }

    private func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
