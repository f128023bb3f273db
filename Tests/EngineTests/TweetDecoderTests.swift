import Foundation
import Testing

@testable import Engine

@Suite("TweetDecoder")
struct TweetDecoderTests {
    private let decoder = TweetDecoder()

    private func decode(_ json: String) throws(TweetValidationError) -> Tweet {
        try decoder.decode(Array(json.utf8))
    }

    /// The rejection reason for `body`, or a recorded failure when it decodes.
    private func reason(_ body: [UInt8], decoder: TweetDecoder = TweetDecoder()) -> String? {
        do {
            let tweet = try decoder.decode(body)
            Issue.record("expected a validation error, got \(tweet)")
            return nil
        } catch {
            return error.reason
        }
    }

    private func reason(_ json: String, decoder: TweetDecoder = TweetDecoder()) -> String? {
        reason(Array(json.utf8), decoder: decoder)
    }

    /// A valid body with `fragment` spliced in as extra members.
    private func tweet(with fragment: String) -> String {
        #"{"id": "1", "text": "hello", "#.appending(fragment) + "}"
    }

    // MARK: Valid tweets

    @Test func minimalTweetDecodes() throws {
        #expect(try decode(#"{"id": "t1", "text": "hello"}"#) == Tweet(id: "t1", text: "hello"))
    }

