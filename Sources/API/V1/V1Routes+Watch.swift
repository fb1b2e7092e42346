import Foundation
import Hummingbird
import Store

/// Deep watch, `/api/v1/attributes/{key}/watch` (see docs/API.md, "Deep watch"): `POST` starts collecting every value of
/// a key with its count and first/last seen, `DELETE` stops (the values stay readable), `GET` pages through them. Writes
/// need the admin token, like `POST /api/v1/admin/clear`; reading does not.
extension V1Routes {
    /// Longest key (UTF-8 bytes) a watch route accepts.
    static let maxWatchKeyBytes = 1_024
    /// Longest `q` prefix (UTF-8 bytes).
    static let maxWatchPrefixBytes = 1_024
    /// Largest `page_size`; larger or non-positive values mean the default, as in the reference.
    static let maxWatchPageSize = 10_000
    static let defaultWatchPageSize = 100
    /// Largest `page` (clamped: a page beyond the values is empty).
    static let maxWatchPage = 1_000_000

    /// 200 `{"key","overflow","unique_count","watching_since"}`; 409 when the key is watched already, 429 when
    /// ``WatchRegistry/maxWatchedKeys`` keys are.
    func startWatch(_ request: Request, parameters: Parameters) async throws -> Response {
        if let refusal = adminRefusal(request) { return refusal }
        guard let watches else { return Self.watchUnavailable }
        let key: String
        switch Self.watchKey(parameters) {
        case .success(let decoded): key = decoded
        case .failure(let answer): return answer.response
        }
        return try await storage {
            let listed = try await watches.store.watches()
            if listed.contains(where: { $0.key == key && $0.active }) { return V1Response.error("already watched", status: .conflict) }
            guard listed.count(where: \.active) < WatchRegistry.maxWatchedKeys else {
                return V1Response.error("maximum watched fields limit (\(WatchRegistry.maxWatchedKeys)) reached", status: .tooManyRequests)
            }
            try await watches.store.watch(key: key)
            try await watches.store.refresh(watches.registry)
            watches.afterChange()
            let since = try await watches.store.watches().first { $0.key == key }?.since ?? 0
            let totals = try await watches.store.values(key: key, query: WatchValuesQuery(limit: 0))
            return V1Response.json { json in
                // A Go map: keys in alphabetical order.
                json.beginObject()
                json.field("key", key)
                json.field("overflow", totals.overflowObservations > 0)
                json.field("unique_count", totals.unique)
                json.field("watching_since", V1Encoding.rfc3339(since))
                json.endObject()
            }
        }
    }

    /// 204; 404 when the key was never watched.
    func stopWatch(_ request: Request, parameters: Parameters) async throws -> Response {
        if let refusal = adminRefusal(request) { return refusal }
        guard let watches else { return Self.watchUnavailable }
        let key: String
        switch Self.watchKey(parameters) {
        case .success(let decoded): key = decoded
        case .failure(let answer): return answer.response
        }
        return try await storage {
            guard try await watches.store.watches().contains(where: { $0.key == key }) else { return Self.notWatched }
            try await watches.store.unwatch(key: key)
            try await watches.store.refresh(watches.registry)
            watches.afterChange()
            return Response(status: .noContent)
        }
    }

