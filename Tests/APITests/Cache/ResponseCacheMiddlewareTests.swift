import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import API

/// Counts handler calls.
private final class Calls: Sendable {
    private let value = Atomic(0)
    @discardableResult func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

@Suite("Rendered response cache")
struct ResponseCacheMiddlewareTests {
    /// A router whose handlers count their calls; `/api/v1/fail` answers 500, `/api/v1/missing` 404.
    fileprivate static func app(cache: RenderedResponseCache, calls: Calls) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ResponseCacheMiddleware(cache: cache))
        for path in ["api/v1/items", "api/v1/health"] {
            router.get(RouterPath(path)) { _, _ in
                let n = calls.next()
                return "answer \(n)"
            }
        }
        router.get("api/v1/fail") { _, _ -> Response in
            calls.next()
            return Response(status: .internalServerError)
        }
        router.get("api/v1/missing") { _, _ -> Response in
            calls.next()
            return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"not found\"}")))
        }
        router.post("api/v1/items") { _, _ in
            calls.next()
            return "posted"
        }
        return Application(router: router)
    }

    @Test("a GET answer is reused within the ttl with the same status and body; health, errors and POST never are")
    func reuse() async throws {
        let calls = Calls()
        let cache = RenderedResponseCache(ttl: .seconds(60))
        try await Self.app(cache: cache, calls: calls).test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/v1/items?limit=5", method: .get) { #expect(String(buffer: $0.body) == "answer 1") }
            }
            #expect(calls.count == 1)
            try await client.execute(uri: "/api/v1/items?limit=6", method: .get) { #expect(String(buffer: $0.body) == "answer 2") }
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/missing", method: .get) { #expect($0.status == .notFound) }
            }
            #expect(calls.count == 3, "a 404 is an answer too")
            for _ in 0..<2 { try await client.execute(uri: "/api/v1/health", method: .get) { _ in } }
            for _ in 0..<2 { try await client.execute(uri: "/api/v1/fail", method: .get) { #expect($0.status == .internalServerError) } }
            for _ in 0..<2 { try await client.execute(uri: "/api/v1/items", method: .post) { _ in } }
            #expect(calls.count == 9)
            cache.invalidateAll()
            try await client.execute(uri: "/api/v1/items?limit=5", method: .get) { #expect(String(buffer: $0.body) != "answer 1") }
        }
    }

    @Test("a zero ttl turns it off; the number of answers kept is bounded")
    func offAndBounded() async throws {
        let calls = Calls()
        try await Self.app(cache: RenderedResponseCache(ttl: .zero), calls: calls).test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/api/v1/items", method: .get) { _ in } }
        }
        #expect(calls.count == 3)
        let bounded = RenderedResponseCache(ttl: .seconds(60), maxEntries: 50)
        try await Self.app(cache: bounded, calls: calls).test(.router) { client in
            for i in 0..<200 { try await client.execute(uri: "/api/v1/items?offset=\(i)", method: .get) { _ in } }
        }
        #expect(bounded.count <= 50)
    }
}
