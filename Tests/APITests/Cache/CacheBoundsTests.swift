import Hummingbird
import NIOCore
import Store
import Testing
@testable import API

/// Issue 11, item 2: both API caches are bounded by bytes, and the rendered cache keys only on what a route reads.
@Suite("API caches are bounded by bytes and keyed on the parameters a route reads")
struct CacheBoundsTests {
    @Test("Rendered answers: least recently used evicted by bytes; oversize answers not kept")
    func renderedByBytes() {
        let cache = RenderedResponseCache(ttl: .seconds(60), maxEntries: 10_000, maxBytes: 1 << 20)
        let body = ByteBuffer(bytes: [UInt8](repeating: 0x41, count: 100_000))
        for index in 0..<100 {
            _ = cache.lookup("/k\(index)")
            cache.store("/k\(index)", status: .ok, headers: [:], body: body)
            cache.finishRendering("/k\(index)")
            #expect(cache.bytes <= 1 << 20)
            _ = cache.lookup("/k0")  // kept in use: never the least recently used
        }
        #expect(cache.count < 11 && cache.count >= 5)
        #expect(cache.lookup("/k0") != nil)
        #expect(cache.lookup("/k99") != nil)
        cache.store("/huge", status: .ok, headers: [:], body: ByteBuffer(bytes: [UInt8](repeating: 0, count: 2 << 20)))
        #expect(cache.bytes <= 1 << 20)
        cache.invalidateAll()
        #expect(cache.bytes == 0 && cache.count == 0)
    }

    @Test("Read cache: evicted by estimated bytes")
    func readsByBytes() async throws {
        let cache = ReadCache<[String]>(.init(ttl: .seconds(60), maxEntries: 10_000, maxBytes: 1 << 20), size: { CacheBytes.of(any: $0) })
        let value = (0..<1_000).map { "a value longer than fifteen bytes \($0)" }
        for index in 0..<100 {
            _ = try await cache.value(for: "k\(index)") { value }
            #expect(cache.bytes <= 1 << 20)
        }
        #expect(cache.count < 20)
        #expect(CacheBytes.of(any: value) > 1_000 * 40)
    }

    @Test("Cache key: unknown parameters dropped, known ones in canonical order")
    func keyNormalisation() {
        #expect(V1RouteTable.cacheKey(path: "/api/v1/attributes", query: "limit=10000&x=1") == "/api/v1/attributes?limit=10000")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/attributes", query: "x=2&limit=10000") == "/api/v1/attributes?limit=10000")
        #expect(
            V1RouteTable.cacheKey(path: "/api/v1/metrics", query: "offset=5&limit=2&service=a")
                == V1RouteTable.cacheKey(path: "/api/v1/metrics", query: "service=a&limit=2&offset=5"))
        #expect(V1RouteTable.cacheKey(path: "/api/v1/metrics", query: "limit=1&limit=2") == "/api/v1/metrics?limit=1&limit=2")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/metrics", query: "lim%69t=3") == "/api/v1/metrics?lim%69t=3")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/metrics/a", query: "limit=3&z=1") == "/api/v1/metrics/a")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/services", query: nil) == "/api/v1/services")
        // Sessions read their query too (before the route table declared it, two diffs shared one cached answer).
        #expect(
            V1RouteTable.cacheKey(path: "/api/v1/sessions/diff", query: "from=a&to=b")
                != V1RouteTable.cacheKey(path: "/api/v1/sessions/diff", query: "from=a&to=c"))
        #expect(V1RouteTable.cacheKey(path: "/api/v1/sessions", query: "offset=2&limit=1&x=1") == "/api/v1/sessions?limit=1&offset=2")
        // V2: the parameters each route declares in its table entry (path parameters matched by pattern).
        #expect(
            V2Routes.cacheKey(path: "/api/v2/changes", query: "x=1&since=2026-12-01&limit=5")
                == "/api/v2/changes?limit=5&since=2026-12-01")
        #expect(
            V2Routes.cacheKey(path: "/api/v2/metrics/a%2Fb/labels", query: "to=2026-12-02&junk=1&from=2026-12-01")
                == "/api/v2/metrics/a%2Fb/labels?from=2026-12-01&to=2026-12-02")
        #expect(V2Routes.cacheKey(path: "/api/v2/status/tsdb", query: "topN=5&focusLabel=k&match[]=x") == "/api/v2/status/tsdb?focusLabel=k&topN=5")
        #expect(V2Routes.cacheKey(path: "/api/v2/system/tables", query: "limit=3") == "/api/v2/system/tables")
        #expect(V2Routes.cacheKey(path: "/api/v2/nowhere", query: "limit=3") == "/api/v2/nowhere")
    }
}
