import Foundation
import HTTPTypes
import Hummingbird

/// One V1 route: method, path pattern, the query parameters it reads and its handler, declared together in
/// ``V1RouteTable/routes``. The router, the 405 `Allow` lists, the response-cache keys and the OpenAPI check are all
/// built from that table, so a route cannot exist without its handler (as ``V2Route`` for V2).
struct V1Route: Sendable {
    typealias Handler = @Sendable (V1Routes, Request, Parameters) async throws -> Response

    /// The method.
    var method: HTTPRequest.Method
    /// Below `/api/v1/`, e.g. `metrics/{name}`; `{name}` matches one non-empty path segment (percent-encoded `/` stays
    /// inside its segment).
    var path: String
    /// The query parameters the handler reads: the response cache keys on these only, so `?limit=10&x=1` and
    /// `?x=2&limit=10` share one cached answer.
    var query: Set<String>
    /// Answers one request.
    var handle: Handler

    init(_ method: HTTPRequest.Method, _ path: String, query: Set<String> = [], _ handle: @escaping Handler) {
        self.method = method
        self.path = path
        self.query = query
        self.handle = handle
    }
}

/// Every V1 route with its handler, and the lookups built from them.
enum V1RouteTable {
    /// A route's method, pattern and query parameters, without its handler (for routes registered elsewhere).
    struct Pattern: Sendable, Hashable {
        var method: HTTPRequest.Method
        var path: String
        var query: Set<String> = []
    }

    static let prefix = "api/v1"

    private static let page: Set<String> = ["limit", "offset"]
    private static let servicePage: Set<String> = ["service", "limit", "offset"]

    static let routes: [V1Route] =
        [
            V1Route(.get, "health") { api, _, _ in api.health() },
            V1Route(.get, "version") { api, _, _ in api.versionInfo() },
            V1Route(.get, "metrics", query: servicePage) { api, request, _ in try await api.listMetrics(request) },
            V1Route(.get, "metrics/{name}") { api, request, parameters in try await api.metric(request, parameters: parameters) },
            V1Route(.get, "spans", query: servicePage) { api, request, _ in try await api.listSpans(request) },
            V1Route(.get, "spans/{name}") { api, request, parameters in try await api.span(request, parameters: parameters) },
            V1Route(.get, "logs", query: servicePage) { api, request, _ in try await api.listLogs(request) },
            V1Route(.get, "logs/by-service", query: page) { api, request, _ in try await api.logsByService(request) },
            V1Route(.get, "logs/service/{service}/severity/{severity}") { api, _, parameters in try await api.serviceLog(parameters: parameters) },
            V1Route(.get, "logs/patterns", query: ["minCount", "minServices"]) { api, request, _ in try await api.logPatterns(request) },
            V1Route(.get, "logs/patterns/{severity}/{template}") { api, _, parameters in try await api.logPattern(parameters: parameters) },
            V1Route(.get, "logs/{severity}") { api, request, parameters in try await api.log(request, parameters: parameters) },
            V1Route(.get, "services") { api, _, _ in try await api.services() },
            V1Route(.get, "services/{name}/overview") { api, _, parameters in try await api.serviceOverview(parameters: parameters) },
            V1Route(.get, "cardinality/high", query: ["threshold", "limit"]) { api, request, _ in try await api.highCardinality(request) },
            V1Route(.get, "cardinality/complexity", query: ["threshold", "limit"]) { api, request, _ in try await api.complexity(request) },
            V1Route(
                .get, "attributes", query: ["signal_type", "scope", "min_cardinality", "max_cardinality", "sort_by", "sort_order", "limit", "offset"]
            ) {
                api, request, _ in try await api.listAttributes(request)
            },
            V1Route(.get, "attributes/{key}") { api, request, parameters in try await api.attribute(request, parameters: parameters) },
            V1Route(.post, "admin/clear") { api, request, _ in await api.clear(request) },
            V1Route(.get, "span-patterns", query: page) { api, request, _ in try await api.spanPatterns(request) },
            V1Route(.get, "services/{name}/attributes", query: page) { api, request, parameters in
                try await api.serviceAttributes(request, parameters: parameters)
            },
            V1Route(.get, "attributes/{key}/services", query: page) { api, request, parameters in
                try await api.attributeServices(request, parameters: parameters)
            },
            V1Route(.get, "attributes/{key}/telemetry", query: ["limit"]) { api, request, parameters in
                try await api.attributeTelemetry(request, parameters: parameters)
            },
            V1Route(.get, "attributes/{key}/watch", query: ["sort_by", "sort_direction", "q", "page", "page_size"]) { api, request, parameters in
                try await api.watchValues(request, parameters: parameters)
            },
            V1Route(.post, "attributes/{key}/watch") { api, request, parameters in try await api.startWatch(request, parameters: parameters) },
            V1Route(.delete, "attributes/{key}/watch") { api, request, parameters in try await api.stopWatch(request, parameters: parameters) },
        ] + sessionRoutes

