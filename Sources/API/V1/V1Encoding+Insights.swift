import Store

/// JSON of the service, cardinality and log-pattern endpoints (field names and order of the reference's Go structs;
/// Go maps written with sorted keys).
extension V1Encoding {
    /// `SignalKey` of `/cardinality/high`.
    static func writeHighCardinalityKey(_ key: HighCardinalityKey, to json: inout JSONWriter) {
        json.beginObject()
        json.field("signal_type", key.signal.apiName)
        json.field("signal_name", key.signalName)
        json.field("key_scope", keyScopeName(key.scope, signal: key.signal))
        json.field("key_name", key.stats.key)
        json.field("estimated_cardinality", key.stats.estimatedCardinality)
        json.field("key_count", key.stats.count)
        if !key.stats.samples.isEmpty { json.field("value_samples", strings: key.stats.samples) }
        json.endObject()
    }

    /// `label` for metric data point attributes, `resource`, `attribute` for span and log attributes.
    static func keyScopeName(_ scope: KeyScope, signal: Signal) -> String {
        switch scope {
        case .resource: "resource"
        case .attribute: signal == .metric ? "label" : "attribute"
        case .event: "event"
        case .link: "link"
        }
    }

    /// `SignalComplexity` of `/cardinality/complexity`.
    static func writeComplexity(_ item: SignalComplexity, to json: inout JSONWriter) {
        json.beginObject()
        json.field("signal_type", item.signal.apiName)
        json.field("signal_name", item.signalName)
        json.field("total_keys", item.totalKeys)
        json.field("attribute_key_count", item.attributeKeyCount)
        json.field("resource_key_count", item.resourceKeyCount)
        json.field("event_key_count", item.eventKeyCount)
        json.field("link_key_count", item.linkKeyCount)
        json.field("max_cardinality", item.maxCardinality)
        json.field("high_cardinality_count", item.highCardinalityCount)
        json.field("complexity_score", item.totalKeys.multipliedReportingOverflow(by: item.maxCardinality).partialValue)
        json.endObject()
    }

    /// `[]KeyInfo`: `{"name","cardinality","sample_values"?}` per key.
    static func writeKeyInfos(_ name: String, _ keys: [KeyStats], to json: inout JSONWriter) {
        json.key(name)
        json.beginArray()
        for stats in keys {
            json.beginObject()
            json.field("name", stats.key)
            json.field("cardinality", stats.estimatedCardinality)
            if !stats.samples.isEmpty { json.field("sample_values", strings: stats.samples) }
            json.endObject()
        }
        json.endArray()
    }

    /// `ServicePatternInfo`.
    static func writePatternService(_ service: PatternService, to json: inout JSONWriter) {
        json.beginObject()
        json.field("service_name", service.service)
        json.field("sample_count", service.sampleCount)
        json.field("severities", strings: [service.severity])
        writeKeyInfos("resource_keys", service.resourceKeys, to: &json)
        writeKeyInfos("attribute_keys", service.attributeKeys, to: &json)
        json.endObject()
    }

    /// `PatternGroup` of `/logs/patterns`.
    static func writePattern(_ pattern: LogPattern, to json: inout JSONWriter) {
        json.beginObject()
        json.field("template", pattern.template)
        json.field("example_body", pattern.example)
        json.field("total_count", pattern.totalCount)
        json.key("severity_breakdown")
        json.beginObject()
        for entry in pattern.severityCounts.sorted(by: { $0.severity < $1.severity }) { json.field(entry.severity, entry.count) }
        json.endObject()
        json.key("services")
        json.beginArray()
        for service in pattern.services { writePatternService(service, to: &json) }
        json.endArray()
        json.endObject()
    }

    /// The `/logs/patterns/{severity}/{template}` map (keys alphabetical).
    static func writePatternDetail(_ pattern: LogPattern, severity: String, to json: inout JSONWriter) {
        json.beginObject()
        json.field("example_body", pattern.example)
        json.key("services")
        json.beginArray()
        for service in pattern.services where service.severity == severity { writePatternService(service, to: &json) }
        json.endArray()
        json.field("severity", severity)
        json.field("template", pattern.template)
        json.field("total_count", pattern.severityCounts.first { $0.severity == severity }?.count ?? 0)
        json.endObject()
    }

    /// One `/logs/by-service` item.
    static func writeServiceSeverity(_ item: ServiceSeverityCount, to json: inout JSONWriter) {
        json.beginObject()
        json.field("service_name", item.service)
        json.field("severity", item.severity)
        json.field("sample_count", item.count)
        json.endObject()
    }

    /// `/logs/service/{service}/severity/{severity}`.
    static func writeServiceLog(_ log: ServiceLogSummary, to json: inout JSONWriter) {
        json.beginObject()
        json.field("severity", log.severity)
        json.field("service_name", log.service)
        json.field("sample_count", log.sampleCount)
        writeBodyTemplates(log.bodyTemplates, total: log.sampleCount, to: &json)
        writeKeyMap("attribute_keys", log.attributeKeys, total: log.sampleCount, to: &json)
        writeKeyMap("resource_keys", log.resourceKeys, total: log.sampleCount, to: &json)
        json.endObject()
    }

    /// `ServiceOverview`: metrics without `type`, as the reference writes them.
    static func writeOverview(
        service: String, metrics: Page<MetricSummary>, spans: Page<SpanSummary>, logs: Page<LogSummary>, to json: inout JSONWriter
    ) {
        json.beginObject()
        json.field("service_name", service)
        json.field("metric_count", metrics.total)
        json.field("span_count", spans.total)
        json.field("log_count", logs.total)
        json.key("metrics")
        json.beginArray()
        for metric in metrics.items { writeMetric(metric, withType: false, to: &json) }
        json.endArray()
        json.key("spans")
        json.beginArray()
        for span in spans.items { writeSpan(span, to: &json) }
        json.endArray()
        json.key("logs")
        json.beginArray()
        for log in logs.items { writeLog(log, to: &json) }
        json.endArray()
        json.endObject()
    }
}
