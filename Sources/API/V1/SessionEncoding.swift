import Foundation
import Store

/// The JSON of the session routes, in the field order of the OTLP Cardinality Checker's Go types
/// (`pkg/models/session.go`, `pkg/models/diff.go`); Go maps are written with their keys sorted, as Go does.
enum SessionEncoding {
    /// The signals a session covers: its filter, or all three.
    static func signals(_ session: StoredSession) -> [String] {
        session.signals.isEmpty ? ["metrics", "spans", "logs"] : session.signals
    }

    /// The reference's `SessionStats` of a snapshot.
    static func stats(_ snapshot: SessionSnapshot) -> SessionDocument.Stats {
        SessionDocument.Stats(
            metrics: snapshot.items(of: .metric).count, spans: snapshot.items(of: .span).count,
            logs: snapshot.items(of: .log).count, attributes: snapshot.keyCount, services: snapshot.services)
    }

    /// `SessionMetadata` (`id`, `description` when not empty, `created`, `signals`, `size_bytes`, `stats`) followed by
    /// census's own fields: `kind` (`range` or `imported`), `from` and `to` (`YYYY-MM-DD`, `null` when open) and
    /// `service_filter`.
    static func writeMetadata(_ session: StoredSession, stats: SessionDocument.Stats, to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", session.name)
        if !session.description.isEmpty { json.field("description", session.description) }
        json.field("created", timestamp(session.created))
        json.field("signals", strings: signals(session))
        json.field("size_bytes", session.snapshotSize)
        json.key("stats")
        writeStats(stats, to: &json)
        json.field("kind", session.imported ? "imported" : "range")
        json.key("from")
        if let from = session.range.from, !session.imported { json.string(DayRange.format(from)) } else { json.null() }
        json.key("to")
        if let to = session.range.to, !session.imported { json.string(DayRange.format(to)) } else { json.null() }
        json.field("service_filter", strings: session.services)
        json.endObject()
    }

    static func writeStats(_ stats: SessionDocument.Stats, to json: inout JSONWriter) {
        json.beginObject()
        json.field("metrics_count", stats.metrics)
        json.field("spans_count", stats.spans)
        json.field("logs_count", stats.logs)
        json.field("attributes_count", stats.attributes)
        json.field("services", strings: stats.services)
        json.endObject()
    }

    /// `2026-12-05T07:00:00Z`.
    static func timestamp(_ seconds: UInt32) -> String {
        let day = Int(seconds / 86_400), second = Int(seconds % 86_400)
        return DayRange.format(UInt16(clamping: day)) + String(format: "T%02d:%02d:%02dZ", second / 3600, second / 60 % 60, second % 60)
    }

    // MARK: - The session document

    /// The reference's `Session` document of a range session: `version` 1, `id`, `description`, `created`, `signals`,
    /// `data` (`metrics`, `spans`, `logs` as the reference serializes them, without HyperLogLog states), `stats`.
    static func writeDocument(_ session: StoredSession, snapshot: SessionSnapshot, to json: inout JSONWriter) {
        json.beginObject()
        json.field("version", 1)
        json.field("id", session.name)
        if !session.description.isEmpty { json.field("description", session.description) }
        json.field("created", timestamp(session.created))
        json.field("signals", strings: signals(session))
        json.key("data")
        writeData(snapshot, to: &json)
        json.key("stats")
        writeStats(stats(snapshot), to: &json)
        json.endObject()
    }

    /// `SessionData`: each list left out when empty (Go's `omitempty`).
    static func writeData(_ snapshot: SessionSnapshot, to json: inout JSONWriter) {
        json.beginObject()
        for (signal, field) in [(Signal.metric, "metrics"), (.span, "spans"), (.log, "logs")] {
            let items = snapshot.items(of: signal)
            guard !items.isEmpty else { continue }
            json.key(field)
            json.beginArray()
            for item in items { writeItem(item, to: &json) }
            json.endArray()
        }
        json.endObject()
    }

    private static func writeItem(_ item: SessionSnapshot.Item, to json: inout JSONWriter) {
        json.beginObject()
        switch item.signal {
        case .metric:
            json.field("name", item.name)
            json.field("type", item.metricType.apiName)
            writeKeys("label_keys", item, scope: .attribute, to: &json)
            writeKeys("resource_keys", item, scope: .resource, to: &json)
            json.field("sample_count", item.count)
            writeServices(item, to: &json)
            json.field("active_series", item.series)
        case .span:
            json.field("name", item.name)
            json.field("kind", 0)
            writeKeys("attribute_keys", item, scope: .attribute, to: &json)
            json.field("event_names", strings: [])
            writeKeys("resource_keys", item, scope: .resource, to: &json)
            json.field("sample_count", item.count)
            writeServices(item, to: &json)
        case .log:
            json.field("severity", item.name)
            writeKeys("attribute_keys", item, scope: .attribute, to: &json)
            writeKeys("resource_keys", item, scope: .resource, to: &json)
            json.field("sample_count", item.count)
            writeServices(item, to: &json)
        }
        json.endObject()
    }

