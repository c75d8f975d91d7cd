import Foundation

/// RFC 3339 UTC timestamps with whole seconds, the one form used in payloads, receipts and events.
package enum Timestamp {
    /// `date` as `YYYY-MM-DDThh:mm:ssZ` (whole seconds, rounded down).
    package static func string(_ date: Date) -> String {
        string(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    /// The timestamp of a count of seconds since 1970 (the proleptic Gregorian calendar, UTC),
    /// by arithmetic: it runs on every log line and audit event, where `Calendar` cost microseconds.
    package static func string(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// Parses durations such as `14d`, `36h`, `90m` (1 minute to 365 days) into seconds.
    package static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return nil }
        let seconds: Int
        switch unit {
        case "d": seconds = amount * 86_400
        case "h": seconds = amount * 3_600
        case "m": seconds = amount * 60
        default: return nil
        }
        return (60...365 * 86_400).contains(seconds) ? TimeInterval(seconds) : nil
    }
}

extension Timestamp {
    /// The instant a `YYYY-MM-DDThh:mm:ssZ` timestamp names, or nil for any other text (the one
    /// form `string(_:)` writes; no offsets, no fractions).
    package static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A, bytes[19] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        // Howard Hinnant's days_from_civil, the inverse of `string(secondsSince1970:)`.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        // 31 February and friends: only a date that prints back the same is one.
        guard string(secondsSince1970: seconds) == text else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// How long an invite or a token is valid, as people write it: `14d`, `36h`, `90m` (1 minute to
/// 365 days). The text is what the API carries; `seconds` what the server adds to now.
package struct Lifetime: Sendable, Equatable, CustomStringConvertible {
    package let text: String
    package let seconds: TimeInterval

    /// A lifetime, or nil for text that is not one.
    package init?(_ text: String) {
        guard let seconds = Timestamp.duration(text) else { return nil }
        self.text = text
        self.seconds = seconds
    }

    /// What the error says a lifetime must look like.
    package static let expected = "like 14d, 36h or 90m (1 minute to 365 days)"

    package var description: String { text }
}
