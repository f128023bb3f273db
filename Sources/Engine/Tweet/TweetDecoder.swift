import Foundation

/// Turns an input message body into a `Tweet`, enforcing the wire contract.
///
/// The body must be at most `maxMessageBytes`, strict JSON (see `StrictJSONParser`),
/// and an object with:
/// - `id`: a non-empty string of at most 64 characters and 255 UTF-8 bytes, or a
///   non-negative integer (turned into its decimal string). The byte bound exists
///   because the id becomes the AMQP `message_id` of results, a short string of at
///   most 255 bytes, and 64 characters can carry far more than that;
/// - `text`: a string of at most `maxTextCharacters` characters (grapheme clusters,
///   so "👍🏽" is one). Empty and whitespace-only text is accepted: whether there
///   is anything to analyse is the analysis's call, not the contract's;
/// - optional `author {id, username, followers, verified}`, `created_at`
///   (RFC 3339), `lang`, `metrics {likes, retweets, replies, quotes}` (missing
///   counts are 0), `media [{type, url}]`, and `in_reply_to` (string or
///   non-negative integer).
///
/// An optional field that is `null` counts as absent; a present field of the wrong
/// type is an error naming its path (`author.followers`). Booleans are never
/// numbers, and a number with a fraction or exponent (even `3.0`) is never an
/// integer. Unknown fields are ignored so producers can add data freely.
public struct TweetDecoder: Sendable {
    /// The longest accepted `id`, in characters, as the wire contract says.
    public static let maxIDCharacters = 64
    /// The longest accepted `id` in UTF-8 bytes: the AMQP short-string limit.
    public static let maxIDBytes = 255

    /// The largest accepted body, in bytes.
    public let maxMessageBytes: Int
    /// The longest accepted `text`, in characters.
    public let maxTextCharacters: Int
    private let parser: StrictJSONParser

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - maxMessageBytes: `processing.max_message_bytes`; 256 KiB by default.
    ///   - maxTextCharacters: `processing.max_text_chars`; 25,000 by default, the longest post X allows.
    ///   - maxDepth: how deeply the body may nest; a tweet needs 3.
    public init(maxMessageBytes: Int = 262_144, maxTextCharacters: Int = 25_000, maxDepth: Int = 64) {
        self.maxMessageBytes = maxMessageBytes
        self.maxTextCharacters = maxTextCharacters
        self.parser = StrictJSONParser(maxDepth: maxDepth)
    }

    /// Decodes and validates one message body.
    ///
    /// The size is checked before anything else, so an oversized body costs nothing to reject.
    ///
    /// - Throws: `TweetValidationError` with a one-line reason for the dead letter.
    public func decode(_ body: [UInt8]) throws(TweetValidationError) -> Tweet {
        guard body.count <= maxMessageBytes else {
            throw .bodyTooLarge(bytes: body.count, limit: maxMessageBytes)
        }
        if body.allSatisfy(Self.isJSONWhitespace) {
            throw .emptyBody(whitespaceOnly: !body.isEmpty)
        }
        let json: JSONValue
        do throws(JSONParseError) {
            json = try parser.parse(body)
        } catch {
            throw .invalidJSON(error)
        }
        guard case .object(let object) = json else {
            throw .notAnObject(json)
        }
        return try decodeTweet(Fields(object, path: ""))
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private func decodeTweet(_ fields: Fields) throws(TweetValidationError) -> Tweet {
        let id = try decodeID(fields)

        let text = try fields.requiredString("text")
        // A string has at least as many UTF-8 bytes as characters, so short texts skip the count.
        if text.utf8.count > maxTextCharacters {
            let characters = text.count
            if characters > maxTextCharacters {
                throw .tooLong(fields.path("text"), characters: characters, limit: maxTextCharacters)
            }
        }

        var author: Tweet.Author?
        if let authorFields = try fields.object("author") {
            author = Tweet.Author(
                id: try authorFields.identifier("id"),
                username: try authorFields.string("username"),
                followers: try authorFields.count("followers"),
                verified: try authorFields.bool("verified")
            )
        }

        var createdAt: Date?
        if let value = fields["created_at"] {
            guard case .string(let string) = value, let date = RFC3339.date(from: string) else {
                throw .wrongType(
                    fields.path("created_at"),
                    expected: "an RFC 3339 timestamp such as \"2024-05-01T12:00:00Z\"",
                    got: value
                )
            }
            createdAt = date
        }

        var metrics: Tweet.EngagementMetrics?
        if let metricsFields = try fields.object("metrics") {
            metrics = Tweet.EngagementMetrics(
                likes: try metricsFields.count("likes") ?? 0,
                retweets: try metricsFields.count("retweets") ?? 0,
                replies: try metricsFields.count("replies") ?? 0,
                quotes: try metricsFields.count("quotes") ?? 0
            )
        }

        var media: [Tweet.Media] = []
        if let items = try fields.array("media") {
            media.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                let itemPath = fields.path("media") + "[\(index)]"
                guard case .object(let object) = item else {
                    throw .wrongType(itemPath, expected: "an object", got: item)
                }
                let itemFields = Fields(object, path: itemPath)
                media.append(Tweet.Media(type: try itemFields.requiredString("type"), url: try itemFields.string("url")))
            }
        }

        return Tweet(
            id: id,
            text: text,
            author: author,
            createdAt: createdAt,
            lang: try fields.string("lang"),
            metrics: metrics,
            media: media,
            inReplyTo: try fields.identifier("in_reply_to")
        )
    }

