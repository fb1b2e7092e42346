import Foundation
import Store

/// How V1 objects are written: field names, order and omissions of the reference implementation (its in-memory
/// backend's semantics: services merged, real per-key statistics).
enum V1Encoding {
    /// `KeyMetadata`: `value_samples` (omitted when empty) first, then count, percentage, estimated_cardinality.
    /// - Parameter total: the owning signal's `sample_count`; `nil` writes a percentage of 0 (event and link keys).
    static func writeKey(_ stats: KeyStats, total: UInt64?, to json: inout JSONWriter) {
        json.beginObject()
        if !stats.samples.isEmpty { json.field("value_samples", strings: stats.samples) }
        json.field("count", stats.count)
        json.field("percentage", percentage(stats.count, of: total))
        json.field("estimated_cardinality", stats.estimatedCardinality)
        json.endObject()
    }

    static func percentage(_ count: UInt64, of total: UInt64?) -> Double {
        guard let total, total > 0 else { return 0 }
        return Double(count) / Double(total) * 100
    }

    /// A `map[string]KeyMetadata` (keys sorted, as Go writes maps).
    static func writeKeyMap(_ name: String, _ keys: [KeyStats], total: UInt64?, to json: inout JSONWriter) {
        json.key(name)
        json.beginObject()
        for stats in keys.sorted(by: { $0.key < $1.key }) {
            json.key(stats.key)
            writeKey(stats, total: total, to: &json)
        }
        json.endObject()
    }

    /// `services`: `map[string]int64`, keys sorted.
    static func writeServices(_ services: [ServiceCount], to json: inout JSONWriter) {
        json.key("services")
        json.beginObject()
        for service in services.sorted(by: { $0.service < $1.service }) { json.field(service.service, service.count) }
        json.endObject()
    }

    /// `scope_info` (omitted when there is no scope name).
    static func writeScope(name: String, version: String, to json: inout JSONWriter) {
        guard !name.isEmpty else { return }
        json.key("scope_info")
        json.beginObject()
        json.field("name", name)
        if !version.isEmpty { json.field("version", version) }
        json.endObject()
    }

    /// A dropped-count object (omitted when nothing was dropped).
    static func writeDropped(_ name: String, _ stats: DroppedStats, itemsField: String, to json: inout JSONWriter) {
        guard stats.total > 0 else { return }
        json.key(name)
        json.beginObject()
        json.field("total_dropped", stats.total)
        json.field(itemsField, stats.itemsWithDropped)
        json.field("max_dropped", stats.max)
        json.endObject()
    }

    /// `MetricMetadata`, optionally followed by `type` and the active series (the list/detail `MetricResponse` adds them; the
    /// service overview does not).
    static func writeMetric(_ metric: MetricSummary, withType: Bool, to json: inout JSONWriter) {
        json.beginObject()
        json.field("name", metric.name)
        if !metric.description.isEmpty { json.field("description", metric.description) }
        if !metric.unit.isEmpty { json.field("unit", metric.unit) }
        json.key("data")
        switch metric.type {
        case .unknown:
            json.null()
        case .gauge, .summary:
            json.beginObject()
            json.field("data_point_count", metric.sampleCount)
            json.endObject()
        case .sum:
            json.beginObject()
            json.field("data_point_count", metric.sampleCount)
            json.field("aggregation_temporality", metric.temporality)
            json.field("is_monotonic", metric.isMonotonic)
            json.endObject()
        case .histogram:
            json.beginObject()
            json.field("data_point_count", metric.sampleCount)
            json.field("aggregation_temporality", metric.temporality)
            if !metric.explicitBounds.isEmpty {
                json.key("explicit_bounds")
                json.beginArray()
                for bound in metric.explicitBounds { json.double(bound) }
                json.endArray()
            }
            json.endObject()
        case .exponentialHistogram:
            json.beginObject()
            json.field("data_point_count", metric.sampleCount)
            json.field("aggregation_temporality", metric.temporality)
            if !metric.scales.isEmpty {
                json.key("scales")
                json.beginArray()
                for scale in metric.scales { json.int(scale) }
                json.endArray()
            }
            json.endObject()
        }
        writeKeyMap("label_keys", metric.labelKeys, total: metric.sampleCount, to: &json)
        writeKeyMap("resource_keys", metric.resourceKeys, total: metric.sampleCount, to: &json)
        writeScope(name: metric.scopeName, version: metric.scopeVersion, to: &json)
        json.field("sample_count", metric.sampleCount)
        writeServices(metric.services, to: &json)
        if withType {
            // The reference's MetricResponse: type, then the active series (histograms counted per Prometheus bucket).
            json.field("type", metric.type.apiName)
            json.field("active_series_otlp", metric.activeSeries.otlp)
            json.field("active_series_prometheus", metric.activeSeries.prometheus)
        }
        json.endObject()
    }

    static let spanKindNames = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"]

    /// The reference's name of a span kind (`Server`, …; `Unknown` past the enum).
    static func spanKindName(_ kind: UInt8) -> String {
        Int(kind) < spanKindNames.count ? spanKindNames[Int(kind)] : "Unknown"
    }

