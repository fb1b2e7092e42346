import HTTPTypes
import Hummingbird

/// One V2 route: method, path pattern, the query parameters it reads and its handler, declared together. The router,
/// the 405 `Allow` lists and the OpenAPI check are all built from ``V2Routes/table``, so a route cannot exist without
/// its handler.
struct V2Route: Sendable {
    /// The method.
    var method: HTTPRequest.Method
    /// Below `/api/v2/`, e.g. `keys/{key}`; `{name}` matches one non-empty path segment.
    var path: String
    /// The query parameters the handler reads (documented in the OpenAPI document; others are ignored).
    var query: Set<String>
    /// Answers one request.
    var handle: @Sendable (V2Routes, V2Request) async throws -> Response

    init(
        _ method: HTTPRequest.Method, _ path: String, query: Set<String> = [],
        _ handle: @escaping @Sendable (V2Routes, V2Request) async throws -> Response
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.handle = handle
    }

    /// The `{name}` segments of ``path``, in order.
    var parameterNames: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.first == "{" && segment.last == "}" ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}

/// What a V2 handler gets: the request, its decoded path parameters and its decoded query.
struct V2Request: Sendable {
    let request: Request
    /// Path parameters by name, percent-decoded once (``PathParameter``).
    let path: [String: String]
    /// The query string, decoded like a form.
    let query: FormQuery

    /// A path parameter (every declared one is present: the router matched the pattern).
    func parameter(_ name: String) -> String { path[name] ?? "" }

    /// The time range of `from`/`to` (see ``RangeQuery``).
    /// - Throws: `HTTPError(.badRequest)` with a JSON message when either end does not parse or `from` is after `to`.
    func range() throws -> DayRangeQuery { try RangeQuery.parse(query) }
}
