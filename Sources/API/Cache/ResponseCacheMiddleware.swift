import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Answers repeated `GET /api/v1/...` requests from a ``RenderedResponseCache`` (200 and 404 answers only; never
/// `/api/v1/health`, whose answer is the process's state at that instant).
struct ResponseCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: RenderedResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard cache.isEnabled, request.method == .get, path.hasPrefix("/api/v1/"), path != "/api/v1/health" else {
            return try await next(request, context)
        }
        let key = request.uri.description
        if let hit = cache.lookup(key) {
            return Response(status: hit.status, headers: hit.headers, body: .init(byteBuffer: hit.body))
        }
        let response = try await next(request, context)
        guard response.status == .ok || response.status == .notFound else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = collector.buffer.withLock { $0 }
        cache.store(key, status: response.status, headers: response.headers, body: body)
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: body))
    }
}

/// A response body writer that keeps what it is given.
private final class BodyCollector: ResponseBodyWriter, Sendable {
    let buffer = Mutex(ByteBuffer())

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.withLock { $0.writeBuffer(&buffer) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