    @Test func fullTweetDecodesEveryField() throws {
        let tweet = try decode(
            #"""
            {
              "id": "1790000000000000001",
              "text": "Launch day! #swift @apple https://swift.org",
              "author": {"id": 42, "username": "swiftlang", "followers": 1200000, "verified": true},
              "created_at": "2024-05-01T12:00:00.123+02:00",
              "lang": "en",
              "metrics": {"likes": 10, "retweets": 2, "replies": 3, "quotes": 4},
              "media": [{"type": "photo", "url": "https://example.com/a.jpg"}, {"type": "video"}],
              "in_reply_to": "1789999999999999999"
            }
            """#
        )
        #expect(tweet.id == "1790000000000000001")
        #expect(tweet.text == "Launch day! #swift @apple https://swift.org")
        #expect(tweet.author == Tweet.Author(id: "42", username: "swiftlang", followers: 1_200_000, verified: true))
        let createdAt = try #require(tweet.createdAt)
        #expect(abs(createdAt.timeIntervalSince1970 - 1_714_557_600.123) < 1e-6)
        #expect(tweet.lang == "en")
        #expect(tweet.metrics == Tweet.EngagementMetrics(likes: 10, retweets: 2, replies: 3, quotes: 4))
        #expect(tweet.media == [Tweet.Media(type: "photo", url: "https://example.com/a.jpg"), Tweet.Media(type: "video")])
        #expect(tweet.inReplyTo == "1789999999999999999")
    }

    @Test func integerIDsBecomeDecimalStrings() throws {
        #expect(try decode(#"{"id": 1790000000000000001, "text": "x"}"#).id == "1790000000000000001")
        #expect(try decode(#"{"id": 0, "text": "x"}"#).id == "0")
        #expect(try decode(tweet(with: #""in_reply_to": 7"#)).inReplyTo == "7")
    }

    @Test func idsOfExactlySixtyFourCharactersAreAccepted() throws {
        let id = String(repeating: "a", count: 64)
        #expect(try decode(#"{"id": "\#(id)", "text": "x"}"#).id == id)
    }

    @Test func emptyAndWhitespaceTextIsAccepted() throws {
        #expect(try decode(#"{"id": "1", "text": ""}"#).text == "")
        #expect(try decode(#"{"id": "1", "text": "  "}"#).text == "  ")
    }

    @Test func multilingualTextWithEmojiIsKept() throws {
        let text = "Hola 👋 Привет 你好 مرحبا नमस्ते 👍🏽 👨‍👩‍👧 🇯🇵"
        #expect(try decode(#"{"id": "1", "text": "\#(text)"}"#).text == text)
    }

    @Test func textLengthCountsGraphemesNotBytesOrScalars() throws {
        let decoder = TweetDecoder(maxTextCharacters: 3)
        // 👍🏽 is two scalars and 8 bytes; 👨‍👩‍👧 is five scalars; 🇯🇵 is two: three characters.
        #expect(try decoder.decode(Array(#"{"id": "1", "text": "👍🏽👨‍👩‍👧🇯🇵"}"#.utf8)).text == "👍🏽👨‍👩‍👧🇯🇵")
        #expect(reason(#"{"id": "1", "text": "👍🏽👍🏽👍🏽👍🏽"}"#, decoder: decoder) == #"field "text" has 4 characters, over the 3 limit"#)
    }

    @Test func textAtTheDefaultLimitIsAccepted() throws {
        let text = String(repeating: "é", count: 25_000)
        #expect(try decode(#"{"id": "1", "text": "\#(text)"}"#).text.count == 25_000)
    }

    @Test func escapesIncludingSurrogatePairsAreDecoded() throws {
        let tweet = try decode(#"{"id": "\u0031", "text": "line\nnext \"quoted\" \u00e9 \ud83d\ude00 tab\t"}"#)
        #expect(tweet.id == "1")
        #expect(tweet.text == "line\nnext \"quoted\" é 😀 tab\t")
    }

    @Test func unknownFieldsAreIgnored() throws {
        let tweet = try decode(
            #"""
            {"id": "1", "text": "a", "source": "web", "entities": {"hashtags": [{"tag": "x"}]},
             "author": {"id": "9", "location": "Paris"}, "metrics": {"likes": 1, "impressions": 99},
             "media": [{"type": "photo", "alt": "a cat"}], "possibly_sensitive": false}
            """#
        )
        #expect(tweet.author == Tweet.Author(id: "9"))
        #expect(tweet.metrics == Tweet.EngagementMetrics(likes: 1))
        #expect(tweet.media == [Tweet.Media(type: "photo")])
    }

    @Test func nullOptionalFieldsCountAsAbsent() throws {
        let tweet = try decode(
            #"""
            {"id": "1", "text": "a", "author": null, "created_at": null, "lang": null,
             "metrics": null, "media": null, "in_reply_to": null}
            """#
        )
        #expect(tweet == Tweet(id: "1", text: "a"))
        let nested = try decode(
            self.tweet(with: #""author": {"id": null, "username": null, "followers": null, "verified": null}, "metrics": {"likes": null}, "media": [{"type": "gif", "url": null}]"#)
        )
        #expect(nested.author == Tweet.Author())
        #expect(nested.metrics == Tweet.EngagementMetrics())
        #expect(nested.media == [Tweet.Media(type: "gif")])
    }

    @Test func missingMetricsCountAsZero() throws {
        #expect(try decode(tweet(with: #""metrics": {"retweets": 5}"#)).metrics == Tweet.EngagementMetrics(retweets: 5))
    }

    @Test(arguments: [
        ("2024-05-01T12:00:00Z", 1_714_564_800.0),
        ("2024-05-01t12:00:00z", 1_714_564_800.0),
        ("2024-05-01 12:00:00Z", 1_714_564_800.0),
        ("2024-05-01T12:00:00.5Z", 1_714_564_800.5),
        ("2024-05-01T12:00:00.123456789123Z", 1_714_564_800.123456789),
        ("2024-05-01T12:00:00+02:00", 1_714_557_600.0),
        ("2024-05-01T12:00:00-05:30", 1_714_584_600.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
        ("2016-12-31T23:59:60Z", 1_483_228_800.0),
    ])
    func rfc3339TimestampsDecode(timestamp: String, secondsSince1970: Double) throws {
        let tweet = try decode(tweet(with: #""created_at": "\#(timestamp)""#))
        let createdAt = try #require(tweet.createdAt)
        #expect(abs(createdAt.timeIntervalSince1970 - secondsSince1970) < 1e-6)
    }

    @Test func timestampsAgreeWithFoundationsISO8601Parser() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for timestamp in ["2024-05-01T12:00:00.250+02:00", "1999-12-31T23:59:59.999Z", "2038-01-19T03:14:08.000-11:45"] {
            let expected = try #require(formatter.date(from: timestamp))
            let tweet = try decode(tweet(with: #""created_at": "\#(timestamp)""#))
            let createdAt = try #require(tweet.createdAt)
            #expect(abs(createdAt.timeIntervalSince(expected)) < 1e-3, "\(timestamp)")
        }
    }

    // MARK: Bodies that are not a JSON object

    @Test func emptyBodyIsRejected() {
        #expect(reason([]) == "body is empty, expected a JSON object")
    }

    @Test func whitespaceOnlyBodyIsRejected() {
        #expect(reason(" \n\t\r ") == "body contains only whitespace, expected a JSON object")
    }

    @Test(arguments: [
        ("null", "null"),
        ("[1, 2]", "array"),
        ("42", "number"),
        ("-1.5", "number"),
        (#""hello""#, "string"),
        ("true", "boolean"),
    ])
    func jsonThatIsNotAnObjectIsRejected(body: String, typeName: String) {
        #expect(reason(body) == "body must be a JSON object, got \(typeName)")
    }

    @Test func xmlBodyIsRejected() {
        #expect(reason("<tweet><id>1</id></tweet>") == "body is not valid JSON: expected a value, got '<' at byte 0")
    }

    @Test func csvBodyIsRejected() {
        #expect(reason("id,text\n1,hello\n") == "body is not valid JSON: invalid literal 'id' (only true, false and null are allowed) at byte 0")
        #expect(reason("1,hello\n") == "body is not valid JSON: unexpected trailing bytes after the JSON value (',') at byte 1")
    }

    @Test func bodyOverTheSizeLimitIsRejectedBeforeParsing() {
        // Garbage that would fail parsing proves the size check comes first.
        #expect(reason([UInt8](repeating: 0xFF, count: 300_000)) == "body is 300000 bytes, over the 262144-byte limit")
        let small = TweetDecoder(maxMessageBytes: 10)
        #expect(reason(#"{"id":"1","text":"a"}"#, decoder: small) == "body is 21 bytes, over the 10-byte limit")
    }

    // MARK: Malformed JSON

    @Test func truncatedJSONIsRejected() {
        #expect(reason(#"{"id": "1", "text": "hi""#) == "body is not valid JSON: unexpected end of input at byte 24")
        #expect(reason(#"{"id": "1", "text": "hi"#) == "body is not valid JSON: unterminated string at byte 20")
    }

    @Test func trailingBytesAreRejected() {
        #expect(reason(#"{"id": "1", "text": "a"} {}"#) == "body is not valid JSON: unexpected trailing bytes after the JSON value ('{') at byte 25")
    }

    @Test func trailingCommasAreRejected() {
        #expect(reason(#"{"id": "1", "text": "a",}"#) == "body is not valid JSON: trailing comma in object at byte 23")
        #expect(reason(tweet(with: #""media": [{"type": "a"},]"#)) == "body is not valid JSON: trailing comma in array at byte 52")
    }

    @Test func singleQuotedStringsAreRejected() {
        #expect(reason("{'id': '1', 'text': 'a'}") == #"body is not valid JSON: expected a string key, got "'" (strings must use double quotes) at byte 1"#)
    }

    @Test func commentsAreRejected() {
        #expect(reason("{\"id\": \"1\", // note\n\"text\": \"a\"}") == "body is not valid JSON: expected a string key, got '/' (comments are not allowed) at byte 12")
        #expect(reason(#"{"id": "1", "text": "a" /* c */}"#) == "body is not valid JSON: expected ',' or '}' after an object member, got '/' (comments are not allowed) at byte 24")
    }

    @Test func nulByteIsRejected() {
        var body = Array(#"{"id": "1", "text": "a"}"#.utf8)
        body.insert(0, at: 11)
        #expect(reason(body) == "body is not valid JSON: expected a string key, got a NUL byte at byte 11")
    }

    @Test func nanLiteralIsRejected() {
        #expect(reason(tweet(with: #""metrics": {"likes": NaN}"#)) == "body is not valid JSON: invalid literal 'NaN' (only true, false and null are allowed) at byte 50")
    }

    @Test func leadingZerosAreRejected() {
        #expect(reason(tweet(with: #""metrics": {"likes": 007}"#)) == "body is not valid JSON: leading zeros are not allowed in numbers at byte 50")
    }

    @Test func numbersBeyondDoubleRangeAreRejected() {
        #expect(reason(tweet(with: #""metrics": {"likes": 1e400}"#)) == "body is not valid JSON: number out of range at byte 50")
    }

    @Test func integersBeyondInt64AreRejectedWithTheirLimit() {
        #expect(
            reason(tweet(with: #""metrics": {"likes": 99999999999999999999999}"#))
                == #"field "metrics.likes" must be a non-negative integer of at most 9223372036854775807, got 1e+23"#
        )
    }

    @Test func duplicateTopLevelKeysAreRejected() {
        #expect(reason(#"{"id": "1", "text": "a", "id": "2"}"#) == #"body is not valid JSON: duplicate key "id" at byte 25"#)
    }

    @Test func duplicateNestedKeysAreRejected() {
        #expect(reason(tweet(with: #""author": {"username": "a", "username": "b"}"#)) == #"body is not valid JSON: duplicate key "username" at byte 57"#)
    }

    @Test(.timeLimit(.minutes(1)))
    func hundredThousandLevelsOfNestingAreRejectedQuickly() {
        let body = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let clock = ContinuousClock()
        var message: String?
        let elapsed = clock.measure { message = reason(body) }
        #expect(message == "body is not valid JSON: nesting deeper than 64 at byte 64")
        #expect(elapsed < .seconds(1))
        let objects = Array(String(repeating: #"{"a":"#, count: 50_000).utf8)
        #expect(reason(objects) == "body is not valid JSON: nesting deeper than 64 at byte 320")
    }

    // MARK: Invalid UTF-8

    @Test(arguments: [
        [0xFF],  // never valid in UTF-8
        [0xC0, 0xAF],  // overlong encoding of "/"
        [0xE2, 0x82],  // truncated three-byte sequence
        [0xED, 0xA0, 0x80],  // UTF-8-encoded surrogate U+D800
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
    ] as [[UInt8]])
    func invalidUTF8IsRejected(sequence: [UInt8]) {
        let body = Array(#"{"id": "1", "text": "ab"#.utf8) + sequence + Array(#""}"#.utf8)
        #expect(reason(body) == "body is not valid JSON: invalid UTF-8 at byte 23")
    }

    @Test func invalidUTF8OutsideStringsIsRejected() {
        #expect(reason([0xFF] + Array("{}".utf8)) == "body is not valid JSON: invalid UTF-8 at byte 0")
    }

    @Test func loneSurrogateEscapeIsRejected() {
        #expect(reason(#"{"id": "1", "text": "a\ud800"}"#) == #"body is not valid JSON: unpaired surrogate escape \uD800 in string at byte 22"#)
        #expect(reason(#"{"id": "1", "text": "\udc00"}"#) == #"body is not valid JSON: unpaired surrogate escape \uDC00 in string at byte 21"#)
    }

    // MARK: id

    @Test func missingIDIsRejected() {
        #expect(reason(#"{"text": "a"}"#) == #"missing required field "id""#)
    }

    @Test func nullIDIsRejected() {
        #expect(reason(#"{"id": null, "text": "a"}"#) == #"field "id" must be a non-empty string or a non-negative integer, got null"#)
    }

    @Test func emptyIDIsRejected() {
        #expect(reason(#"{"id": "", "text": "a"}"#) == #"field "id" must not be empty"#)
    }

    @Test func idOfSixtyFiveCharactersIsRejected() {
        let id = String(repeating: "a", count: 65)
        #expect(reason(#"{"id": "\#(id)", "text": "a"}"#) == #"field "id" has 65 characters, over the 64 limit"#)
    }

    @Test func idTooLongForAnAMQPMessageIDIsRejected() {
        let id = String(repeating: "👍🏽", count: 64)
        #expect(reason(#"{"id": "\#(id)", "text": "a"}"#) == #"field "id" is 512 bytes of UTF-8, over the 255-byte limit"#)
    }

    @Test(arguments: [
        ("-1", "-1"),
        ("1.5", "1.5"),
        ("3.0", "3.0"),
        ("true", "true"),
        (#"["1"]"#, "array"),
        (#"{"n": 1}"#, "object"),
    ])
    func idOfTheWrongTypeIsRejected(id: String, shown: String) {
        #expect(reason(#"{"id": \#(id), "text": "a"}"#) == #"field "id" must be a non-empty string or a non-negative integer, got \#(shown)"#)
    }

    // MARK: text

    @Test func missingTextIsRejected() {
        #expect(reason(#"{"id": "1"}"#) == #"missing required field "text""#)
    }

    @Test(arguments: [("42", "42"), ("null", "null"), ("false", "false"), (#"["a"]"#, "array")])
    func textThatIsNotAStringIsRejected(text: String, shown: String) {
        #expect(reason(#"{"id": "1", "text": \#(text)}"#) == #"field "text" must be a string, got \#(shown)"#)
    }

    @Test func textOverTheLimitIsRejected() {
        let text = String(repeating: "a", count: 25_001)
        #expect(reason(#"{"id": "1", "text": "\#(text)"}"#) == #"field "text" has 25001 characters, over the 25000 limit"#)
    }

    // MARK: Optional fields

    @Test(arguments: [
        (#""author": "bob""#, #"field "author" must be an object, got "bob""#),
        (#""author": [1]"#, #"field "author" must be an object, got array"#),
        (#""author": {"followers": -3}"#, #"field "author.followers" must be a non-negative integer, got -3"#),
        (#""author": {"followers": "10"}"#, #"field "author.followers" must be a non-negative integer, got "10""#),
        (#""author": {"followers": 1.0}"#, #"field "author.followers" must be a non-negative integer, got 1.0"#),
        (#""author": {"verified": 1}"#, #"field "author.verified" must be true or false, got 1"#),
        (#""author": {"verified": "true"}"#, #"field "author.verified" must be true or false, got "true""#),
        (#""author": {"id": false}"#, #"field "author.id" must be a string or a non-negative integer, got false"#),
        (#""author": {"username": 5}"#, #"field "author.username" must be a string, got 5"#),
        (#""metrics": {"likes": -3}"#, #"field "metrics.likes" must be a non-negative integer, got -3"#),
        (#""metrics": {"likes": 1.5}"#, #"field "metrics.likes" must be a non-negative integer, got 1.5"#),
        (#""metrics": {"quotes": true}"#, #"field "metrics.quotes" must be a non-negative integer, got true"#),
        (#""metrics": [1, 2]"#, #"field "metrics" must be an object, got array"#),
        (#""media": {"type": "photo"}"#, #"field "media" must be an array, got object"#),
        (#""media": "photo""#, #"field "media" must be an array, got "photo""#),
        (#""media": [{"url": "https://x"}]"#, #"missing required field "media[0].type""#),
        (#""media": [{"type": "photo"}, {"type": null}]"#, #"field "media[1].type" must be a string, got null"#),
        (#""media": [{"type": "photo"}, "video"]"#, #"field "media[1]" must be an object, got "video""#),
        (#""media": [{"type": "photo", "url": 3}]"#, #"field "media[0].url" must be a string, got 3"#),
        (#""lang": 1"#, #"field "lang" must be a string, got 1"#),
        (#""in_reply_to": -2"#, #"field "in_reply_to" must be a string or a non-negative integer, got -2"#),
        (#""in_reply_to": true"#, #"field "in_reply_to" must be a string or a non-negative integer, got true"#),
    ])
    func optionalFieldOfTheWrongTypeIsRejectedWithItsPath(fragment: String, expected: String) {
        #expect(reason(tweet(with: fragment)) == expected)
    }

    @Test(arguments: [
        "2024-05-01",
        "yesterday",
        "2024-05-01T12:00:00",
        "2024-05-01T12:00Z",
        "2024-5-1T12:00:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:61Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00+0200",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00Z ",
        "2024-05-01X12:00:00Z",
        "１２３４-05-01T12:00:00Z",
    ])
    func createdAtThatIsNotRFC3339IsRejected(timestamp: String) {
        let expected = #"field "created_at" must be an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got "\#(timestamp)""#
        #expect(reason(tweet(with: #""created_at": "\#(timestamp)""#)) == expected)
    }

    @Test func createdAtThatIsNotAStringIsRejected() {
        #expect(
            reason(tweet(with: #""created_at": 1714564800"#))
                == #"field "created_at" must be an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got 1714564800"#
        )
    }

    // MARK: Messages

    @Test func messagesShowAtMostAShortEscapedExcerptOfTheValue() throws {
        let long = String(repeating: "x", count: 10_000) + "\n"
        let message = try #require(reason(tweet(with: #""created_at": "\#(long.replacingOccurrences(of: "\n", with: "\\n"))""#)))
        #expect(message == #"field "created_at" must be an RFC 3339 timestamp such as "2024-05-01T12:00:00Z", got ""# + String(repeating: "x", count: 60) + #"…""#)
        #expect(!message.contains("\n"))
    }

    @Test func errorDescriptionIsTheReason() {
        let error = TweetValidationError(reason: "missing required field \"id\"")
        #expect(error.description == error.reason)
    }
}
