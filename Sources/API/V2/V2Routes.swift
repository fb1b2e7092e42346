import HTTPTypes
import Hummingbird
import Store

/// The V2 API (`/api/v2/...`): history, changes, per-label detail, cross-signal keys, store statistics. Every read
/// takes a time range (``RangeQuery``), every list is paginated, and no read touches O(values) rows. Holds no SQL; the
/// routes and their handlers are declared once, in ``table``, whose parts live in the `V2Routes+*.swift` files.
package struct V2Routes: Sendable {
    let reader: any V2Reading

    package init(reader: any V2Reading) {
        self.reader = reader
    }

    static let prefix = "api/v2"

    /// Every V2 route with its handler.
    static let table: [V2Route] = historyRoutes + explorerRoutes + labelRoutes + systemRoutes

    /// Registers every route of ``table`` (errors get the JSON envelope from ``V1ErrorMiddleware``).
    package func register<Context: RequestContext>(on router: Router<Context>) {
        let group = router.group(RouterPath(Self.prefix))
        for route in Self.table {
            let names = route.parameterNames
            group.on(RouterPath(route.path), method: route.method) { request, context in
                var path: [String: String] = [:]
                for name in names {
                    guard let value = PathParameter.decoded(context.parameters.get(name)) else {
                        throw HTTPError(.badRequest, message: "invalid percent-encoding in '\(name)'")
                    }
                    path[name] = value
                }
                return try await route.handle(self, V2Request(request: request, path: path, query: FormQuery(request)))
            }
        }
    }

    /// The methods of the V2 routes whose pattern matches `path` (a raw request path), for 405 answers.
    static func methods(matching path: Substring) -> [HTTPRequest.Method] {
        var methods: [HTTPRequest.Method] = []
        for route in routes(matching: path) where !methods.contains(route.method) { methods.append(route.method) }
        return methods
    }

    /// The response-cache key of a `GET` (``CacheKey``): the path and the query parameters its route reads.
    static func cacheKey(path: String, query: String?) -> String {
        let route = routes(matching: Substring(path)).first { $0.method == .get }
        return CacheKey.make(path: path, query: query, reads: route?.query ?? [])
    }

    /// The routes whose pattern matches `path` (a raw request path), in table order.
    private static func routes(matching path: Substring) -> [V2Route] {
        RoutePath.matching(path, prefix: prefix, in: table) { $0.path }
    }

}
