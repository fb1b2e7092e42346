import Store

/// Which signal each topic carries.
///
/// Topics named explicitly win; otherwise the name decides: containing `metric` → metrics, `span` or `trace`
/// → spans, `log` → logs (the OpenTelemetry Collector's defaults are `otlp_metrics`, `otlp_spans`, `otlp_logs`).
package struct TopicSignalMap: Sendable, Hashable {
    package var explicit: [String: Signal]

    package init(explicit: [String: Signal] = [:]) {
        self.explicit = explicit
    }

    package func signal(for topic: String) -> Signal? {
        if let signal = explicit[topic] { return signal }
        let lower = topic.lowercased()
        if lower.contains("metric") { return .metric }
        if lower.contains("span") || lower.contains("trace") { return .span }
        if lower.contains("log") { return .log }
        return nil
    }

    /// A `--topic-signal` item that does not parse (a configuration mistake, not a Kafka error).
    package struct InvalidMapping: Error, Sendable, Hashable, CustomStringConvertible {
        package let description: String
    }

    /// Parses `topic=signal` items (`signal` is `metric(s)`, `span(s)`/`trace(s)` or `log(s)`).
    package static func parse(_ items: [String]) throws(InvalidMapping) -> TopicSignalMap {
        var explicit: [String: Signal] = [:]
        for item in items where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw InvalidMapping(description: "topic mapping '\(item)' is not topic=signal") }
            switch parts[1].lowercased() {
            case "metric", "metrics": explicit[parts[0]] = .metric
            case "span", "spans", "trace", "traces": explicit[parts[0]] = .span
            case "log", "logs": explicit[parts[0]] = .log
            default: throw InvalidMapping(description: "topic mapping '\(item)': signal must be metrics, spans or logs")
            }
        }
        return TopicSignalMap(explicit: explicit)
    }
}
