import Hummingbird
import Store

/// The answer of ``RangeQuery/parse(_:from:to:)``.
typealias DayRangeQuery = DayRange

/// Parses the `from`/`to` query parameters every V2 read takes: `YYYY-MM-DD` or an RFC 3339 time, each resolved to its
/// UTC day, both ends included; a missing or empty end is open (default: all time).
enum RangeQuery {
    /// - Throws: `HTTPError(.badRequest)` naming the parameter and the accepted forms.
    static func parse(_ query: FormQuery, from fromName: String = "from", to toName: String = "to") throws -> DayRange {
        var range = DayRange()
        if let text = query[fromName], !text.isEmpty {
            guard let day = DayRange.parseDay(text) else { throw invalid(fromName) }
            range.from = day
        }
        if let text = query[toName], !text.isEmpty {
            guard let day = DayRange.parseDay(text) else { throw invalid(toName) }
            range.to = day
        }
        if range.isEmpty { throw HTTPError(.badRequest, message: "'\(fromName)' is after '\(toName)'") }
        return range
    }

    private static func invalid(_ name: String) -> HTTPError {
        HTTPError(.badRequest, message: "invalid '\(name)': expected YYYY-MM-DD or an RFC 3339 time such as 2026-12-01T00:00:00Z")
    }
}
