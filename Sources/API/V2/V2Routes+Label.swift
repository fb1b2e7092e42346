import Hummingbird
import Store

extension V2Routes {
    /// The routes of the LabelReading capability.
    static let labelRoutes: [V2Route] = [
        V2Route(.get, "metrics/{name}/labels", query: labelQuery) { routes, request in
            try await routes.labels(request, signal: .metric, parameter: "name", notFound: "metric not found")
        },
        V2Route(.get, "spans/{name}/attributes", query: labelQuery) { routes, request in
            try await routes.labels(request, signal: .span, parameter: "name", notFound: "span not found")
        },
        V2Route(.get, "logs/{severity}/attributes", query: labelQuery) { routes, request in
            try await routes.labels(request, signal: .log, parameter: "severity", notFound: "log severity not found")
        },
        V2Route(.get, "metrics", query: ["from", "to", "service", "sort", "limit", "offset"]) { routes, request in
            try await routes.metricSeries(request)
        },
        V2Route(.get, "status/tsdb", query: ["from", "to", "date", "topN", "focusLabel"]) { routes, request in
            try await routes.tsdbStatus(request)
        },
    ]

    static let labelQuery: Set<String> = ["from", "to", "service", "limit", "offset"]

    /// `topN` of `/status/tsdb`: 10 by default, clamped to 1000.
    static let tsdbDefaultTopN = 10
    static let tsdbMaxTopN = 1000

    // MARK: - Handlers

    /// Per-label detail of one name: every key, highest cardinality first, paged.
    func labels(_ request: V2Request, signal: Signal, parameter: String, notFound: String) async throws -> Response {
        let range = try request.range()
        let paging = Pagination(request.query.pairs)
        let service = request.nonEmpty("service")
        let name = request.parameter(parameter)
        return try await StorageFailure.wrapping {
            guard
                let detail = try await reader.labels(
                    signal: signal, name: name, range: range, service: service,
                    limit: paging.limit, offset: paging.offset)
            else {
                return V1Response.error(notFound, status: .notFound)
            }
            return V1Response.json { json in
                json.beginObject()
                json.field("signal", signal.apiName)
                json.field("name", detail.name)
                json.field("count", detail.count)
                if signal == .metric { LabelEncoding.writeSeries(detail.series, to: &json) }
                json.key("data")
                json.beginArray()
                for stats in detail.keys { LabelEncoding.writeLabel(stats, of: detail, to: &json) }
                json.endArray()
                json.field("total", detail.totalKeys)
                json.field("limit", paging.limit)
                json.field("offset", paging.offset)
                json.field("has_more", V1Response.hasMore(offset: paging.offset, count: paging.limit, total: detail.totalKeys))
                json.endObject()
            }
        }
    }

    /// Metrics with their data points and active series in a range, overall and per service.
    func metricSeries(_ request: V2Request) async throws -> Response {
        let range = try request.range()
        let paging = Pagination(request.query.pairs)
        let order: MetricSeriesQuery.Order
        switch request.query["sort"] {
        case nil, "": order = .series
        case let text?:
            guard let parsed = MetricSeriesQuery.Order(rawValue: String(text)) else {
                throw HTTPError(.badRequest, message: "invalid 'sort': expected series or name")
            }
            order = parsed
        }
        let query = MetricSeriesQuery(range: range, service: request.nonEmpty("service"), order: order, limit: paging.limit, offset: paging.offset)
        return try await StorageFailure.wrapping {
            let page = try await reader.metricSeries(query)
            return V1Response.page(total: page.total, limit: paging.limit, offset: paging.offset) { json in
                for metric in page.items {
                    json.beginObject()
                    json.field("name", metric.name)
                    json.field("type", metric.type.apiName)
                    json.field("count", metric.count)
                    LabelEncoding.writeSeries(metric.series, to: &json)
                    json.key("services")
                    json.beginArray()
                    for service in metric.services {
                        json.beginObject()
                        json.field("service", service.service)
                        json.field("count", service.count)
                        LabelEncoding.writeSeries(service.series, to: &json)
                        json.endObject()
                    }
                    json.endArray()
                    json.endObject()
                }
            }
        }
    }

    /// The Prometheus `/api/v1/status/tsdb` answer (with VictoriaMetrics' `topN`, `date`, `focusLabel`).
    func tsdbStatus(_ request: V2Request) async throws -> Response {
        var range = try request.range()
        if let text = request.nonEmpty("date") {
            guard let day = DayRange.parseDay(text) else {
                throw HTTPError(.badRequest, message: "invalid 'date': expected YYYY-MM-DD (1970-01-01 means all days)")
            }
            // VictoriaMetrics: 1970-01-01 selects every day; another date that day only, within from/to.
            if day != 0 {
                range = DayRange(from: max(range.from ?? day, day), to: min(range.to ?? day, day))
                if range.isEmpty { throw HTTPError(.badRequest, message: "'date' is outside 'from'..'to'") }
            }
        }
        let topN = min(QueryInteger.positive(request.query["topN"], default: Self.tsdbDefaultTopN), Self.tsdbMaxTopN)
        let focusLabel = request.nonEmpty("focusLabel")
        return try await StorageFailure.wrapping {
            let status = try await reader.tsdbStatus(range: range, topN: topN, focusLabel: focusLabel)
            return V1Response.json { json in
                json.beginObject()
                json.field("status", "success")
                json.key("data")
                json.beginObject()
                json.field("totalSeries", status.numSeries)
                json.field("totalLabelValuePairs", status.numLabelPairs)
                json.key("headStats")
                json.beginObject()
                json.field("numSeries", status.numSeries)
                json.field("numLabelPairs", status.numLabelPairs)
                json.field("chunkCount", 0)
                json.field("minTime", UInt64(status.minTime) * 1000)
                json.field("maxTime", UInt64(status.maxTime) * 1000)
                json.endObject()
                LabelEncoding.writeNamedValues("seriesCountByMetricName", status.seriesCountByMetricName, to: &json)
                LabelEncoding.writeNamedValues("labelValueCountByLabelName", status.labelValueCountByLabelName, to: &json)
                LabelEncoding.writeNamedValues("seriesCountByLabelValuePair", status.seriesCountByLabelValuePair, to: &json)
                LabelEncoding.writeNamedValues("memoryInBytesByLabelName", status.memoryInBytesByLabelName, to: &json)
                if let focused = status.seriesCountByFocusLabelValue {
                    LabelEncoding.writeNamedValues("seriesCountByFocusLabelValue", focused, to: &json)
                }
                json.endObject()
                json.endObject()
            }
        }
    }
}

private extension V2Request {
    /// A query parameter, `nil` when missing or empty.
    func nonEmpty(_ name: String) -> String? {
        guard let value = query[name], !value.isEmpty else { return nil }
        return String(value)
    }
}
