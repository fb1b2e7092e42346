import Consumer
import Foundation
import Store

/// Shows a replay's progress: a bar with rate and ETA on stderr when stderr is a terminal, otherwise one JSON line per
/// interval on stdout (`{"event":"progress","records_done":…,"records_total":…,"records_per_second":…,"eta_seconds":…}`)
/// and a final `{"event":"done",…}` line.
struct ReplayProgressReporter {
    let terminal: Bool
    let started = ContinuousClock.now

    init(terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.terminal = terminal
    }

    var interval: Duration { terminal ? .milliseconds(250) : .seconds(1) }

    func report(_ statistics: IngestStatistics, done: Bool = false) {
        let total = statistics.replayTotal
        let records = min(statistics.records, total)
        let elapsed = max(1e-3, (ContinuousClock.now - started).inSeconds)
        let rate = Double(records) / elapsed
        let remaining = total - records
        let eta: Double? = done ? 0 : (rate > 0 ? Double(remaining) / rate : nil)
        if terminal {
            let width = 30
            let fraction = total == 0 ? 1 : Double(records) / Double(total)
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let etaText = eta.map { Self.duration($0) } ?? "?"
            let percent = String(format: "%5.1f", fraction * 100)
            let line = "\r[\(bar)] \(percent)% \(records)/\(total) records  \(Int(rate.rounded())) rec/s  ETA \(etaText)  "
            FileHandle.standardError.write(Data((line + (done ? "\n" : "")).utf8))
        } else {
            var fields = [
                "\"event\":\"\(done ? "done" : "progress")\"", "\"records_done\":\(records)", "\"records_total\":\(total)",
                "\"records_per_second\":\(Int(rate.rounded()))", "\"elapsed_seconds\":\(String(format: "%.3f", elapsed))",
                "\"skipped_already_applied\":\(statistics.skippedRecords)", "\"quarantined\":\(statistics.quarantinedRecords)",
            ]
            fields.append("\"eta_seconds\":" + (eta.map { String(format: "%.1f", $0) } ?? "null"))
            FileHandle.standardOutput.write(Data(("{" + fields.joined(separator: ",") + "}\n").utf8))
        }
    }

    private static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole >= 3600 ? "\(whole / 3600)h\(whole % 3600 / 60)m" : whole >= 60 ? "\(whole / 60)m\(whole % 60)s" : "\(whole)s"
    }
}
