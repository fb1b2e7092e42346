import Foundation
import Store

/// The JSON and text of `census report`, in the OTLP Cardinality Checker's report format (`internal/report`:
/// `format_json.go` indents with two spaces; `format_text.go`).
package enum ReportEncoding {
    /// `{"version","generated_at","duration"?,"occ_version","summary","metrics","spans","logs","attributes"}`, then
    /// census's `thresholds` and `exit_code`.
    package static func json(_ report: CardinalityReport, generatedAt: UInt32, duration: String?, version: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("version", "1.0")
        json.field("generated_at", SessionEncoding.timestamp(generatedAt))
        if let duration { json.field("duration", duration) }
        json.field("occ_version", version)
        json.key("summary")
        json.beginObject()
        json.field("total_metrics", report.entries(of: .metric).count)
        json.field("total_span_names", report.entries(of: .span).count)
        json.field("total_log_patterns", report.entries(of: .log).count)
        json.field("total_attributes", report.attributes.count)
        json.field("high_cardinality_count", report.highCardinalityCount)
        json.key("samples")
        json.beginObject()
        for (signal, field) in [(Signal.metric, "metrics"), (.span, "spans"), (.log, "logs")] {
            json.field(field, report.entries(of: signal).reduce(UInt64(0)) { $0 &+ $1.count })
        }
        json.endObject()
        json.endObject()
        for (signal, field) in [(Signal.metric, "metrics"), (.span, "spans"), (.log, "logs")] {
            json.key(field)
            json.beginArray()
            for entry in report.entries(of: signal) {
                json.beginObject()
                switch signal {
                case .metric:
                    json.field("name", entry.name)
                    json.field("type", entry.metricType.apiName)
                    json.field("label_keys", strings: entry.keys)
                    json.field("sample_count", entry.count)
                case .span:
                    json.field("name", entry.name)
                    json.field("attribute_keys", strings: entry.keys)
                    json.field("span_count", entry.count)
                case .log:
                    json.field("severity_text", entry.name)
                    json.field("attribute_keys", strings: entry.keys)
                    json.field("log_count", entry.count)
                }
                json.field("estimated_cardinality", entry.cardinality)
                json.field("severity", entry.level.name)
                json.endObject()
            }
            json.endArray()
        }
        json.key("attributes")
        json.beginArray()
        for attribute in report.attributes {
            json.beginObject()
            json.field("key", attribute.key)
            json.field("signal_types", strings: attribute.signals.map(\.apiName))
            json.field("estimated_unique_values", attribute.cardinality)
            json.field("severity", attribute.level.name)
            json.endObject()
        }
        json.endArray()
        json.key("thresholds")
        json.beginObject()
        json.field("warning", report.warning)
        json.field("critical", report.critical)
        json.endObject()
        json.field("exit_code", report.level.rawValue)
        json.endObject()
        var bytes = json.bytes
        bytes.append(0x0A)
        return bytes
    }

    /// The reference's text report (`OCC Telemetry Report` renamed `census cardinality report`).
    package static func text(_ report: CardinalityReport, generatedAt: UInt32, duration: String?, version: String, source: String) -> String {
        var lines = [
            "census cardinality report", "=========================",
            "Generated: \(SessionEncoding.timestamp(generatedAt).replacingOccurrences(of: "T", with: " ").dropLast()) UTC",
        ]
        if let duration { lines.append("Duration:  \(duration)") }
        lines += [
            "Version:   \(version)", "Source:    \(source)",
            "Thresholds: warning \(number(report.warning)), critical \(number(report.critical))", "", "Summary", "-------",
            "Metrics:       \(report.entries(of: .metric).count)", "Spans:         \(report.entries(of: .span).count)",
            "Log patterns:  \(report.entries(of: .log).count)", "Attributes:    \(report.attributes.count)",
            "High cardinality: \(report.highCardinalityCount)",
        ]
        for (signal, title, keys, unit) in [
            (Signal.metric, "Metrics", "Labels", "Samples"), (.span, "Spans", "Attributes", "Spans"),
            (.log, "Logs", "Attributes", "Logs"),
        ] {
            let entries = report.entries(of: signal)
            guard !entries.isEmpty else { continue }
            let heading = "\(title) (sorted by cardinality)"
            lines += ["", heading, String(repeating: "-", count: heading.count)]
            for entry in entries {
                let suffix = signal == .metric ? " (\(entry.metricType.apiName))" : ""
                lines.append(tag(entry.level) + " \(entry.name)\(suffix)")
                lines.append("          \(keys): \(entry.keys.joined(separator: ", "))")
                lines.append("          Cardinality: \(number(entry.cardinality)) | \(unit): \(number(entry.count))")
            }
        }
        if !report.attributes.isEmpty {
            lines += ["", "Attributes (cross-signal)", "-------------------------"]
            for attribute in report.attributes {
                lines.append(
                    tag(attribute.level)
                        + " \(attribute.key) — \(attribute.signals.map(\.apiName).joined(separator: ", ")) — ~\(number(attribute.cardinality)) unique values"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `CRITICAL`, `WARNING`, `OK`, padded to 9 columns.
    private static func tag(_ level: CardinalityReport.Level) -> String {
        let text = level == .critical ? "CRITICAL" : level == .warning ? "WARNING" : "OK"
        return text.padding(toLength: 9, withPad: " ", startingAt: 0)
    }

    /// `12,345`.
    static func number(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
