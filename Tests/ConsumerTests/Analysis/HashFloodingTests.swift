@testable import Consumer
import Store
import Testing

/// The in-memory hash tables under adversarial hashes: ``ValueHash`` is unkeyed, so a client can choose values whose
/// hashes share their low bits. Placement by ``TableSeed`` keeps probes short for them while set semantics and the
/// stored hashes stay exactly as before.
@Suite("Hash flooding")
struct HashFloodingTests {
    /// `count` int values whose value hashes fall into the first 1/64 of a 2^18-cell table under low-bit placement.
    static func craftedHashes(count: Int) -> [UInt64] {
        var hashes: [UInt64] = []
        var candidate: UInt64 = 0
        while hashes.count < count {
            let hash = ValueHash.hash(scalar: candidate, tag: .int)
            if hash & ((1 << 18) - 1) < (1 << 12) { hashes.append(hash) }
            candidate += 1
        }
        return hashes
    }

    @Test("ValueHashSet: same members and insert answers as Set, for several seeds, zero included")
    func valueHashSetSemantics() {
        var generator = SystemRandomNumberGenerator()
        for seed in [TableSeed(0), TableSeed(42), TableSeed(.max), .process] {
            var set = ValueHashSet(seed: seed)
            var reference = Set<UInt64>()
            for round in 0..<20_000 {
                let value: UInt64 = round % 7 == 0 ? UInt64(round % 50) : generator.next() % 5_000
                let inserted = set.insert(value)
                #expect(inserted == reference.insert(value).inserted)
            }
            #expect(set.count == reference.count)
            #expect(set.elements().sorted() == reference.sorted())
        }
    }

    @Test("HashIndex: finds every slot under its hash, also when many entries share one hash")
    func hashIndexSemantics() {
        var index = HashIndex(seed: TableSeed(7))
        var slots: [UInt64: [Int32]] = [:]
        for slot in Int32(0)..<5_000 {
            let hash = slot < 100 ? 12345 : ValueHash.hash(scalar: UInt64(slot), tag: .int)
            index.insert(hash, slot)
            slots[hash, default: []].append(slot)
        }
        #expect(index.count == 5_000)
        for (hash, expected) in slots {
            for slot in expected { #expect(index.find(hash) { $0 == slot } == slot) }
        }
        #expect(index.find(99) { _ in true } == nil)
    }

    @Test("131,072 crafted hashes: probe lengths stay short (low-bit placement: one cluster of 131,072 cells)")
    func craftedHashesProbeBounded() {
        let hashes = Self.craftedHashes(count: 1 << 17)
        var set = ValueHashSet()
        var index = HashIndex()
        var allNew = true
        for (i, hash) in hashes.enumerated() {
            allNew = set.insert(hash) && allNew
            index.insert(hash, Int32(i))
        }
        #expect(allNew)
        #expect(set.count == hashes.count)
        // Half-full linear probing with well-spread placement: the longest run is a few dozen cells; low-bit placement
        // puts all of them behind 4,096 home cells, so the longest probe is over 120,000 cells.
        #expect(set.longestProbe() < 512, "longest probe \(set.longestProbe())")
        #expect(index.longestProbe() < 512, "longest probe \(index.longestProbe())")
        #expect(set.elements().sorted() == hashes.sorted())
    }

    @Test("A window fed the crafted values counts them exactly and stores their unchanged hashes")
    func windowStoresUnmixedHashes() throws {
        var window = MetadataWindow()
        let values = (0..<2_000).map { Int64($0) }
        let record = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: values.count) { _, p in
            [("v", .int(values[p]))]
        }
        _ = try record.withUnsafeBytes { try window.ingest($0, signal: .metric, encoding: .proto, timestamp: 1_767_225_600) }
        let key = try #require(window.drain().keys.first { $0.key == "v" })
        #expect(key.valueHashes.sorted() == values.map { ValueHash.hash(scalar: UInt64(bitPattern: $0), tag: .int) }.sorted())
    }

    @Test("a table's bytes follow from its member count alone, the zero member included (what a window counts)")
    func tableBytesFromCount() {
        for withZeroAt in [nil, 0, 3, 4, 8, 100] as [Int?] {
            var values = ValueHashSet(seed: TableSeed(0x5eed))
            var series = HashSet64(seed: TableSeed(0x5eed))
            var countedValues = 0
            var countedSeries = 0
            for i in 0..<700 {
                let hash: UInt64 = i == withZeroAt ? 0 : ValueHash.hash(scalar: UInt64(i), tag: .int)
                if values.insert(hash) { countedValues += ValueHashSet.bytesAdded(reaching: values.count) }
                if series.insert(hash) { countedSeries += HashSet64.bytesAdded(reaching: series.count) }
                #expect(countedValues == values.memoryBytes, "zero at \(withZeroAt ?? -1), \(values.count) members")
                #expect(countedSeries == series.memoryBytes, "zero at \(withZeroAt ?? -1), \(series.count) members")
            }
        }
    }
}
