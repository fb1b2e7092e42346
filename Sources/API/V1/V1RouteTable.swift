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
    ]

    /// Routes under the same prefix registered by other route types (``QuarantineRoutes``, ``OpenAPIRoutes``): not built
    /// from this table, but known to the 405 check.
    static let otherRoutes: [Route] = [
        Route(method: .get, path: "quarantine"),
        Route(method: .get, path: "openapi.json"),
    ]

    /// The methods of the V1 routes whose pattern matches `path` (a raw request path such as `/api/v1/metrics/a%2Fb`).
    static func methods(matching path: Substring) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let prefixSegments = prefix.split(separator: "/")
        guard segments.count > prefixSegments.count, segments.starts(with: prefixSegments) else { return [] }
        let rest = segments.dropFirst(prefixSegments.count)
        var methods: [HTTPRequest.Method] = []
        for route in routes + otherRoutes {
            let pattern = route.path.split(separator: "/")
            guard pattern.count == rest.count else { continue }
            let matches = zip(pattern, rest).allSatisfy { patternSegment, segment in
                patternSegment.first == "{" || patternSegment == segment
            }
            if matches, !methods.contains(route.method) { methods.append(route.method) }
        }
        return methods
    }
}
