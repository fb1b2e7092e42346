/// Matching a raw request path against the route patterns of a route table (V1 and V2 share it): `{name}` matches one
/// non-empty segment, and a percent-encoded `/` stays inside its segment.
enum RoutePath {
    /// The elements of `routes` whose pattern (below `prefix`, e.g. `metrics/{name}` below `api/v1`) matches `path`,
    /// in table order.
    static func matching<Route>(_ path: Substring, prefix: String, in routes: [Route], pattern: (Route) -> String) -> [Route] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let prefixSegments = prefix.split(separator: "/")
        guard segments.count > prefixSegments.count, segments.starts(with: prefixSegments) else { return [] }
        let rest = segments.dropFirst(prefixSegments.count)
        return routes.filter { route in
            let patternSegments = pattern(route).split(separator: "/")
            return patternSegments.count == rest.count
                && zip(patternSegments, rest).allSatisfy { patternSegment, segment in
                    patternSegment.first == "{" || patternSegment == segment
                }
        }
    }
}
