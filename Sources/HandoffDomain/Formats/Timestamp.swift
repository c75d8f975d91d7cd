import Foundation

/// RFC 3339 UTC timestamps with whole seconds, the one form used in payloads, receipts and events.
public enum Timestamp {
    /// `date` as `YYYY-MM-DDThh:mm:ssZ`.
    public static func string(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
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
