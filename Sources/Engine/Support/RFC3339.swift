import Foundation

/// A small RFC 3339 parser: `ISO8601DateFormatter` is neither `Sendable` nor cheap
/// to create per message, and a hand parser can be exact about the grammar.
///
/// Accepts `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, with `t`/`z` in lower case and
/// a space instead of `T` as RFC 3339 §5.6 allows. The fraction keeps nanosecond
/// precision at most; a leap second (`:60`) counts as the first second of the next minute.
enum RFC3339 {
    static func date(from string: String) -> Date? {
        var utf8 = string.utf8[...]
        // Fixed-width fields make every valid timestamp at least 20 bytes; 64 bounds the fraction.
        guard utf8.count >= 20, utf8.count <= 64 else { return nil }

        func number(_ width: Int) -> Int? {
            var value = 0
            for _ in 0..<width {
                guard let byte = utf8.popFirst(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                    return nil
                }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard let byte = utf8.popFirst() else { return false }
            return characters.utf8.contains(byte)
        }

        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }

        var nanoseconds = 0
        if utf8.first == UInt8(ascii: ".") {
            utf8.removeFirst()
            var digits = 0
            while let byte = utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                utf8.removeFirst()
                if digits < 9 {
                    nanoseconds = nanoseconds * 10 + Int(byte - UInt8(ascii: "0"))
                }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 {
                nanoseconds *= 10
            }
        }

        let offsetSeconds: Int
        switch utf8.popFirst() {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            offsetSeconds = 0
        case let sign? where sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"):
            guard let offsetHour = number(2), expect(":"), let offsetMinute = number(2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = (sign == UInt8(ascii: "-") ? -1 : 1) * (offsetHour * 3600 + offsetMinute * 60)
        default:
            return nil
        }
        guard utf8.isEmpty, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
