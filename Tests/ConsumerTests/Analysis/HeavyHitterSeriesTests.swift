@testable import Consumer
import Store
import Testing

/// Heavy hitters (the most frequent values of a key per window) and series fingerprints (distinct attribute sets of a
/// metric's data points, resource included).
@Suite("Heavy hitters and series")
struct HeavyHitterSeriesTests {
    func key(_ batch: MetadataBatch, _ name: String, scope: KeyScope = .attribute) throws -> KeyAggregate {
        try #require(batch.keys.first { $0.key == name && $0.scope == scope })
    }

    func counts(_ key: KeyAggregate) -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: key.heavyHitters.map { ($0.text, $0.count) })
    }

    @Test("a key with few values reports every value with its exact count, most frequent first, hashes as the cardinality's")
    func smallSetExact() throws {
        var window = MetadataWindow()
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 100) { _, p in
            [("method", .string(p % 10 < 7 ? "GET" : p % 10 < 9 ? "POST" : "PUT")), ("code", .int(p % 4 == 0 ? 500 : 200))]
        }
        _ = try window.ingest(request, signal: .metric)
        let batch = window.drain()
        let method = try key(batch, "method")
        #expect(method.heavyHitters.map(\.text) == ["GET", "POST", "PUT"])
        #expect(counts(method) == ["GET": 70, "POST": 20, "PUT": 10])
        #expect(Set(method.heavyHitters.map(\.hash)) == Set(method.valueHashes))
        #expect(counts(try key(batch, "code")) == ["200": 75, "500": 25])
        // The resource key: one value on every item, counted per item.
        #expect(counts(try key(batch, "service.name", scope: .resource)) == ["api": 100])
    }

    @Test("a high-cardinality key reports its frequent values only: all-distinct values report nothing")
    func highCardinality() throws {
        var window = MetadataWindow()
        // 1,000 points: `user` is "hot" on every fourth point, else unique; `session` is always unique.
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 1_000) { _, p in
            [("user", .string(p % 4 == 0 ? "hot" : "u\(p)")), ("session", .string("s\(p)"))]
        }
        _ = try window.ingest(request, signal: .metric)
        let batch = window.drain()
        #expect(counts(try key(batch, "user")) == ["hot": 250])
        #expect(try key(batch, "session").heavyHitters.isEmpty)
    }

    @Test("a frequent value that first appears after the small set overflowed is still found, with its exact count")
    func lateHeavyValue() throws {
        var window = MetadataWindow()
        let first = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 50) { _, p in [("v", .string("early-\(p)"))] }
        let second = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 300) { _, p in
            [("v", .string(p % 2 == 0 ? "late" : "x\(p)"))]
        }
        _ = try window.ingest(first, signal: .metric)
        _ = try window.ingest(second, signal: .metric)
        let v = try key(window.drain(), "v")
        #expect(counts(v) == ["late": 150])
    }

    @Test("series: one per distinct attribute set including the resource, whatever the attribute order")
    func seriesFingerprints() throws {
        var window = MetadataWindow()
        let a = TestOTLP.sumRequest(resources: [[("service.name", .string("api")), ("pod", .string("p1"))]], points: 12) { _, p in
            p % 2 == 0 ? [("m", .string("GET")), ("c", .int(Int64(p % 3)))] : [("c", .int(Int64(p % 3))), ("m", .string("GET"))]
        }
        // Same service, another pod: the same point attributes are other series.
        let b = TestOTLP.sumRequest(resources: [[("pod", .string("p2")), ("service.name", .string("api"))]], points: 3) { _, p in
            [("m", .string("GET")), ("c", .int(Int64(p % 3)))]
        }
        _ = try window.ingest(a, signal: .metric)
        _ = try window.ingest(b, signal: .metric)
        let batch = window.drain()
        let signal = try #require(batch.signals.first { $0.signal == .metric })
        #expect(signal.seriesHashes.count == 6)  // 3 values of c × 2 pods; m constant; order does not matter
        #expect(Set(signal.seriesHashes).count == signal.seriesHashes.count)  // distinct
    }

    @Test("series fingerprints are the same in every window and process (stable key hashes)")
    func seriesStable() throws {
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 5) { _, p in [("k", .int(Int64(p)))] }
        var one = MetadataWindow()
        _ = try one.ingest(request, signal: .metric)
        var two = MetadataWindow()
        _ = try two.ingest(TestOTLP.sumRequest(resources: [[("service.name", .string("other"))]], points: 1) { _, _ in [] }, signal: .metric)
        _ = try two.ingest(request, signal: .metric)
        let first = one.drain().signals.first { $0.service == "api" }?.seriesHashes
        let second = two.drain().signals.first { $0.service == "api" }?.seriesHashes
        #expect(first != nil && first == second)
    }

    @Test("heavy-hitter candidates: power-of-two crossings")
    func crossings() {
        #expect(!HeavyCandidates.crossesPowerOfTwo(0, 1))
        #expect(!HeavyCandidates.crossesPowerOfTwo(1, 2))  // below the minimum count: never reported
        #expect(!HeavyCandidates.crossesPowerOfTwo(2, 3))
        #expect(HeavyCandidates.crossesPowerOfTwo(3, 4))
        #expect(HeavyCandidates.crossesPowerOfTwo(0, 100))
        #expect(!HeavyCandidates.crossesPowerOfTwo(64, 127))
        #expect(HeavyCandidates.crossesPowerOfTwo(127, 128))
    }

    @Test("stored texts round-trip through the hash prefix")
    func storedText() {
        let h = HeavyHitter(hash: 0x0123_4567_89AB_CDEF, count: 3, text: "a:b é")
        #expect(h.storedText == "89abcdef:a:b é")
        let parsed = HeavyHitter.parseStored(h.storedText)
        #expect(parsed?.key == 0x89AB_CDEF && parsed?.text == "a:b é")
        #expect(HeavyHitter.parseStored("zz") == nil)
        #expect(HeavyHitter.parseStored("89abcdeg:x") == nil)
        let joined = HeavyHitter.join(keys: [1, 2, 3], counts: [5, 9, 5], texts: ["00000002:b", "00000001:z", "00000003:a", "junk"], limit: 2)
        #expect(joined.map(\.text) == ["b", "a"])
        #expect(joined.map(\.count) == [9, 5])
    }
}
