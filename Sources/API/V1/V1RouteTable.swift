import Foundation
import HTTPTypes

/// Every V1 route as (method, path pattern), the one list the router is built from and the 405 check consults.
/// `{name}` matches one non-empty path segment (percent-encoded `/` stays inside its segment).
enum V1RouteTable {
    /// One route.
    struct Route: Sendable, Hashable {
        var method: HTTPRequest.Method
        /// Below `/api/v1/`, e.g. `metrics/{name}`.
        var path: String
    }

    static let prefix = "api/v1"

    static let routes: [Route] = [
        Route(method: .get, path: "health"),
        Route(method: .get, path: "version"),
        Route(method: .get, path: "metrics"),
        Route(method: .get, path: "metrics/{name}"),
        Route(method: .get, path: "spans"),
        Route(method: .get, path: "spans/{name}"),
        Route(method: .get, path: "logs"),
        Route(method: .get, path: "logs/by-service"),
        Route(method: .get, path: "logs/service/{service}/severity/{severity}"),
        Route(method: .get, path: "logs/patterns"),
        Route(method: .get, path: "logs/patterns/{severity}/{template}"),
        Route(method: .get, path: "logs/{severity}"),
        Route(method: .get, path: "services"),
        Route(method: .get, path: "services/{name}/overview"),
        Route(method: .get, path: "cardinality/high"),
        Route(method: .get, path: "cardinality/complexity"),
        Route(method: .get, path: "attributes"),
        Route(method: .get, path: "attributes/{key}"),
        Route(method: .post, path: "admin/clear"),
        Route(method: .get, path: "span-patterns"),
        Route(method: .get, path: "services/{name}/attributes"),
        Route(method: .get, path: "attributes/{key}/services"),
        Route(method: .get, path: "attributes/{key}/telemetry"),
        Route(method: .get, path: "attributes/{key}/watch"),
        Route(method: .post, path: "attributes/{key}/watch"),
        Route(method: .delete, path: "attributes/{key}/watch"),
    ] + sessionRoutes

    /// `/api/v1/sessions…` (``V1Routes`` `+Sessions`).
    static let sessionRoutes: [Route] = [
        Route(method: .get, path: "sessions"), Route(method: .post, path: "sessions"),
        Route(method: .get, path: "sessions/diff"), Route(method: .post, path: "sessions/import"),
        Route(method: .get, path: "sessions/{name}"), Route(method: .delete, path: "sessions/{name}"),
        Route(method: .get, path: "sessions/{name}/export"), Route(method: .post, path: "sessions/{name}/merge"),
        Route(method: .post, path: "sessions/{name}/load"),
    ]

    /// Routes under the same prefix registered by other route types (``QuarantineRoutes``, ``OpenAPIRoutes``): not built
    /// from this table, but known to the 405 check.
    static let otherRoutes: [Route] = [
        Route(method: .get, path: "quarantine"),
        Route(method: .get, path: "openapi.json"),
    ]

    /// The methods of the V1 routes whose pattern matches `path` (a raw request path such as `/api/v1/metrics/a%2Fb`).
    static func methods(matching path: Substring) -> [HTTPRequest.Method] {
        var methods: [HTTPRequest.Method] = []
        for route in matchingRoutes(path) where !methods.contains(route.method) { methods.append(route.method) }
        return methods
    }

    /// The routes (of this table and ``otherRoutes``) whose pattern matches the raw request path `path`.
    static func matchingRoutes(_ path: Substring) -> [Route] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let prefixSegments = prefix.split(separator: "/")
        guard segments.count > prefixSegments.count, segments.starts(with: prefixSegments) else { return [] }
        let rest = segments.dropFirst(prefixSegments.count)
        return (routes + otherRoutes).filter { route in
            let pattern = route.path.split(separator: "/")
            return pattern.count == rest.count && zip(pattern, rest).allSatisfy { patternSegment, segment in
                patternSegment.first == "{" || patternSegment == segment
            }
        }
    }

    /// The pattern a GET of `path` is routed to: of the matching patterns, the one with the most literal segments
    /// (`logs/patterns` before `logs/{severity}`), as the router prefers them.
    static func getPattern(_ path: Substring) -> String? {
        matchingRoutes(path).filter { $0.method == .get }
            .max { literalSegments($0.path) < literalSegments($1.path) }?.path
    }

    private static func literalSegments(_ pattern: String) -> Int {
        pattern.split(separator: "/").count { $0.first != "{" }
    }

    /// The query parameters each route reads (by route pattern below `/api/v1/`); routes not listed read none. The
    /// response cache keys on these only, so `?limit=10&x=1` and `?x=2&limit=10` share one cached answer.
    static let queryParameters: [String: Set<String>] = [
        "metrics": ["service", "limit", "offset"], "spans": ["service", "limit", "offset"], "logs": ["service", "limit", "offset"],
        "logs/by-service": ["limit", "offset"], "logs/patterns": ["minCount", "minServices"],
        "cardinality/high": ["threshold", "limit"], "cardinality/complexity": ["threshold", "limit"],
        "attributes": ["signal_type", "scope", "min_cardinality", "max_cardinality", "sort_by", "sort_order", "limit", "offset"],
        "quarantine": ["limit", "offset"],
        "span-patterns": ["limit", "offset"], "services/{name}/attributes": ["limit", "offset"],
        "attributes/{key}/services": ["limit", "offset"], "attributes/{key}/telemetry": ["limit"],
        "attributes/{key}/watch": ["sort_by", "sort_direction", "q", "page", "page_size"],
    ]

    /// The cache key of a request: its path and only the query pairs its route reads, sorted by name (stable, so the
    /// order of repeated names, which the parsers honour, is kept).
    static func cacheKey(path: String, query: String?) -> String {
        guard let route = getPattern(Substring(path)) else { return path }
        return CacheKey.make(path: path, query: query, reads: queryParameters[route] ?? [])
    }
}
