import Store

/// The JSON of the LabelReading routes (label detail, active series, TSDB status lists).
enum LabelEncoding {
    static let scopeNames: [KeyScope: String] = [.resource: "resource", .attribute: "attribute", .event: "event", .link: "link"]

    /// `active_series_otlp` and `active_series_prometheus`.
    static func writeSeries(_ series: ActiveSeries, to json: inout JSONWriter) {
        json.field("active_series_otlp", series.otlp)
        json.field("active_series_prometheus", series.prometheus)
    }

    /// One key of a label-detail answer. `share` is of the name's items (`null` for event and link keys, which count
    /// events and links, not items); each top value's `share` is of the key's items.
    static func writeLabel(_ stats: LabelStats, of detail: LabelDetail, to json: inout JSONWriter) {
        json.beginObject()
        json.field("key", stats.key)
        json.field("scope", scopeNames[stats.scope] ?? "attribute")
        if stats.scope == .event { json.field("event_name", stats.eventName) }
        json.field("estimated_cardinality", stats.estimatedCardinality)
        json.field("count", stats.count)
        json.key("share")
        if stats.scope == .event || stats.scope == .link {
            json.null()
        } else {
            json.double(ratio(stats.count, detail.count))
        }
        json.key("top_values")
        json.beginArray()
        for value in stats.topValues {
            json.beginObject()
            json.field("value", value.value)
            json.field("count", value.count)
            json.field("share", ratio(value.count, stats.count))
            json.endObject()
        }
        json.endArray()
        json.field("value_samples", strings: stats.samples)
        if detail.signal == .metric { json.field("series_contribution", detail.seriesContribution(of: stats)) }
        json.endObject()
    }

    static func writeNamedValues(_ name: String, _ values: [NamedValue], to json: inout JSONWriter) {
        json.key(name)
        json.beginArray()
        for value in values {
            json.beginObject()
            json.field("name", value.name)
            json.field("value", value.value)
            json.endObject()
        }
        json.endArray()
    }

    static func ratio(_ part: UInt64, _ whole: UInt64) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