    /// `/api/v1/sessions…` (``V1Routes`` `+Sessions`).
    static let sessionRoutes: [V1Route] = [
        V1Route(.get, "sessions", query: page) { api, request, _ in try await api.listSessions(request) },
        V1Route(.post, "sessions", query: ["force"]) { api, request, _ in try await api.createSession(request) },
        V1Route(.get, "sessions/diff", query: ["from", "to", "min_severity", "signal_type", "service"]) { api, request, _ in
            try await api.diffSessions(request)
        },
        V1Route(.post, "sessions/import", query: ["force"]) { api, request, _ in try await api.importSession(request) },
        V1Route(.get, "sessions/{name}") { api, request, parameters in try await api.session(request, parameters: parameters) },
        V1Route(.delete, "sessions/{name}") { api, request, parameters in try await api.session(request, parameters: parameters) },
        V1Route(.get, "sessions/{name}/export") { api, request, parameters in try await api.exportSession(request, parameters: parameters) },
        V1Route(.post, "sessions/{name}/merge", query: ["signals"]) { api, request, parameters in
            try await api.sessionData(request, parameters: parameters, message: "Session ready for merge", action: "merge")
        },
        V1Route(.post, "sessions/{name}/load", query: ["signals"]) { api, request, parameters in
            try await api.sessionData(request, parameters: parameters, message: "Session loaded", action: "replace")
        },
    ]

    /// Routes under the same prefix registered by other route types (``QuarantineRoutes``, ``OpenAPIRoutes``): not built
    /// from this table, but known to the 405 check and the response cache.
    static let otherRoutes: [Pattern] = [
        Pattern(method: .get, path: "quarantine", query: ["limit", "offset"]),
        Pattern(method: .get, path: "openapi.json"),
    ]

    /// Every pattern under the prefix: the routes of this table and ``otherRoutes``.
    static let patterns: [Pattern] = routes.map { Pattern(method: $0.method, path: $0.path, query: $0.query) } + otherRoutes

    /// The methods of the V1 routes whose pattern matches `path` (a raw request path such as `/api/v1/metrics/a%2Fb`).
    static func methods(matching path: Substring) -> [HTTPRequest.Method] {
        var methods: [HTTPRequest.Method] = []
        for route in matchingRoutes(path) where !methods.contains(route.method) { methods.append(route.method) }
        return methods
    }

    /// The patterns (of this table and ``otherRoutes``) that match the raw request path `path`.
    static func matchingRoutes(_ path: Substring) -> [Pattern] {
        RoutePath.matching(path, prefix: prefix, in: patterns) { $0.path }
    }

    /// The pattern a GET of `path` is routed to: of the matching patterns, the one with the most literal segments
    /// (`logs/patterns` before `logs/{severity}`), as the router prefers them.
    static func getPattern(_ path: Substring) -> Pattern? {
        matchingRoutes(path).filter { $0.method == .get }
            .max { literalSegments($0.path) < literalSegments($1.path) }
    }

    private static func literalSegments(_ pattern: String) -> Int {
        pattern.split(separator: "/").count { $0.first != "{" }
    }

    /// The cache key of a request: its path and only the query pairs its route reads (``V1Route/query``), sorted by
    /// name (stable, so the order of repeated names, which the parsers honour, is kept).
    static func cacheKey(path: String, query: String?) -> String {
        guard let route = getPattern(Substring(path)) else { return path }
        return CacheKey.make(path: path, query: query, reads: route.query)
    }
}