    /// The reference's Value Explorer answer, plus `first_seen`/`last_seen` per value, `overflow_observations`; 404 when the
    /// key was never watched, 400 for an unknown `sort_by` or `sort_direction`.
    func watchValues(_ request: Request, parameters: Parameters) async throws -> Response {
        guard let watches else { return Self.watchUnavailable }
        let key: String
        switch Self.watchKey(parameters) {
        case .success(let decoded): key = decoded
        case .failure(let answer): return answer.response
        }
        let parameters: WatchPageParameters
        switch WatchPageParameters.parse(FormQuery(request)) {
        case .success(let parsed): parameters = parsed
        case .failure(let answer): return answer.response
        }
        return try await storage {
            guard let watched = try await watches.store.watches().first(where: { $0.key == key }) else { return Self.notWatched }
            let page = try await watches.store.values(key: key, query: parameters.query)
            return V1Response.json { json in
                // A Go map: keys in alphabetical order.
                json.beginObject()
                json.field("active", watched.active)
                json.field("has_invalid_utf8", false)
                json.field("key", key)
                json.field("overflow", page.overflowObservations > 0)
                json.field("overflow_observations", page.overflowObservations)
                json.field("page", parameters.page)
                json.field("page_size", parameters.pageSize)
                json.field("total_observations", page.observations)
                json.field("total_values", page.matching)
                json.field("unique_count", page.unique)
                json.key("values")
                json.beginArray()
                for value in page.values {
                    json.beginObject()
                    json.field("value", value.value)
                    json.field("count", value.count)
                    json.field("first_seen", V1Encoding.rfc3339(value.firstSeen))
                    json.field("last_seen", V1Encoding.rfc3339(value.lastSeen))
                    json.endObject()
                }
                json.endArray()
                json.field("watching_since", V1Encoding.rfc3339(watched.since))
                json.endObject()
            }
        }
    }

    /// Whether `key` is deep-watched now (the `watched` field of attribute items; `false` when deep watch is not wired).
    func isWatched(_ key: String) -> Bool {
        watches?.registry.isWatched(key) ?? false
    }

    /// A refusal, as the error a parse step returns.
    struct Refusal: Error {
        let response: Response
        init(_ message: String) { response = V1Response.error(message, status: .badRequest) }
    }

    /// The decoded `{key}`, or a 400 answer.
    static func watchKey(_ parameters: Parameters) -> Result<String, Refusal> {
        guard let key = PathParameter.decoded(parameters.get("key")), !key.isEmpty else { return .failure(Refusal("invalid attribute key")) }
        guard key.utf8.count <= maxWatchKeyBytes else { return .failure(Refusal("attribute key longer than \(maxWatchKeyBytes) bytes")) }
        return .success(key)
    }

    static var notWatched: Response { V1Response.error("attribute not watched", status: .notFound) }
    static var watchUnavailable: Response { V1Response.error("deep watch is not available on this server", status: .serviceUnavailable) }
}

/// `GET /api/v1/attributes/{key}/watch` parameters: `sort_by` (count, value, first_seen, last_seen; default count),
/// `sort_direction` (asc, desc; default desc), `q` (value prefix), `page` (from 1; clamped), `page_size` (1–10,000;
/// anything else means 100, as in the reference).
struct WatchPageParameters: Sendable {
    var query: WatchValuesQuery
    var page: Int
    var pageSize: Int

    static func parse(_ form: FormQuery) -> Result<WatchPageParameters, V1Routes.Refusal> {
        var order = WatchValuesQuery.Order.count
        if let text = form["sort_by"], !text.isEmpty {
            guard let parsed = WatchValuesQuery.Order(rawValue: String(text)) else {
                return .failure(V1Routes.Refusal("invalid sort_by: expected count, value, first_seen or last_seen"))
            }
            order = parsed
        }
        var descending = true
        if let text = form["sort_direction"], !text.isEmpty {
            guard text == "asc" || text == "desc" else { return .failure(V1Routes.Refusal("invalid sort_direction: expected asc or desc")) }
            descending = text == "desc"
        }
        let prefix = form["q"].map(String.init) ?? ""
        guard prefix.utf8.count <= V1Routes.maxWatchPrefixBytes else {
            return .failure(V1Routes.Refusal("q longer than \(V1Routes.maxWatchPrefixBytes) bytes"))
        }
        let page = min(QueryInteger.positive(form["page"], default: 1), V1Routes.maxWatchPage)
        var pageSize = QueryInteger.positive(form["page_size"], default: V1Routes.defaultWatchPageSize)
        if pageSize > V1Routes.maxWatchPageSize { pageSize = V1Routes.defaultWatchPageSize }
        return .success(
            WatchPageParameters(
                query: WatchValuesQuery(
                    order: order, descending: descending, prefix: prefix, limit: pageSize,
                    offset: (page - 1) * pageSize),
                page: page, pageSize: pageSize))
    }
}