    /// `name_patterns`: the reference keeps a pattern analyzer per span name, so a span object carries exactly one
    /// pattern, its own name's (``SpanPatternGroup/pattern(of:)``), with every span of the name, 100 % and the name as
    /// its example; omitted for the empty name, as there.
    static func writeNamePatterns(_ span: SpanSummary, to json: inout JSONWriter) {
        guard !span.name.isEmpty else { return }
        json.key("name_patterns")
        json.beginArray()
        json.beginObject()
        json.field("template", SpanPatternGroup.pattern(of: span.name))
        json.field("count", span.sampleCount)
        json.field("percentage", span.sampleCount > 0 ? 100.0 : 0.0)
        json.field("examples", strings: [span.name])
        json.endObject()
        json.endArray()
    }

    static func writeSpan(_ span: SpanSummary, to json: inout JSONWriter) {
        json.beginObject()
        json.field("name", span.name)
        json.field("kind", span.kind)
        if Int(span.kind) < spanKindNames.count { json.field("kind_name", spanKindNames[Int(span.kind)]) }
        writeKeyMap("attribute_keys", span.attributeKeys, total: span.sampleCount, to: &json)
        json.field("event_names", strings: span.eventNames)
        json.key("event_attribute_keys")
        json.beginObject()
        for event in span.eventAttributeKeys.sorted(by: { $0.eventName < $1.eventName }) {
            writeKeyMap(event.eventName, event.keys, total: nil, to: &json)
        }
        json.endObject()
        writeKeyMap("link_attribute_keys", span.linkAttributeKeys, total: nil, to: &json)
        writeKeyMap("resource_keys", span.resourceKeys, total: span.sampleCount, to: &json)
        json.field("has_trace_state", span.hasTraceState)
        json.field("has_parent_span_id", span.hasParentSpanID)
        let codes = span.statusCodes.apiNames
        if !codes.isEmpty { json.field("status_codes", strings: codes) }
        writeDropped("dropped_attributes_stats", span.droppedAttributes, itemsField: "items_with_dropped", to: &json)
        writeDropped("dropped_events_stats", span.droppedEvents, itemsField: "items_with_dropped", to: &json)
        writeDropped("dropped_links_stats", span.droppedLinks, itemsField: "items_with_dropped", to: &json)
        writeScope(name: span.scopeName, version: span.scopeVersion, to: &json)
        writeNamePatterns(span, to: &json)
        json.field("sample_count", span.sampleCount)
        writeServices(span.services, to: &json)
        json.endObject()
    }

    /// `"body_templates": [{"template", "count", "percentage", "example"}]`, percentages of `total` records.
    static func writeBodyTemplates(_ templates: [TemplateStats], total: UInt64, to json: inout JSONWriter) {
        json.key("body_templates")
        json.beginArray()
        for template in templates {
            json.beginObject()
            json.field("template", template.template)
            json.field("count", template.count)
            json.field("percentage", percentage(template.count, of: total))
            json.field("example", template.example)
            json.endObject()
        }
        json.endArray()
    }

    static func writeLog(_ log: LogSummary, to json: inout JSONWriter) {
        json.beginObject()
        json.field("severity", log.severity)
        if log.severityNumber != 0 { json.field("severity_number", log.severityNumber) }
        writeKeyMap("attribute_keys", log.attributeKeys, total: log.sampleCount, to: &json)
        writeKeyMap("resource_keys", log.resourceKeys, total: log.sampleCount, to: &json)
        if !log.bodyTemplates.isEmpty { writeBodyTemplates(log.bodyTemplates, total: log.sampleCount, to: &json) }
        if !log.eventNames.isEmpty { json.field("event_names", strings: log.eventNames) }
        json.field("has_trace_context", log.hasTraceContext)
        json.field("has_span_context", log.hasSpanContext)
        writeDropped("dropped_attributes_stats", log.droppedAttributes, itemsField: "records_with_dropped", to: &json)
        writeScope(name: log.scopeName, version: log.scopeVersion, to: &json)
        json.field("sample_count", log.sampleCount)
        writeServices(log.services, to: &json)
        json.endObject()
    }

    /// - Parameter watched: The list item's `watched` field (deep watch); `nil`: none (the detail answer has it beside `data`).
    static func writeAttribute(_ attribute: AttributeSummary, watched: Bool? = nil, to json: inout JSONWriter) {
        json.beginObject()
        json.field("key", attribute.key)
        json.field("count", attribute.count)
        json.field("estimated_cardinality", attribute.estimatedCardinality)
        json.field("value_samples", strings: attribute.samples)
        json.field("signal_types", strings: attribute.signals.map(\.apiName))
        json.field("scope", scopeName(attribute))
        json.field("first_seen", rfc3339(attribute.firstSeen))
        json.field("last_seen", rfc3339(attribute.lastSeen))
        if let watched { json.field("watched", watched) }
        json.endObject()
    }

    static func scopeName(_ attribute: AttributeSummary) -> String {
        switch (attribute.seenAsResource, attribute.seenAsAttribute) {
        case (true, true): "both"
        case (true, false): "resource"
        default: "attribute"
        }
    }

    /// RFC 3339 in UTC with a `Z` suffix (`2025-11-01T10:00:00Z`).
    static func rfc3339(_ seconds: EpochSeconds) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
