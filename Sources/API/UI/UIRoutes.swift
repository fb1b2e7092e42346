import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the web UI (a static single-page application, `Sources/API/UI/assets/`, embedded by
/// `scripts/gen-ui-assets.py`): `GET /` answers `index.html`, `GET /ui/{asset}` the other files. The UI reads only the
/// public V1/V2 routes over HTTP, like any other client; it has no route of its own.
///
/// Every answer carries a strong `ETag` (a `If-None-Match` that names it gets 304 without a body),
/// `Cache-Control: no-cache` (browsers revalidate, which costs a 304), the content security policy
/// `default-src 'self'` (no inline script or style, nothing from another origin) and `X-Content-Type-Options: nosniff`.
/// Clients that accept gzip get the compressed copy made at generation time. Unknown assets are
/// `404 {"error":"not found"}` like any unknown path.
package struct UIRoutes: Sendable {
    let assets: [String: UIAsset]

    package init() {
        self.init(assets: UIAssets.all)
    }

    init(assets: [UIAsset]) {
        self.assets = Dictionary(assets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The content security policy of every UI answer.
    static let contentSecurityPolicy = "default-src 'self'"

    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/") { request, _ in
            try self.answer("index.html", request: request, gzip: ResponseCacheMiddleware<Context>.acceptsGzip(request.headers))
        }
        router.get("ui/{asset}") { request, context in
            guard let name = PathParameter.decoded(context.parameters.get("asset")), name != "index.html" else {
                throw HTTPError(.notFound)
            }
            return try self.answer(name, request: request, gzip: ResponseCacheMiddleware<Context>.acceptsGzip(request.headers))
        }
    }

    /// The asset `name`, a 304 when the request already holds it, or `HTTPError(.notFound)` (the error middleware
    /// turns it into the JSON envelope).
    func answer(_ name: String, request: Request, gzip: Bool) throws -> Response {
        guard let asset = assets[name] else { throw HTTPError(.notFound) }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            .cacheControl: "no-cache",
            .vary: "Accept-Encoding",
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
        ]
        if Self.matches(request.headers[values: .ifNoneMatch], etag: asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        guard gzip else { return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body)) }
        headers[.contentEncoding] = "gzip"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.gzipped))
    }

    /// Whether an `If-None-Match` header (each value a comma-separated list, `*`, or weak tags) names `etag`.
    static func matches(_ values: [String], etag: String) -> Bool {
        values.lazy.flatMap { $0.split(separator: ",") }.contains { item in
            let tag = item.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}
