import CompressNIO
import Hummingbird
import HummingbirdTesting
import Synchronization
import Store
import Testing
@testable import API

/// Counts handler calls.
private final class Calls: Sendable {
    private let value = Atomic(0)
    @discardableResult func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

/// The version of the one cached read the derived answers depend on.
private final class Version: Sendable {
    private let value = Atomic<UInt64>(1)
    var current: UInt64 { value.load(ordering: .relaxed) }
    func set(_ version: UInt64) { value.store(version, ordering: .relaxed) }
}

@Suite("Rendered response cache")
struct ResponseCacheMiddlewareTests {
    /// A router whose handlers count their calls; `/api/v1/fail` answers 500, `/api/v1/missing` 404.
    fileprivate static func app(cache: RenderedResponseCache, calls: Calls) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ResponseCacheMiddleware(cache: cache))
        for path in ["api/v1/metrics", "api/v1/health", "api/v2/changes"] {
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
        router.post("api/v1/metrics") { _, _ in
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
                try await client.execute(uri: "/api/v1/metrics?limit=5", method: .get) { #expect(String(buffer: $0.body) == "answer 1") }
            }
            #expect(calls.count == 1)
            try await client.execute(uri: "/api/v1/metrics?limit=6", method: .get) { #expect(String(buffer: $0.body) == "answer 2") }
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/missing", method: .get) { #expect($0.status == .notFound) }
            }
            #expect(calls.count == 3, "a 404 is an answer too")
            for _ in 0..<2 { try await client.execute(uri: "/api/v1/health", method: .get) { _ in } }
            for _ in 0..<2 { try await client.execute(uri: "/api/v1/fail", method: .get) { #expect($0.status == .internalServerError) } }
            for _ in 0..<2 { try await client.execute(uri: "/api/v1/metrics", method: .post) { _ in } }
            #expect(calls.count == 9)
            // V2 answers too, keyed by the parameters the route reads (`x` is not one of them).
            for query in ["since=2026-12-01&x=1", "x=2&since=2026-12-01"] {
                try await client.execute(uri: "/api/v2/changes?\(query)", method: .get) { #expect(String(buffer: $0.body) == "answer 10") }
            }
            try await client.execute(uri: "/api/v2/changes?since=2026-12-02", method: .get) { #expect(String(buffer: $0.body) == "answer 11") }
            #expect(calls.count == 11)
            cache.invalidateAll()
            try await client.execute(uri: "/api/v1/metrics?limit=5", method: .get) { #expect(String(buffer: $0.body) != "answer 1") }
        }
    }

    @Test("a zero ttl turns it off; the number of answers kept is bounded")
    func offAndBounded() async throws {
        let calls = Calls()
        try await Self.app(cache: RenderedResponseCache(ttl: .zero), calls: calls).test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/api/v1/metrics", method: .get) { _ in } }
        }
        #expect(calls.count == 3)
        let bounded = RenderedResponseCache(ttl: .seconds(60), maxEntries: 50)
        try await Self.app(cache: bounded, calls: calls).test(.router) { client in
            for i in 0..<200 { try await client.execute(uri: "/api/v1/metrics?offset=\(i)", method: .get) { _ in } }
        }
        #expect(bounded.count <= 50)
    }

    /// A router whose `/api/v1/derived` handler depends on one cached read ("k" at `version`) and takes `delay` to render.
    fileprivate static func derivedApp(cache: RenderedResponseCache, calls: Calls, version: Version, delay: Duration) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: ResponseCacheMiddleware(cache: cache))
        router.get("api/v1/derived") { _, _ in
            let n = calls.next()
            ReadDependencies.current?.record(key: "k", version: version.current)
            if n > 1 { try await Task.sleep(for: delay) }
            return "answer \(n)"
        }
        return Application(router: router)
    }

    @Test("past the ttl an answer is reused while the reads it came from are unchanged, and rendered again once one changed")
    func reusedWhileReadsUnchanged() async throws {
        let calls = Calls()
        let version = Version()
        let cache = RenderedResponseCache(
            ttl: .milliseconds(20),
            isCurrent: { deps in
                deps.allSatisfy { $0.key == "k" && $0.version == version.current }
            })
        try await Self.derivedApp(cache: cache, calls: calls, version: version, delay: .zero).test(.router) { client in
            try await client.execute(uri: "/api/v1/derived", method: .get) { #expect(String(buffer: $0.body) == "answer 1") }
            try await Task.sleep(for: .milliseconds(60))  // past the ttl, the read unchanged
            try await client.execute(uri: "/api/v1/derived", method: .get) { #expect(String(buffer: $0.body) == "answer 1") }
            #expect(calls.count == 1)
            version.set(2)  // the read changed
            try await Task.sleep(for: .milliseconds(60))
            try await client.execute(uri: "/api/v1/derived", method: .get) { #expect(String(buffer: $0.body) == "answer 2") }
            #expect(calls.count == 2)
        }
    }

    @Test("while one request renders a changed answer again, concurrent requests for it get the previous rendering")
    func oneRenderAtATime() async throws {
        let calls = Calls()
        let version = Version()
        let cache = RenderedResponseCache(
            ttl: .milliseconds(20),
            isCurrent: { deps in
                deps.allSatisfy { $0.version == version.current }
            })
        try await Self.derivedApp(cache: cache, calls: calls, version: version, delay: .seconds(3)).test(.router) { client in
            try await client.execute(uri: "/api/v1/derived", method: .get) { _ in }
            version.set(2)
            try await Task.sleep(for: .milliseconds(40))
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask { try await client.execute(uri: "/api/v1/derived", method: .get) { String(buffer: $0.body) } }
                // Wait until that one is rendering (3 s); timings here are lower bounds only (CI runs on loaded cores).
                let deadline = ContinuousClock.now + .seconds(20)
                while calls.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                for _ in 0..<5 { group.addTask { try await client.execute(uri: "/api/v1/derived", method: .get) { String(buffer: $0.body) } } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(calls.count == 2, "one rendering for six concurrent requests")
            #expect(bodies.filter { $0 == "answer 1" }.count == 5)
            #expect(bodies.filter { $0 == "answer 2" }.count == 1)
        }
    }

    @Test("answers of 1 KiB or more go out gzip-compressed to clients that accept gzip, compressed once per rendering")
    func gzip() async throws {
        let calls = Calls()
        let large = String(repeating: "{\"name\":\"http.server.duration\"},", count: 200)
        let router = Router()
        router.add(middleware: ResponseCacheMiddleware(cache: RenderedResponseCache(ttl: .seconds(60))))
        router.get("api/v1/large") { _, _ in
            calls.next()
            return large
        }
        router.get("api/v1/small") { _, _ in "tiny" }
        try await Application(router: router).test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/api/v1/large", method: .get, headers: [.acceptEncoding: "br, gzip;q=0.8"]) { response in
                    #expect(response.headers[.contentEncoding] == "gzip")
                    #expect(response.headers[.vary] == "Accept-Encoding")
                    #expect(response.body.readableBytes < large.utf8.count / 4)
                    var body = response.body
                    let inflated = try body.decompress(with: .gzip())
                    #expect(String(buffer: inflated) == large)
                }
            }
            for refusing in ["gzip;q=0", "identity", "deflate"] {
                try await client.execute(uri: "/api/v1/large", method: .get, headers: [.acceptEncoding: refusing]) { response in
                    #expect(response.headers[.contentEncoding] == nil)
                    #expect(String(buffer: response.body) == large)
                }
            }
            try await client.execute(uri: "/api/v1/large", method: .get) { #expect($0.headers[.contentEncoding] == nil) }
            try await client.execute(uri: "/api/v1/small", method: .get, headers: [.acceptEncoding: "gzip"]) { response in
                #expect(response.headers[.contentEncoding] == nil)
                #expect(String(buffer: response.body) == "tiny")
            }
        }
        #expect(calls.count == 1)
        #expect(ResponseCacheMiddleware<BasicRequestContext>.acceptsGzip([.acceptEncoding: "*"]))
        #expect(!ResponseCacheMiddleware<BasicRequestContext>.acceptsGzip([.acceptEncoding: "gzip; q=0.0"]))
    }
}