    /// A map of `SerializedKey`: `count`, `percentage` (of the item's count), `estimated_cardinality`.
    private static func writeKeys(_ field: String, _ item: SessionSnapshot.Item, scope: KeyScope, to json: inout JSONWriter) {
        json.key(field)
        json.beginObject()
        for (id, key) in item.keys.filter({ $0.key.scope == scope }).sorted(by: { $0.key < $1.key }) {
            json.key(id.key)
            json.beginObject()
            json.field("count", key.count)
            json.field("percentage", item.count == 0 ? 0 : Double(key.count) / Double(item.count) * 100)
            json.field("estimated_cardinality", key.cardinality)
            if !key.samples.isEmpty { json.field("value_samples", strings: key.samples) }
            json.endObject()
        }
        json.endObject()
    }

    private static func writeServices(_ item: SessionSnapshot.Item, to json: inout JSONWriter) {
        json.key("services")
        json.beginObject()
        for (service, count) in item.services.sorted(by: { $0.key < $1.key }) { json.field(service, count) }
        json.endObject()
    }

    // MARK: - Diff

    /// The reference's `DiffResult`: `from`, `to`, `summary` (every entry counted per signal and kind), `changes` (the
    /// entries at or above `minSeverity`, each list left out when empty) and `critical_changes` (left out when none).
    static func writeDiff(from: String, to: String, entries: [SessionDiff.Entry], minSeverity: ChangeSeverity, json: inout JSONWriter) {
        let sections: [(Signal?, String)] = [(.metric, "metrics"), (.span, "spans"), (.log, "logs"), (nil, "attributes")]
        json.beginObject()
        json.field("from", from)
        json.field("to", to)
        json.key("summary")
        json.beginObject()
        for (signal, field) in sections {
            let mine = entries.filter { $0.signal == signal }
            json.key(field)
            json.beginObject()
            for kind in [SessionDiff.Entry.Kind.added, .removed, .changed] { json.field(kind.rawValue, mine.filter { $0.kind == kind }.count) }
            json.endObject()
        }
        json.endObject()
        json.key("changes")
        json.beginObject()
        for (signal, field) in sections {
            let mine = entries.filter { $0.signal == signal && $0.severity >= minSeverity }
            json.key(field)
            json.beginObject()
            for kind in [SessionDiff.Entry.Kind.added, .removed, .changed] {
                let listed = mine.filter { $0.kind == kind }
                guard !listed.isEmpty else { continue }
                json.key(kind.rawValue)
                json.beginArray()
                for entry in listed { writeEntry(entry, to: &json) }
                json.endArray()
            }
            json.endObject()
        }
        json.endObject()
        let critical = entries.filter { $0.severity == .critical }
        if !critical.isEmpty {
            json.key("critical_changes")
            json.beginArray()
            for entry in critical { writeEntry(entry, to: &json) }
            json.endArray()
        }
        json.endObject()
    }

    /// A `Change`: `type`, `signal_type`, `name`, `severity`, `details` (changed), `metadata` (added).
    private static func writeEntry(_ entry: SessionDiff.Entry, to json: inout JSONWriter) {
        json.beginObject()
        json.field("type", entry.kind.rawValue)
        json.field("signal_type", entry.signal.apiName)
        json.field("name", entry.name)
        json.field("severity", entry.severity.name)
        if !entry.details.isEmpty {
            json.key("details")
            json.beginArray()
            for detail in entry.details {
                json.beginObject()
                json.field("field", detail.field)
                json.key("from")
                if let from = detail.from { json.int(from) } else { json.null() }
                json.key("to")
                if let to = detail.to { json.int(to) } else { json.null() }
                if detail.changePercent != 0 { json.field("change_pct", detail.changePercent) }
                json.field("severity", detail.severity.name)
                if let message = detail.message { json.field("message", message) }
                json.endObject()
            }
            json.endArray()
        }
        if let item = entry.added {
            // A Go map: keys sorted.
            json.key("metadata")
            json.beginObject()
            switch item.signal {
            case .metric:
                json.field("active_series", item.series)
                json.field("label_count", item.keys.keys.filter { $0.scope == .attribute }.count)
                json.field("sample_count", item.count)
                json.field("type", item.metricType.apiName)
            case .span:
                json.field("attribute_count", item.keys.keys.filter { $0.scope == .attribute }.count)
                json.field("sample_count", item.count)
            case .log:
                json.field("sample_count", item.count)
                json.field("template_count", 0)
            }
            json.endObject()
        }
        json.endObject()
    }
}