    private func decodeID(_ fields: Fields) throws(TweetValidationError) -> String {
        let expected = "a non-empty string or a non-negative integer"
        guard let value = fields.raw("id") else {
            throw .missingField(fields.path("id"))
        }
        switch value {
        case .integer(let integer) where integer >= 0:
            return String(integer)
        case .string(let string):
            guard !string.isEmpty else {
                throw .emptyField(fields.path("id"))
            }
            let bytes = string.utf8.count
            if bytes > Self.maxIDCharacters {
                let characters = string.count
                if characters > Self.maxIDCharacters {
                    throw .tooLong(fields.path("id"), characters: characters, limit: Self.maxIDCharacters)
                }
                if bytes > Self.maxIDBytes {
                    throw .tooManyBytes(fields.path("id"), bytes: bytes, limit: Self.maxIDBytes)
                }
            }
            return string
        default:
            throw .wrongType(fields.path("id"), expected: expected, got: value)
        }
    }
}

// MARK: - Field access

/// The members of one object of the body, read with the contract's rules and
/// errors that carry the member's full path.
private struct Fields {
    let object: JSONObject
    let prefix: String

    init(_ object: JSONObject, path prefix: String) {
        self.object = object
        self.prefix = prefix
    }

    func path(_ key: String) -> String {
        prefix.isEmpty ? key : prefix + "." + key
    }

    /// The member as sent, `null` included.
    func raw(_ key: String) -> JSONValue? {
        object[key]
    }

    /// The member, with `null` counted as absent.
    subscript(key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    /// A required string: absent is "missing", anything else but a string (`null` too) is a wrong type.
    func requiredString(_ key: String) throws(TweetValidationError) -> String {
        guard let value = raw(key) else {
            throw .missingField(path(key))
        }
        guard case .string(let string) = value else {
            throw .wrongType(path(key), expected: "a string", got: value)
        }
        return string
    }

    func string(_ key: String) throws(TweetValidationError) -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let string) = value else {
            throw .wrongType(path(key), expected: "a string", got: value)
        }
        return string
    }

    func bool(_ key: String) throws(TweetValidationError) -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let bool) = value else {
            throw .wrongType(path(key), expected: "true or false", got: value)
        }
        return bool
    }

    /// A non-negative integer; a whole number too large for `Int64` (parsed as a
    /// double) gets its own message, since "must be an integer" would puzzle the producer.
    func count(_ key: String) throws(TweetValidationError) -> Int64? {
        guard let value = self[key] else { return nil }
        switch value {
        case .integer(let integer) where integer >= 0:
            return integer
        case .double(let double) where double >= 0x1p63:
            throw .integerOutOfRange(path(key), got: double)
        default:
            throw .wrongType(path(key), expected: "a non-negative integer", got: value)
        }
    }

    /// An id that producers may send as a string or as a non-negative integer.
    func identifier(_ key: String) throws(TweetValidationError) -> String? {
        guard let value = self[key] else { return nil }
        switch value {
        case .string(let string):
            return string
        case .integer(let integer) where integer >= 0:
            return String(integer)
        default:
            throw .wrongType(path(key), expected: "a string or a non-negative integer", got: value)
        }
    }

    func object(_ key: String) throws(TweetValidationError) -> Fields? {
        guard let value = self[key] else { return nil }
        guard case .object(let object) = value else {
            throw .wrongType(path(key), expected: "an object", got: value)
        }
        return Fields(object, path: path(key))
    }

    func array(_ key: String) throws(TweetValidationError) -> [JSONValue]? {
        guard let value = self[key] else { return nil }
        guard case .array(let array) = value else {
            throw .wrongType(path(key), expected: "an array", got: value)
        }
        return array
    }
}
