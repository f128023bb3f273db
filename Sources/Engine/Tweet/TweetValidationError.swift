/// Why a message body is not a valid tweet; every such body is `invalid_input`
/// and is dead-lettered at once, never retried.
///
/// The reason is one line, meant for the `x-error-message` header: it names the
/// field and the rule and shows at most a short, escaped excerpt of the offending
/// value, for example `field "metrics.likes" must be a non-negative integer, got -3`.
public struct TweetValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words a producer can act on.
    public let reason: String

    /// Creates an error with a ready-made reason.
    public init(reason: String) {
        self.reason = reason
    }

    /// The reason itself, so logging the error shows it unadorned.
    public var description: String { reason }
}

// The wording of each kind of failure lives here so the messages stay uniform.
extension TweetValidationError {
    static func bodyTooLarge(bytes: Int, limit: Int) -> Self {
        Self(reason: "body is \(bytes) bytes, over the \(limit)-byte limit")
    }

    static func emptyBody(whitespaceOnly: Bool) -> Self {
        Self(reason: whitespaceOnly ? "body contains only whitespace, expected a JSON object" : "body is empty, expected a JSON object")
    }

    static func invalidJSON(_ error: JSONParseError) -> Self {
        Self(reason: "body is not valid JSON: \(error)")
    }

    static func notAnObject(_ value: JSONValue) -> Self {
        Self(reason: "body must be a JSON object, got \(value.typeName)")
    }

    static func missingField(_ path: String) -> Self {
        Self(reason: "missing required field \"\(path)\"")
    }

    static func wrongType(_ path: String, expected: String, got value: JSONValue) -> Self {
        Self(reason: "field \"\(path)\" must be \(expected), got \(value.summary)")
    }

    static func integerOutOfRange(_ path: String, got value: Double) -> Self {
        Self(reason: "field \"\(path)\" must be a non-negative integer of at most \(Int64.max), got \(value)")
    }

    static func emptyField(_ path: String) -> Self {
        Self(reason: "field \"\(path)\" must not be empty")
    }

    static func tooLong(_ path: String, characters: Int, limit: Int) -> Self {
        Self(reason: "field \"\(path)\" has \(characters) characters, over the \(limit) limit")
    }

    static func tooManyBytes(_ path: String, bytes: Int, limit: Int) -> Self {
        Self(reason: "field \"\(path)\" is \(bytes) bytes of UTF-8, over the \(limit)-byte limit")
    }
}
