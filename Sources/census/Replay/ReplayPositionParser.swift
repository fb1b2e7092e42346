import Consumer
import Foundation

/// Parses `census replay --from/--until` values: `earliest`, `now`, an RFC 3339 time, or `partition:offset,...`.
enum ReplayPositionParser {
    static func parse(_ text: String, flag: String) throws -> ReplayPlan.Position {
        let value = text.trimmingCharacters(in: .whitespaces)
        switch value.lowercased() {
        case "earliest": return .earliest
        case "now", "latest": return .now
        default: break
        }
        if let date = rfc3339(value) {
            return .time(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
        }
        var offsets: [Int32: Int64] = [:]
        for item in value.split(separator: ",") {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let partition = Int32(parts[0].trimmingCharacters(in: .whitespaces)), partition >= 0,
                let offset = Int64(parts[1].trimmingCharacters(in: .whitespaces)), offset >= 0, offsets[partition] == nil
            else {
                throw ConfigurationError(
                    "--\(flag) must be earliest, now, an RFC 3339 time (2026-11-25T10:00:00Z) or partition:offset[,partition:offset...], got '\(text)'"
                )
            }
            offsets[partition] = offset
        }
        guard !offsets.isEmpty else { throw ConfigurationError("--\(flag) must not be empty") }
        return .offsets(offsets)
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
