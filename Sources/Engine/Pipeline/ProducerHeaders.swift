import Foundation
import Synchronization

/// tweetd's own headers read back from a message a producer may have written.
///
/// Headers and properties are producer input like the body: a producer can set
/// `x-attempts: 9223372036854775807`, a routing key header of 100 KB or an
/// `x-first-failed-at` of garbage. Every value tweetd reads from a message goes
/// through here: it is parsed and bounded, and when it is nonsense it counts as
/// absent. Nothing read here can make arithmetic trap or a publish be refused.
public enum ProducerHeaders {
    /// The largest count tweetd believes in a counting header (`x-attempts`, `x-hold-retries`, `x-replays`).
    ///
    /// `processing.max_attempts` is at most 100; anything above this bound was not written by tweetd.
    public static let maximumCount = 10_000

    /// The longest routing key or exchange name AMQP allows (a short string), in UTF-8 bytes.
    public static let maximumNameBytes = 255

    /// The longest RFC 3339 time tweetd writes, with room for fractions and offsets.
    static let maximumTimestampLength = 64

    /// What a header holds once read.
    public enum Reading<Value: Sendable & Equatable>: Sendable, Equatable {
        /// The message has no such header.
        case absent
        /// The header holds a value tweetd can use.
        case valid(Value)
        /// The header is there but is not a value tweetd wrote: treated as absent.
        case ignored(reason: String)

        /// The value, or nil when absent or ignored.
        public var value: Value? {
            if case .valid(let value) = self { return value }
            return nil
        }
    }

    /// A count from 0 to ``maximumCount``: an integer header, or a string holding one.
    public static func count(_ name: String, in headers: [String: FieldValue]) -> Reading<Int> {
        guard let field = headers[name] else { return .absent }
        guard let number = field.integerValue else {
            return .ignored(reason: "not an integer")
        }
        guard number >= 0, number <= Int64(maximumCount) else {
            return .ignored(reason: "\(number) is outside 0...\(maximumCount)")
        }
        return .valid(Int(number))
    }

    /// A name usable as a routing key or exchange name: a string of at most 255 UTF-8 bytes.
    public static func name(_ name: String, in headers: [String: FieldValue]) -> Reading<String> {
        guard let field = headers[name] else { return .absent }
        guard let text = field.stringValue else { return .ignored(reason: "not a string") }
        guard text.utf8.count <= maximumNameBytes else {
            return .ignored(reason: "\(text.utf8.count) bytes, over the \(maximumNameBytes) an AMQP name may have")
        }
        return .valid(text)
    }

    /// An RFC 3339 time as tweetd writes them (`x-first-failed-at`).
    public static func timestamp(_ name: String, in headers: [String: FieldValue]) -> Reading<String> {
        guard let field = headers[name] else { return .absent }
        guard let text = field.stringValue, text.utf8.count <= maximumTimestampLength, RFC3339.date(from: text) != nil else {
            return .ignored(reason: "not an RFC 3339 time")
        }
        return .valid(text)
    }
}

/// Says once per process, per header name, that a producer's header was ignored.
///
/// A hostile producer can send a bad header on every message; one line per name
/// tells the operator what is going on without letting the producer flood the log.
public final class IgnoredHeaderLog: Sendable {
    private let reported = Mutex<Set<String>>([])

    /// Creates an empty log.
    public init() {}

    /// True the first time `header` is reported, false afterwards.
    public func shouldReport(_ header: String) -> Bool {
        reported.withLock { $0.insert(header).inserted }
    }
}
