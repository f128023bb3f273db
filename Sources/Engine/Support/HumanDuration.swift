import Foundation

/// Durations the way operators type and read them: `30s`, `10m`, `2h`, `1d`, `1h30m`, `250ms`.
public enum HumanDuration {
    /// A duration that could not be read, with the text and what was expected.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text as given.
        public var text: String

        /// One line an operator can act on.
        public var description: String {
            "'\(text)' is not a duration: write a number and a unit (ms, s, m, h, d), for example 30s, 10m, 2h, 1d or 1h30m"
        }
    }

    /// Units by suffix; `ms` comes before `m` and `s` so the longest suffix wins.
    private static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400),
    ]

    /// Reads one or more `<number><unit>` parts (`90s`, `1.5h`, `1d12h`); a bare number is refused,
    /// because `--older-than 30` could mean seconds or minutes.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
        guard !rest.isEmpty else { throw ParseError(text: text) }
        var totalSeconds = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number), value.isFinite else { throw ParseError(text: text) }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { throw ParseError(text: text) }
            rest = rest.dropFirst(unit.suffix.count)
            totalSeconds += value * unit.seconds
        }
        // Beyond a century is a typo, and Duration's arithmetic would overflow long before infinity.
        guard totalSeconds <= 100 * 365 * 86_400 else { throw ParseError(text: text) }
        return .milliseconds(Int64((totalSeconds * 1000).rounded()))
    }

    /// The two largest units, for an ETA or an age: `42s`, `3m05s`, `2h07m`, `1d03h`.
    public static func format(_ duration: Duration) -> String {
        format(seconds: duration.seconds)
    }

    /// Like `format(_:)`, from seconds; negative and non-finite values read `0s` and `?`.
    public static func format(seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let whole = Int(max(0, seconds).rounded())
        let (days, hours, minutes, remainder) = (whole / 86_400, whole / 3600 % 24, whole / 60 % 60, whole % 60)
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if days > 0 { return "\(days)d\(twoDigits(hours))h" }
        if hours > 0 { return "\(hours)h\(twoDigits(minutes))m" }
        if minutes > 0 { return "\(minutes)m\(twoDigits(remainder))s" }
        return "\(remainder)s"
    }
}
