import Foundation

/// A value in an AMQP field table (message headers, queue arguments).
///
/// Only the kinds tweetd reads or writes have their own case; any other kind
/// the broker sends is kept as `.unsupported` so headers pass through decoding
/// without failing.
public enum FieldValue: Sendable, Equatable, CustomStringConvertible {
    /// A UTF-8 string (`S`).
    case string(String)
    /// A signed 64-bit integer (`l`); smaller integer kinds decode into it too.
    case integer(Int64)
    /// A boolean (`t`).
    case bool(Bool)
    /// A double (`d`); floats decode into it too.
    case double(Double)
    /// An AMQP timestamp, seconds since the epoch (`T`).
    case timestamp(UInt64)
    /// Raw bytes (`x`).
    case bytes([UInt8])
    /// A nested table (`F`).
    case table([String: FieldValue])
    /// An array (`A`).
    case array([FieldValue])
    /// A void value (`V`).
    case void
    /// A kind tweetd does not interpret (for example decimal), with its kind byte.
    case unsupported(kind: UInt8)

    /// The string, when this is a string (or bytes that are valid UTF-8).
    public var stringValue: String? {
        switch self {
        case .string(let value): return value
        case .bytes(let bytes): return String(validating: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// The integer, when this is an integer or a string holding one.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .timestamp(let value): return Int64(exactly: value)
        case .string(let value): return Int64(value)
        default: return nil
        }
    }

    /// A short human rendering, for logs and tools.
    public var description: String {
        switch self {
        case .string(let value): return value
        case .integer(let value): return String(value)
        case .bool(let value): return String(value)
        case .double(let value): return String(value)
        case .timestamp(let value): return String(value)
        case .bytes(let value): return "<\(value.count) bytes>"
        case .table(let value): return "{" + value.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .array(let value): return "[" + value.map(\.description).joined(separator: ", ") + "]"
        case .void: return "void"
        case .unsupported(let kind): return "<kind \(kind)>"
        }
    }
}
