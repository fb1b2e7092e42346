import Foundation

/// Formats the health endpoint's values as the reference does (Go's `time.Time` and `Duration.String()`).
enum HealthFormatting {
    /// RFC 3339 with nanoseconds in UTC, e.g. `2025-11-10T09:00:00.123456789Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let nanos = Int(((seconds - Double(whole)) * 1e9).rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), nanos)
    }

    /// Go's `Duration.String()`: `2h15m30.512345678s`, `1m0s`, `1.5s`, `0s`.
    static func goDuration(_ interval: TimeInterval) -> String {
        let totalNanos = Int64((max(0, interval) * 1e9).rounded(.down))
        if totalNanos == 0 { return "0s" }
        let hours = totalNanos / 3_600_000_000_000
        let minutes = (totalNanos / 60_000_000_000) % 60
        let nanos = totalNanos % 60_000_000_000
        var seconds = String(nanos / 1_000_000_000)
        let fraction = nanos % 1_000_000_000
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            seconds += "." + digits
        }
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(minutes)m\(seconds)s" }
        return "\(seconds)s"
    }
}

/// This process's memory use, from `/proc/self/status` (Linux).
struct ProcessMemory: Sendable {
    var residentBytes: UInt64 = 0
    var peakResidentBytes: UInt64 = 0
    var virtualBytes: UInt64 = 0

    static func current() -> ProcessMemory {
        var memory = ProcessMemory()
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return memory }
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kib = UInt64(parts[1]) else { continue }
            switch parts[0] {
            case "VmRSS:": memory.residentBytes = kib << 10
            case "VmHWM:": memory.peakResidentBytes = kib << 10
            case "VmSize:": memory.virtualBytes = kib << 10
            default: break
            }
        }
        return memory
    }
}
