import Foundation
import Testing

@testable import Engine

@Suite("StrictJSONParser")
struct StrictJSONParserTests {
    private let parser = StrictJSONParser()

    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parser.parse(Array(text.utf8))
    }

    /// The error for `bytes`, or a recorded failure when they parse.
    private func parseError(_ bytes: [UInt8], parser: StrictJSONParser = StrictJSONParser()) -> JSONParseError? {
        do {
            let value = try parser.parse(bytes)
            Issue.record("expected a parse error, got \(value)")
            return nil
        } catch {
            return error
        }
    }

    private func parseError(_ text: String) -> JSONParseError? {
        parseError(Array(text.utf8))
    }

    // MARK: Accepted documents

    @Test func scalarsParseToTheirCases() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("0") == .integer(0))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("42") == .integer(42))
        #expect(try parse("\"hi\"") == .string("hi"))
    }

    @Test func integersThatFitInt64StayIntegers() throws {
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("-9223372036854775808") == .integer(.min))
    }

    @Test func integersBeyondInt64BecomeDoubles() throws {
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("99999999999999999999999") == .double(1e23))
    }

    @Test func fractionsAndExponentsAreDoublesEvenWhenWhole() throws {
        #expect(try parse("3.0") == .double(3))
        #expect(try parse("1e2") == .double(100))
        #expect(try parse("-1.5E-3") == .double(-0.0015))
        #expect(try parse("2.5e+1") == .double(25))
    }

    @Test func underflowingNumbersBecomeZeroRatherThanFailing() throws {
        #expect(try parse("1e-400") == .double(0))
    }

    @Test func whitespaceAroundTheValueIsAllowed() throws {
        #expect(try parse(" \t\r\n[ 1 , 2 ]\n ") == [1, 2])
    }

    @Test func objectsKeepDocumentOrder() throws {
        let value = try parse(#"{"z": 1, "a": 2, "m": {"y": [], "b": {}}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "m"])
        #expect(object["m"]?.objectValue?.keys == ["y", "b"])
        #expect(value == ["z": 1, "a": 2, "m": ["y": [], "b": [:]]])
    }

    @Test func nestedContainersParse() throws {
        let value = try parse(#"[[], {}, [[1]], {"a": [{"b": null}]}]"#)
        #expect(value == [[], [:], [[1]], ["a": [["b": nil]]]])
    }

    @Test func escapesDecode() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
        #expect(try parse(#""\u00e9\u00E9\u0000""#) == .string("éé\u{0}"))
    }

    @Test func surrogatePairEscapesDecodeToOneScalar() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""a\uD834\uDD1Eb""#) == .string("a𝄞b"))
    }

    @Test func rawMultilingualUTF8IsKept() throws {
        let text = "héllo Привет 你好 مرحبا 👍🏽 🇫🇷"
        #expect(try parse("\"\(text)\"") == .string(text))
    }

    @Test func nestingUpToMaxDepthIsAllowed() throws {
        let depth = 64
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try parser.parse(Array(text.utf8)) }
    }

    @Test func aParserWithDepthZeroAcceptsOnlyScalars() throws {
        let flat = StrictJSONParser(maxDepth: 0)
        #expect(try flat.parse(Array("1".utf8)) == 1)
        #expect(parseError(Array("[]".utf8), parser: flat)?.reason == "nesting deeper than 0")
    }

    @Test func manyKeysInOneObjectParseInLinearTime() throws {
        let members = (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let value = try parse("{\(members)}")
        #expect(value.objectValue?.count == 50_000)
        #expect(value.objectValue?["k49999"] == 49_999)
    }

    @Test func nonContiguousCollectionsParse() throws {
        let bytes = Array("[1,2]".utf8).lazy.map { $0 }
        #expect(try parser.parse(bytes) == [1, 2])
    }

    @Test func typedAccessorsNeverConvertBetweenKinds() throws {
        let value = try parse(#"{"s": "x", "i": 3, "d": 3.0, "b": true, "a": [1], "n": null}"#)
        let object = try #require(value.objectValue)
        #expect(object["s"]?.stringValue == "x")
        #expect(object["i"]?.integerValue == 3)
        #expect(object["d"]?.integerValue == nil)
        #expect(object["d"]?.doubleValue == 3)
        #expect(object["i"]?.doubleValue == 3)
        #expect(object["b"]?.boolValue == true)
        #expect(object["i"]?.boolValue == nil)
        #expect(object["a"]?.arrayValue == [1])
        #expect(object["n"]?.isNull == true)
        #expect(object["missing"] == nil)
    }

    // MARK: Rejected documents

    @Test func emptyAndWhitespaceOnlyInputsAreRejected() {
        #expect(parseError("")?.reason == "empty input (no JSON value)")
        #expect(parseError("  \n")?.offset == 3)
    }

    @Test func trailingBytesAreRejected() {
        let error = parseError(#"{"a":1} x"#)
        #expect(error?.description == "unexpected trailing bytes after the JSON value ('x') at byte 8")
        #expect(parseError("1 2")?.offset == 2)
        #expect(parseError("{}{}")?.offset == 2)
    }

    @Test func truncatedDocumentsAreRejected() {
        for text in [#"{"a":1"#, #"{"a":"#, #"{"a""#, "[1,", "tru", "-", "1.", "1e", "{"] {
            #expect(parseError(text)?.reason == "unexpected end of input", "\(text)")
        }
        #expect(parseError(#"{"a":"b"#)?.reason == "unterminated string")
    }

    @Test func trailingCommasAreRejected() {
        #expect(parseError("[1,]")?.description == "trailing comma in array at byte 2")
        #expect(parseError(#"{"a":1,}"#)?.description == "trailing comma in object at byte 6")
    }

    @Test func singleQuotesAreRejectedWithAHint() {
        #expect(parseError("{'a': 1}")?.reason == "expected a string key, got \"'\" (strings must use double quotes)")
        #expect(parseError("'a'")?.reason == "expected a value, got \"'\" (strings must use double quotes)")
    }

    @Test func commentsAreRejectedWithAHint() {
        #expect(parseError("// c\n{}")?.reason == "expected a value, got '/' (comments are not allowed)")
        #expect(parseError("[1 /* c */]")?.offset == 3)
    }

    @Test func nonFiniteLiteralsAreRejected() {
        #expect(parseError("NaN")?.reason == "invalid literal 'NaN' (only true, false and null are allowed)")
        #expect(parseError("[Infinity]")?.offset == 1)
        #expect(parseError("-Infinity")?.reason == "expected a digit after '-', got 'I'")
        #expect(parseError("nulls")?.reason == "invalid literal 'nulls' (only true, false and null are allowed)")
        #expect(parseError("True")?.offset == 0)
    }

    @Test func malformedNumbersAreRejected() {
        #expect(parseError("01")?.reason == "leading zeros are not allowed in numbers")
        #expect(parseError("-012")?.reason == "leading zeros are not allowed in numbers")
        #expect(parseError("+1")?.reason == "expected a value, got '+'")
        #expect(parseError(".5")?.reason == "expected a value, got '.'")
        #expect(parseError("1.e3")?.reason == "expected a digit after the decimal point, got 'e'")
        #expect(parseError("1e+")?.reason == "unexpected end of input")
        #expect(parseError("0x1F")?.offset == 1)
    }

    @Test func numbersBeyondDoubleRangeAreRejected() {
        #expect(parseError("1e400")?.description == "number out of range at byte 0")
        #expect(parseError("[-1.5e309]")?.description == "number out of range at byte 1")
    }

    @Test func overlongNumberLiteralsAreRejectedBeforeConversion() {
        let digits = String(repeating: "9", count: 100_000)
        let error = parseError("[\(digits)]")
        #expect(error?.offset == 1)
        #expect(error?.reason.hasPrefix("number out of range: literal of 100000 characters") == true)
        let longest = "0." + String(repeating: "1", count: StrictJSONParser.maxNumberLength - 2)
        #expect(throws: Never.self) { try parse(longest) }
    }

    @Test func controlCharactersInStringsAreRejected() {
        #expect(parseError("\"a\nb\"")?.description == "unescaped control character 0x0A in string at byte 2")
        #expect(parseError("\"a\u{1F}\"")?.offset == 2)
    }

    @Test func nulBytesAreRejectedEverywhereUnescaped() {
        #expect(parseError([0])?.reason == "expected a value, got a NUL byte")
        #expect(parseError(Array("{}".utf8) + [0])?.reason == "unexpected trailing bytes after the JSON value (a NUL byte)")
        #expect(parseError([0x22, 0x00, 0x22])?.reason == "unescaped control character 0x00 in string")
    }

    @Test func invalidEscapesAreRejected() {
        #expect(parseError(#""\x""#)?.reason == "invalid escape sequence '\\x' in string")
        #expect(parseError(#""\u12G4""#)?.reason == "invalid \\u escape: expected 4 hex digits")
        #expect(parseError(#""\u12""#)?.reason == "invalid \\u escape: expected 4 hex digits")
    }

    @Test func loneSurrogateEscapesAreRejected() {
        #expect(parseError(#""\ud800""#)?.description == "unpaired surrogate escape \\uD800 in string at byte 1")
        #expect(parseError(#""\udc00\ud800""#)?.reason == "unpaired surrogate escape \\uDC00 in string")
        #expect(parseError(#""\ud800\u0041""#)?.reason == "unpaired surrogate escape \\uD800 in string")
        #expect(parseError(#""\ud800\ud800""#)?.reason == "unpaired surrogate escape \\uD800 in string")
        #expect(parseError(#""\ud800x""#)?.reason == "unpaired surrogate escape \\uD800 in string")
    }

    @Test(arguments: [
        ([0xFF], 1),  // never valid
        ([0xC0, 0xAF], 1),  // overlong '/'
        ([0xE0, 0x80, 0xAF], 1),  // overlong 3-byte
        ([0xE2, 0x82], 1),  // truncated
        ([0xED, 0xA0, 0x80], 1),  // UTF-8-encoded surrogate U+D800
        ([0xF4, 0x90, 0x80, 0x80], 1),  // U+110000
        ([0xF5, 0x80, 0x80, 0x80], 1),  // lead byte beyond the range
        ([0x80], 1),  // lone continuation byte
    ] as [([UInt8], Int)])
    func invalidUTF8InStringsIsRejected(sequence: [UInt8], offset: Int) {
        let error = parseError([0x22] + sequence + [0x22])
        #expect(error?.description == "invalid UTF-8 at byte \(offset)")
    }

    @Test func invalidUTF8EscapedOrNotReportsTheOffendingByte() {
        #expect(parseError([0x22, 0x5C, 0x6E, 0xFF, 0x22])?.description == "invalid UTF-8 at byte 3")
        #expect(parseError([0xFF])?.description == "invalid UTF-8 at byte 0")
        #expect(parseError([0x5B, 0x31, 0x2C, 0xC3])?.description == "invalid UTF-8 at byte 3")
    }

    @Test func validNonASCIIOutsideStringsIsNamedByCodePoint() {
        #expect(parseError("é")?.reason == "expected a value, got U+00E9")
        #expect(parseError([0xEF, 0xBB, 0xBF] + Array("{}".utf8))?.reason == "expected a value, got U+FEFF")
    }

    @Test func duplicateKeysAreRejected() {
        #expect(parseError(#"{"id": 1, "text": "a", "id": 2}"#)?.description == #"duplicate key "id" at byte 23"#)
        #expect(parseError(#"{"a": {"b": 1, "b": 2}}"#)?.description == #"duplicate key "b" at byte 15"#)
    }

    @Test func duplicateKeysAreFoundInLargeObjects() {
        let members = (0..<100).map { "\"k\($0)\":0" }.joined(separator: ",")
        #expect(parseError("{\(members),\"k3\":1}")?.reason == #"duplicate key "k3""#)
    }

    @Test func keysThatOnlyDifferInEscapingAreDuplicates() {
        #expect(parseError(#"{"a": 1, "\u0061": 2}"#)?.reason == #"duplicate key "a""#)
    }

    @Test func duplicateKeyMessagesShortenAndEscapeTheKey() throws {
        let key = String(repeating: "x", count: 500) + "\n"
        let error = try #require(parseError("{\"\(key)\":1,\"\(key)\":2}".replacingOccurrences(of: "\n", with: "\\n")))
        #expect(error.reason == "duplicate key \"" + String(repeating: "x", count: 40) + "…\"")
    }

    @Test func nestingBeyondMaxDepthFailsAtTheFirstExtraLevel() {
        let text = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(text)?.description == "nesting deeper than 64 at byte 64")
        let objects = String(repeating: #"{"a":"#, count: 70)
        #expect(parseError(objects)?.description == "nesting deeper than 64 at byte 320")
    }

    @Test(.timeLimit(.minutes(1)))
    func hostileDeepNestingFailsQuicklyWithoutCrashing() {
        let clock = ContinuousClock()
        var error: JSONParseError?
        let elapsed = clock.measure {
            error = parseError([UInt8](repeating: UInt8(ascii: "["), count: 100_000))
        }
        #expect(error?.reason == "nesting deeper than 64")
        #expect(elapsed < .seconds(1))
    }

    @Test func errorDescriptionCombinesReasonAndOffset() {
        let error = JSONParseError("unexpected end of input", at: 12)
        #expect(error.description == "unexpected end of input at byte 12")
    }
}
