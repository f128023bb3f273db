import Testing

@testable import Engine

@Suite("JSONWriter")
struct JSONWriterTests {
    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private func serialized(_ value: JSONValue) -> String {
        text(JSONWriter.serialize(value))
    }

    @Test(arguments: [
        JSONValue.null,
        true,
        false,
        0,
        -1,
        .integer(.max),
        .integer(.min),
        0.5,
        -0.0,
        1.0,
        1e-5,
        1e23,
        .double(.leastNonzeroMagnitude),
        .double(.greatestFiniteMagnitude),
        .double(0.1 + 0.2),
        "",
        "plain",
        "quote \" backslash \\ slash / tab \t newline \n nul \u{0} bell \u{7} del \u{7F}",
        "multilingual: héllo Привет 你好 مرحبا 👍🏽 🇫🇷 \u{2028}",
        [],
        [:],
        [1, "two", 3.5, nil, true, [[]], ["k": "v"]],
        ["z": 1, "a": ["nested": [1, 2, ["deep": nil]]], "": "empty key", "m": [:]],
    ])
    func parsingWhatWasWrittenGivesBackTheSameValue(value: JSONValue) throws {
        let bytes = JSONWriter.serialize(value)
        #expect(try StrictJSONParser().parse(bytes) == value)
    }

    @Test func outputIsCompactAndKeepsMemberOrder() {
        let value: JSONValue = ["z": 1, "a": [true, nil], "m": ["y": "x"]]
        #expect(serialized(value) == #"{"z":1,"a":[true,null],"m":{"y":"x"}}"#)
    }

    @Test func quotesBackslashesAndControlCharactersAreEscaped() {
        #expect(serialized("a\"b\\c") == #""a\"b\\c""#)
        #expect(serialized("\n\r\t\u{08}\u{0C}") == #""\n\r\t\b\f""#)
        #expect(serialized("\u{0}\u{1}\u{1F}") == #""\u0000\u0001\u001f""#)
    }

    @Test func nonASCIIIsWrittenAsRawUTF8() {
        let bytes = JSONWriter.serialize("é😀")
        #expect(bytes == [0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22])
    }

    @Test func slashesAndDeleteAreNotEscaped() {
        #expect(serialized("a/b\u{7F}") == "\"a/b\u{7F}\"")
    }

    @Test func doublesUseTheShortestRoundTripForm() {
        #expect(serialized(0.1) == "0.1")
        #expect(serialized(1.0) == "1.0")
        #expect(serialized(-0.0) == "-0.0")
        #expect(serialized(1e-5) == "1e-05")
        #expect(serialized(1e23) == "1e+23")
        #expect(serialized(123_456.789) == "123456.789")
        #expect(serialized(.double(0.1 + 0.2)) == "0.30000000000000004")
    }

    @Test func nonFiniteDoublesAreWrittenAsNull() {
        #expect(serialized([.double(.nan), .double(.infinity), .double(-.infinity)]) == "[null,null,null]")
    }

    @Test func integersCoverTheFullInt64Range() {
        #expect(serialized(.integer(.min)) == "-9223372036854775808")
        #expect(serialized(.integer(.max)) == "9223372036854775807")
        #expect(serialized(0) == "0")
        #expect(serialized(-7) == "-7")
    }

    @Test func streamingCallsInsertCommasBetweenMembersAndElements() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("id", "t1")
        writer.field("count", 3)
        writer.field("score", 0.25)
        writer.field("ok", true)
        writer.key("tags")
        writer.beginArray()
        writer.string("a")
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.integer(Int64(5))
        writer.endArray()
        writer.key("nested")
        writer.beginObject()
        writer.field("inner", JSONValue.array([1]))
        writer.endObject()
        writer.endObject()
        #expect(text(writer.bytes) == #"{"id":"t1","count":3,"score":0.25,"ok":true,"tags":["a",{},[],5],"nested":{"inner":[1]}}"#)
    }

    @Test func optionalFieldsWriteNullWhenAbsent() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("s", String?.none)
        writer.field("i", Int?.none)
        writer.field("l", Int64?.none)
        writer.field("d", Double?.none)
        writer.field("b", Bool?.none)
        writer.field("present", String?.some("x"))
        writer.endObject()
        #expect(text(writer.bytes) == #"{"s":null,"i":null,"l":null,"d":null,"b":null,"present":"x"}"#)
    }

    @Test func keysAreEscapedLikeStrings() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("a\"\n", 1)
        writer.endObject()
        #expect(text(writer.bytes) == #"{"a\"\n":1}"#)
    }

    @Test func settingObjectMembersKeepsPositionsAndAppendsNewKeys() {
        var object = JSONObject([(key: "a", value: 1), (key: "b", value: 2)])
        object["a"] = 10
        object["c"] = 3
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(text(JSONWriter.serialize(.object(object))) == #"{"a":10,"c":3}"#)
    }

    @Test func objectEqualityDependsOnMemberOrder() {
        let ab: JSONValue = ["a": 1, "b": 2]
        let ba: JSONValue = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(ab == ["a": 1, "b": 2])
    }

    @Test func quotedMessagesAreShortenedAndStayOnOneLine() {
        #expect(JSONWriter.quoted("abc", maxScalars: 3) == #""abc""#)
        #expect(JSONWriter.quoted("abcd", maxScalars: 3) == #""abc…""#)
        #expect(JSONWriter.quoted("a\nb\u{2028}c\u{202E}", maxScalars: 10) == #""a\nb\u2028c\u202e""#)
        // One character with many combining marks is still bounded.
        let zalgo = "e" + String(repeating: "\u{301}", count: 1000)
        #expect(JSONWriter.quoted(zalgo, maxScalars: 5).unicodeScalars.count == 8)
    }
}
