/// A JSON document as a value, as produced by `StrictJSONParser` and consumed by `JSONWriter`.
///
/// Integers and doubles are separate cases because the wire contract treats them
/// differently: a count must be written as an integer, and `3.0` is not one.
/// `.integer(1)` and `.double(1)` are therefore not equal.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number literal without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other finite number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, keys in document order.
    case object(JSONObject)
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The integer, if this is an integer; a `.double` is not converted, so `3.0` gives `nil`.
    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The number as a `Double`, for either numeric case, when the caller does not care how it was written.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The boolean, if this is `true` or `false`; numbers are never booleans.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { value } else { nil }
    }

    /// Whether this is `null`, which the tweet contract treats as an absent optional field.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The JSON type name used in error messages ("got array").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// A one-line rendering for error messages: scalars show their value (strings
    /// escaped and shortened), containers only their type, so a message never
    /// echoes a large or multi-line part of a hostile body.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .double(let value): value.description
        case .string(let value): JSONWriter.quoted(value, maxScalars: 60)
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// Creates `null`, so documents can be written as literals.
    public init(nilLiteral: ()) { self = .null }
    /// Creates a boolean from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates an integer from a literal.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// Creates a double from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Creates a string from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates an array from a literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Creates an object from a literal, keeping the literal's key order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

/// A JSON object that keeps its members in document order.
///
/// Order is kept so that documents written by `JSONWriter` read the way they were
/// built and a parsed body can be echoed faithfully. Keys are not forced to be
/// unique here; `StrictJSONParser` rejects duplicates, so parsed objects never have them.
public struct JSONObject: Sendable, Equatable {
    /// The members in document order.
    public var entries: [(key: String, value: JSONValue)]

    /// Creates an object from members in the order given.
    public init(_ entries: [(key: String, value: JSONValue)] = []) {
        self.entries = entries
    }

    /// The value of the first member named `key`.
    ///
    /// Setting replaces that member's value in place (keeping its position) or
    /// appends a new member; setting `nil` removes every member with that name.
    /// Lookup is linear, which is faster than hashing for the handful of keys a tweet has.
    public subscript(key: String) -> JSONValue? {
        get {
            entries.first { $0.key == key }?.value
        }
        set {
            guard let newValue else {
                entries.removeAll { $0.key == key }
                return
            }
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = newValue
            } else {
                entries.append((key: key, value: newValue))
            }
        }
    }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of members.
    public var count: Int { entries.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// Objects are equal when they have the same members in the same order;
    /// order counts because it is part of what this type promises to keep.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
