import Hummingbird
import NIOCore

/// Serves the API's own OpenAPI 3 document at `GET /api/v1/openapi.json`.
package struct OpenAPIRoutes: Sendable {
    package init() {}

    package func register<Context: RequestContext>(on router: Router<Context>) {
        let body = ByteBuffer(string: OpenAPIDocument.json + "\n")
        router.get("api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }
}
