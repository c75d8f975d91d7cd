import Foundation

/// RFC 3339 UTC timestamps with whole seconds, the one form used in payloads, receipts and events.
public enum Timestamp {
    /// `date` as `YYYY-MM-DDThh:mm:ssZ` (whole seconds, rounded down).
    public static func string(_ date: Date) -> String {
        string(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    /// The timestamp of a count of seconds since 1970 (the proleptic Gregorian calendar, UTC),
    /// by arithmetic: it runs on every log line and audit event, where `Calendar` cost microseconds.
    public static func string(secondsSince1970 seconds: Int64) -> String {
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
    public static func duration(_ text: String) -> TimeInterval? {
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
