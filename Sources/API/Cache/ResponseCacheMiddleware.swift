import Foundation
import HTTPTypes
import Hummingbird
import Store
import NIOCore
import Synchronization

/// Answers repeated `GET /api/v1/...` and `GET /api/v2/...` requests from a ``RenderedResponseCache`` (200 and 404
/// answers only; never `/api/v1/health`, whose answer is the process's state at that instant). A rendered answer keeps the cached reads it
/// came from (``ReadDependencies``, collected while the handler ran), so it is reused until one of them changes.
/// Answers of 1 KiB or more go out gzip-compressed to clients that accept it (`Accept-Encoding: gzip`, as browsers and
/// dashboards send), compressed once per rendering: a service overview of 1,000 metrics is 1.5 MB of JSON.
struct ResponseCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: RenderedResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard cache.isEnabled, request.method == .get, path != "/api/v1/health" else { return try await next(request, context) }
        let key: String
        if path.hasPrefix("/api/v1/") {
            key = V1RouteTable.cacheKey(path: path, query: request.uri.query)
        } else if path.hasPrefix("/api/v2/") {
            key = V2Routes.cacheKey(path: path, query: request.uri.query)
        } else {
            return try await next(request, context)
        }
        let gzip = Self.acceptsGzip(request.headers)
        if let hit = cache.lookup(key) {
            return respond(hit, key: key, gzip: gzip)
        }
        defer { cache.finishRendering(key) }
        // Rendering (and compressing) runs on a thread of its own, off the threads that answer cached requests.
        let rendered = try await withTaskExecutorPreference(BackgroundExecutor.renderings) { () async throws -> Response in
            let reads = ReadDependencies()
            let response = try await ReadDependencies.$current.withValue(reads) { try await next(request, context) }
            guard response.status == .ok || response.status == .notFound else { return response }
            let collector = BodyCollector()
            try await response.body.write(collector)
            let body = collector.buffer.withLock { $0 }
            let entry = cache.store(key, status: response.status, headers: response.headers, body: body, dependencies: reads.dependencies)
            return respond(entry, key: key, gzip: gzip)
        }
        return rendered
    }

    /// Answers shorter than this are always sent as they are: gzip would save next to nothing.
    static var minimumGzipBytes: Int { 1_024 }

    private func respond(_ entry: RenderedResponseCache.Entry, key: String, gzip: Bool) -> Response {
        var headers = entry.headers
        headers[.vary] = "Accept-Encoding"
        guard gzip, entry.body.readableBytes >= Self.minimumGzipBytes, let compressed = cache.gzipped(entry, for: key) else {
            return Response(status: entry.status, headers: headers, body: .init(byteBuffer: entry.body))
        }
        headers[.contentEncoding] = "gzip"
        headers[.contentLength] = String(compressed.readableBytes)
        return Response(status: entry.status, headers: headers, body: .init(byteBuffer: compressed))
    }

    /// Whether `Accept-Encoding` lists `gzip` (or `*`) with a non-zero quality.
    static func acceptsGzip(_ headers: HTTPFields) -> Bool {
        headers[values: .acceptEncoding].lazy.flatMap { $0.split(separator: ",") }.contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}

/// A response body writer that keeps what it is given.
private final class BodyCollector: ResponseBodyWriter, Sendable {
    let buffer = Mutex(ByteBuffer())

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.withLock { _ = $0.writeBuffer(&buffer) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
