import Foundation

/// A range of whole UTC days, both ends included; `nil` ends are open (all time). Every V2 read takes one.
///
/// census stores metadata per (…, day) where the day is the Kafka record timestamp's UTC day, so a range is resolved to
/// whole days: `from=2026-12-01T10:00:00Z` means "from 2026-12-01". Days are counted since 1970-01-01 (ClickHouse's
/// `Date`, a `UInt16`).
package struct DayRange: Sendable, Hashable, CustomStringConvertible {
    /// First day included (days since 1970-01-01), or all days before `to`.
    package var from: UInt16?
    /// Last day included, or all days from `from` on.
    package var to: UInt16?

    package init(from: UInt16? = nil, to: UInt16? = nil) {
        self.from = from
        self.to = to
    }

    /// Every day.
    package static let all = DayRange()

    /// Whether both ends are open.
    package var isAll: Bool { from == nil && to == nil }

    /// Whether the range holds no day at all (`from` after `to`).
    package var isEmpty: Bool {
        guard let from, let to else { return false }
        return from > to
    }

    /// Whether `day` is in the range.
    package func contains(_ day: UInt16) -> Bool {
        if let from, day < from { return false }
        if let to, day > to { return false }
        return true
    }

    package var description: String {
        "\(from.map(Self.format) ?? "-∞")...\(to.map(Self.format) ?? "+∞")"
    }

    // MARK: - Parsing and formatting

    /// The last day a `Date` column holds (2149-06-06).
    package static let maxDay = UInt16.max

    /// The UTC day of `seconds` since the epoch, clamped to ``maxDay``.
    package static func day(ofEpochSeconds seconds: Int64) -> UInt16 {
        guard seconds > 0 else { return 0 }
        return UInt16(clamping: seconds / 86_400)
    }

    /// Parses a range end: `YYYY-MM-DD` or an RFC 3339 time (`2026-12-01T10:00:00Z`, `…+02:00`, fractional seconds
    /// allowed), resolved to its UTC day. `nil` for anything else (including days before 1970 or after ``maxDay``).
    package static func parseDay(_ text: some StringProtocol) -> UInt16? {
        let text = String(text)
        guard text.utf8.count <= 64 else { return nil }
        if text.utf8.count == 10, let day = parseDate(text.utf8) { return day }
        guard let date = rfc3339(text) else { return nil }
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds >= 0, seconds < Double(Int(maxDay) + 1) * 86_400 else { return nil }
        return day(ofEpochSeconds: Int64(seconds))
    }

    /// `YYYY-MM-DD` of a day.
    package static func format(_ day: UInt16) -> String {
        let (y, m, d) = civil(fromDays: Int(day))
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count (Howard Hinnant's `civil_from_days`).
    package static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func parseDate(_ utf8: String.UTF8View) -> UInt16? {
        let bytes = Array(utf8)
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        let days = Self.days(year: year, month: month, day: day)
        guard days >= 0, days <= Int(maxDay) else { return nil }
        return UInt16(days)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func rfc3339(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
