import Hummingbird
import Store

extension V2Routes {
    /// The routes of the HistoryReading capability.
    static let historyRoutes: [V2Route] = [
        V2Route(.get, "history", query: ["signal", "name", "key", "scope", "service", "step", "from", "to"]) { routes, request in
            try await routes.history(request)
        },
        V2Route(.get, "changes", query: ["since", "until", "baseline_from", "signal", "service", "min_severity", "sort", "limit", "offset"]) {
            routes, request in
            try await routes.changes(request)
        },
    ]

    /// `GET /api/v2/history`: one point per day of the range on which the name (or its key) has data.
    func history(_ request: V2Request) async throws -> Response {
        guard let signal = try Self.signal(request.query, required: true) else { throw HTTPError(.badRequest, message: "'signal' is required") }
        guard let name = Self.text(request.query, "name") else { throw HTTPError(.badRequest, message: "'name' is required") }
        let key = Self.text(request.query, "key")
        let scope = try Self.scope(request.query)
        if scope != nil, key == nil { throw HTTPError(.badRequest, message: "'scope' needs 'key'") }
        if let step = request.query["step"], !step.isEmpty, step != "day" {
            throw HTTPError(.badRequest, message: "invalid 'step': only 'day' is offered (census stores one row per UTC day)")
        }
        let query = HistoryQuery(
            signal: signal, name: name, key: key, scope: scope, service: Self.text(request.query, "service"),
            range: try request.range())
        return try await StorageFailure.wrapping {
            let points = try await reader.history(query)
            guard !points.isEmpty else {
                return V1Response.error(key == nil ? "no data for this name in range" : "no data for this key in range", status: .notFound)
            }
            return V1Response.json { json in
                json.beginObject()
                json.field("signal", signal.apiName)
                json.field("name", name)
                ChangeEncoding.optional(&json, "key", key)
                ChangeEncoding.optional(&json, "scope", scope.map(ChangeEncoding.scopeName))
                ChangeEncoding.optional(&json, "service", query.service)
                json.field("step", "day")
                ChangeEncoding.optional(&json, "from", query.range.from.map(DayRange.format))
                ChangeEncoding.optional(&json, "to", query.range.to.map(DayRange.format))
                json.key("points")
                json.beginArray()
                for point in points {
                    json.beginObject()
                    json.field("day", DayRange.format(point.day))
                    json.field("count", point.count)
                    json.key("estimated_cardinality")
                    if let cardinality = point.estimatedCardinality { json.int(cardinality) } else { json.null() }
                    json.field("services", strings: point.services)
                    json.endObject()
                }
                json.endArray()
                json.endObject()
            }
        }
    }

    /// `GET /api/v2/changes`: what appeared, vanished or grew in `since…until` compared with the baseline before it.
    func changes(_ request: V2Request) async throws -> Response {
        var query = try Self.changeQuery(request.query)
        let paging = Pagination(request.query.pairs)
        query.page = paging.offset..<paging.offset + paging.limit
        return try await StorageFailure.wrapping {
            let report = try await reader.changes(query)
            return V1Response.json { json in
                json.beginObject()
                json.field("since", DayRange.format(report.window.lowerBound))
                json.field("until", DayRange.format(report.window.upperBound))
                json.key("baseline")
                if let baseline = report.baseline {
                    json.beginObject()
                    json.field("from", DayRange.format(baseline.lowerBound))
                    json.field("to", DayRange.format(baseline.upperBound))
                    json.endObject()
                } else {
                    json.null()
                }
                json.field("sort", query.order.rawValue)
                json.field("min_severity", query.minSeverity.name)
                json.key("summary")
                json.beginObject()
                for severity in ChangeSeverity.allCases.reversed() { json.field(severity.name, report.summary[severity] ?? 0) }
                json.endObject()
                json.key("changes")
                json.beginArray()
                for change in report.changes { ChangeEncoding.write(change, to: &json) }
                json.endArray()
                json.field("total", report.total)
                json.field("limit", paging.limit)
                json.field("offset", paging.offset)
                json.field("has_more", V1Response.hasMore(offset: paging.offset, count: paging.limit, total: report.total))
                json.endObject()
            }
        }
    }

    // MARK: - Parameters

    /// The changes feed's parameters (400 with a message naming the parameter when one does not parse).
    private static func changeQuery(_ query: FormQuery) throws -> ChangeQuery {
        guard let sinceText = text(query, "since") else { throw HTTPError(.badRequest, message: "'since' is required (YYYY-MM-DD or RFC 3339)") }
        let since = try day(sinceText, "since")
        let until = try text(query, "until").map { try day($0, "until") }
        if let until, until < since { throw HTTPError(.badRequest, message: "'since' is after 'until'") }
        let baselineFrom = try text(query, "baseline_from").map { try day($0, "baseline_from") }
        if let baselineFrom, baselineFrom >= since { throw HTTPError(.badRequest, message: "'baseline_from' must be before 'since'") }
        var minSeverity = ChangeSeverity.info
        if let text = text(query, "min_severity") {
            guard let severity = ChangeSeverity(name: text) else {
                throw HTTPError(.badRequest, message: "invalid 'min_severity': expected info, warning or critical")
            }
            minSeverity = severity
        }
        var order = ChangeQuery.Order.ratio
        if let text = text(query, "sort") {
            guard let parsed = ChangeQuery.Order(rawValue: text) else {
                throw HTTPError(.badRequest, message: "invalid 'sort': expected ratio or delta")
            }
            order = parsed
        }
        return ChangeQuery(
            since: since, until: until, baselineFrom: baselineFrom, signal: try signal(query, required: false),
            service: text(query, "service"), minSeverity: minSeverity, order: order)
    }

    /// A non-empty query parameter.
    private static func text(_ query: FormQuery, _ name: String) -> String? {
        guard let value = query[name], !value.isEmpty else { return nil }
        return String(value)
    }

    private static func day(_ text: String, _ name: String) throws -> UInt16 {
        guard let day = DayRange.parseDay(text) else {
            throw HTTPError(.badRequest, message: "invalid '\(name)': expected YYYY-MM-DD or an RFC 3339 time such as 2026-12-01T00:00:00Z")
        }
        return day
    }

    private static func signal(_ query: FormQuery, required: Bool) throws -> Signal? {
        guard let text = text(query, "signal") else {
            if required { throw HTTPError(.badRequest, message: "'signal' is required: metric, span or log") }
            return nil
        }
        guard let signal = Signal(apiName: text) else { throw HTTPError(.badRequest, message: "invalid 'signal': expected metric, span or log") }
        return signal
    }

    private static func scope(_ query: FormQuery) throws -> KeyScope? {
        guard let text = text(query, "scope") else { return nil }
        guard let scope = KeyScope.allCases.first(where: { ChangeEncoding.scopeName($0) == text }) else {
            throw HTTPError(.badRequest, message: "invalid 'scope': expected resource, attribute, event or link")
        }
        return scope
    }
}
