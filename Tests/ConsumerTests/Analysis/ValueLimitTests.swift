import Consumer
import Store
import Testing

/// The per-key distinct-value limit (``WindowLimits/maxDistinctValuesPerKey``): exact below it, and above it the window
/// asks to be flushed so that no key's hash set grows without bound, while the union over windows stays exact.
@Suite("Distinct-value limit per key")
struct ValueLimitTests {
    /// One record of `points` Sum points whose `session.id` is `s-<first + i>` and whose resource carries `pod` (so the
    /// resource path is exercised too), next to a low-cardinality `method`.
    static func record(first: Int, points: Int, pod: String = "pod-1") -> [UInt8] {
        TestOTLP.sumRequest(resources: [[("service.name", .string("api")), ("k8s.pod.name", .string(pod))]], points: points) { _, p in
            [("session.id", .string("s-\(first + p)")), ("method", .string(p % 2 == 0 ? "GET" : "POST"))]
        }
    }

    func key(_ batch: MetadataBatch, _ name: String, scope: KeyScope = .attribute) -> KeyAggregate? {
        batch.keys.first { $0.key == name && $0.scope == scope }
    }

    @Test("a window counts its hash tables' real bytes in approximateBytes (what --flush-bytes cuts by)")
    func tableBytesCounted() throws {
        var window = MetadataWindow()
        var first = 0
        // 1, 4, 5, 9, 600 and 3,000 distinct values of session.id per record: both sides of table growths.
        for points in [1, 4, 5, 9, 600, 3_000] {
            try window.ingest(Self.record(first: first, points: points, pod: "pod-\(points)"), signal: .metric)
            first += points
            let tables = window.tableBytes
            #expect(tables.counted == tables.held, "after \(first) values")
            #expect(window.approximateBytes >= tables.held)
        }
        #expect(window.tableBytes.held > 3_000 * 32, "the tables are more than 2 cells per member: the old count was short")
        _ = window.drain()
        #expect(window.tableBytes == (0, 0))
    }

    @Test("below the limit every distinct value hash is kept, exactly, and the window is not asking to flush")
    func exactBelowLimit() throws {
        var window = MetadataWindow(limits: WindowLimits(maxDistinctValuesPerKey: 1_000))
        for r in 0..<3 { _ = try window.ingest(Self.record(first: r * 300, points: 300), signal: .metric) }
        #expect(!window.hasKeyAtValueLimit)
        let batch = window.drain()
        let session = try #require(key(batch, "session.id"))
        #expect(session.valueHashes.sorted() == (0..<900).map { ValueHash.hash("s-\($0)") }.sorted())
        #expect(session.count == 900)
        #expect(key(batch, "method")?.valueHashes.count == 2)
    }

    @Test("reaching the limit marks the window full; the overshoot is at most one record; a drain clears it")
    func limitMarksWindowFull() throws {
        var window = MetadataWindow(limits: WindowLimits(maxDistinctValuesPerKey: 1_000))
        var records = 0
        while !window.hasKeyAtValueLimit, records < 10 {
            _ = try window.ingest(Self.record(first: records * 300, points: 300), signal: .metric)
            records += 1
        }
        #expect(records == 4)  // 900 after three records, 1,200 after the fourth
        let batch = window.drain()
        #expect(key(batch, "session.id")?.valueHashes.count == 1_200)
        #expect(!window.hasKeyAtValueLimit)
        #expect(window.isEmpty)
    }

    @Test("resource attribute values count against the limit too")
    func resourceValues() throws {
        var window = MetadataWindow(limits: WindowLimits(maxDistinctValuesPerKey: 50))
        for r in 0..<49 { _ = try window.ingest(Self.record(first: 0, points: 1, pod: "pod-\(r)"), signal: .metric) }
        #expect(!window.hasKeyAtValueLimit)
        _ = try window.ingest(Self.record(first: 0, points: 1, pod: "pod-49"), signal: .metric)
        #expect(window.hasKeyAtValueLimit)
        #expect(key(window.drain(), "k8s.pod.name", scope: .resource)?.valueHashes.count == 50)
    }

    @Test("flushing at the limit (as the pipeline does) bounds every window and loses no value")
    func windowsUnionIsExact() throws {
        let limit = 2_048
        var window = MetadataWindow(limits: WindowLimits(maxDistinctValuesPerKey: limit))
        var union: Set<UInt64> = []
        var windows = 0
        var largest = 0
        func flush() {
            let batch = window.drain()
            let hashes = key(batch, "session.id")?.valueHashes ?? []
            largest = max(largest, hashes.count)
            union.formUnion(hashes)
            windows += 1
        }
        // 20,000 distinct values, every one sent twice (the second time in a later record).
        for r in 0..<100 {
            _ = try window.ingest(Self.record(first: r * 200, points: 200), signal: .metric)
            _ = try window.ingest(Self.record(first: max(0, r - 1) * 200, points: 200), signal: .metric)
            if window.hasKeyAtValueLimit { flush() }
        }
        flush()
        #expect(union == Set((0..<20_000).map { ValueHash.hash("s-\($0)") }))
        #expect(largest <= limit + 2 * 200)
        #expect(windows >= 20_000 / (limit + 400))
    }

    @Test("the batch policy treats a key at its limit as a full window")
    func policy() {
        let policy = BatchPolicy(maxRows: 100, maxBytes: 1_000, maxAge: .seconds(1))
        #expect(policy.decide(rows: 1, bytes: 1, age: .zero, hasPendingOffsets: true, writing: nil, keyAtValueLimit: true) == .flush)
        #expect(policy.decide(rows: 1, bytes: 1, age: .zero, hasPendingOffsets: true, writing: 0, keyAtValueLimit: true) == .pause)
        #expect(policy.decide(rows: 1, bytes: 1, age: .zero, hasPendingOffsets: true, writing: nil, keyAtValueLimit: false) == .keepGoing)
    }
}
