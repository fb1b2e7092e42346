import Hummingbird
import Store

/// JSON of `/api/v2/keys/{key}` and `/api/v2/services/{name}`. Lists use the V1 envelope (`data`, `total`, `limit`,
/// `offset`, `has_more`); `from`/`to` echo the range as `YYYY-MM-DD` (`null`: open).
enum ExplorerJSON {
    /// The `signal` filter: empty or missing is every signal.
    /// - Throws: `HTTPError(.badRequest)` for anything but `metric`, `span` or `log`.
    static func signal(_ value: Substring?) throws -> Signal? {
        guard let value, !value.isEmpty else { return nil }
        guard let signal = Signal(apiName: String(value)) else {
            throw HTTPError(.badRequest, message: "invalid 'signal': expected metric, span or log")
        }
        return signal
    }

    /// `resource`, `attribute`, `event` or `link` (the same word on every signal).
    static func scopeName(_ scope: KeyScope) -> String {
        switch scope {
        case .resource: "resource"
        case .attribute: "attribute"
        case .event: "event"
        case .link: "link"
        }
    }

    static func writeRange(_ range: DayRange, to json: inout JSONWriter) {
        json.key("from")
        if let from = range.from { json.string(DayRange.format(from)) } else { json.null() }
        json.key("to")
        if let to = range.to { json.string(DayRange.format(to)) } else { json.null() }
    }

    static func writeKeyUsage(_ usage: KeyUsage, key: String, range: DayRange, paging: Pagination, to json: inout JSONWriter) {
        json.beginObject()
        json.field("key", key)
        writeRange(range, to: &json)
        json.field("count", usage.overall.count)
        json.field("estimated_cardinality", usage.overall.estimatedCardinality)
        json.field("samples", strings: usage.overall.samples)
        json.field("signals", strings: usage.signals.map(\.apiName))
        json.key("data")
        json.beginArray()
        for place in usage.places {
            json.beginObject()
            json.field("signal", place.signal.apiName)
            json.field("name", place.name)
            json.field("scope", scopeName(place.scope))
            json.field("service", place.service)
            json.field("count", place.count)
            json.field("estimated_cardinality", place.estimatedCardinality)
            json.endObject()
        }
        json.endArray()
        writePaging(total: usage.totalPlaces, count: usage.places.count, paging: paging, to: &json)
        json.endObject()
    }

    static func writeServiceUsage(
        _ usage: ServiceUsage, service: String, signal: Signal?, range: DayRange, paging: Pagination,
        to json: inout JSONWriter
    ) {
        json.beginObject()
        json.field("service", service)
        writeRange(range, to: &json)
        json.key("signal")
        if let signal { json.string(signal.apiName) } else { json.null() }
        json.key("signals")
        json.beginArray()
        for totals in usage.signals {
            json.beginObject()
            json.field("signal", totals.signal.apiName)
            json.field("names", totals.names)
            json.field("items", totals.items)
            json.field("keys", totals.keys)
            json.endObject()
        }
        json.endArray()
        json.key("data")
        json.beginArray()
        for key in usage.keys {
            json.beginObject()
            json.field("signal", key.signal.apiName)
            json.field("scope", scopeName(key.scope))
            json.field("key", key.key)
            json.field("count", key.count)
            json.field("estimated_cardinality", key.estimatedCardinality)
            json.endObject()
        }
        json.endArray()
        writePaging(total: usage.totalKeys, count: usage.keys.count, paging: paging, to: &json)
        json.endObject()
    }

    private static func writePaging(total: Int, count: Int, paging: Pagination, to json: inout JSONWriter) {
        json.field("total", total)
        json.field("limit", paging.limit)
        json.field("offset", paging.offset)
        json.field("has_more", V1Response.hasMore(offset: paging.offset, count: count, total: total))
    }
}
