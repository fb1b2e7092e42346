import NIOCore
import Testing

@testable import Store

@Suite("RowBinary encoder and decoder")
struct RowBinaryTests {
    @Test("values round-trip")
    func roundTrip() throws {
        var encoder = RowBinaryEncoder(capacity: 16)
        encoder.uint8(0xAB)
        encoder.uint16(0xBEEF)
        encoder.uint32(4_000_000_000)
        encoder.uint64(.max)
        encoder.int32(-5)
        encoder.int64(.min)
        encoder.float64(-0.25)
        encoder.string(String(repeating: "é", count: 200))  // 400 bytes: a two-byte length
        encoder.stringArray(["", "a\u{0}b"])
        encoder.uint64Array([1, 2])
        encoder.float64Array([.infinity])
        encoder.int32Array([-1, 7])
        var decoder = RowBinaryDecoder(Array(buffer: encoder.buffer))
        #expect(try decoder.uint8() == 0xAB)
        #expect(try decoder.uint16() == 0xBEEF)
        #expect(try decoder.uint32() == 4_000_000_000)
        #expect(try decoder.uint64() == .max)
        #expect(try decoder.int32() == -5)
        #expect(try decoder.int64() == .min)
        #expect(try decoder.float64() == -0.25)
        #expect(try decoder.string() == String(repeating: "é", count: 200))
        #expect(try decoder.stringArray() == ["", "a\u{0}b"])
        #expect(try decoder.array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.uint64() } == [1, 2])
        #expect(try decoder.float64Array() == [.infinity])
        #expect(try decoder.int32Array() == [-1, 7])
        #expect(decoder.isAtEnd)
    }

    @Test("truncated input throws instead of trapping")
    func truncated() {
        var decoder = RowBinaryDecoder([0x05, 0x61])
        #expect(throws: StoreError.self) { try decoder.string() }
        var huge = RowBinaryDecoder([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: StoreError.self) { try huge.stringArray() }
        var short = RowBinaryDecoder([1, 2, 3])
        #expect(throws: StoreError.self) { try short.uint64() }
    }

    @Test("an ingest row has one value per ingest column")
    func ingestRowWidth() throws {
        var encoder = RowBinaryEncoder()
        IngestRow(kind: .signal).encode(into: &encoder)
        var decoder = RowBinaryDecoder(Array(buffer: encoder.buffer))
        for column in Schema.insertColumns {
            switch column.type {
            case "UInt8": _ = try decoder.uint8()
            case "Date": _ = try decoder.uint16()
            case "DateTime", "UInt32": _ = try decoder.uint32()
            case "UInt64": _ = try decoder.uint64()
            case "Int64": _ = try decoder.int64()
            case "String": _ = try decoder.string()
            case "Array(UInt64)", "Array(UInt32)", "Array(String)", "Array(Float64)", "Array(Int32)": #expect(try decoder.varint() == 0)
            default: Issue.record("unexpected column type \(column.type)")
            }
        }
        #expect(decoder.isAtEnd)
    }

    @Test("instrumentation scope encoding")
    func instrumentationScope() {
        #expect(InstrumentationScope.encode(name: "", version: "") == "")
        #expect(InstrumentationScope.encode(name: "lib", version: "1.0") == "lib\n1.0")
        #expect(InstrumentationScope.decode("lib\n1.0") == ("lib", "1.0"))
        #expect(InstrumentationScope.decode("lib\n") == ("lib", ""))
        #expect(InstrumentationScope.decode("") == ("", ""))
    }
}

@Suite("Catalog rows")
struct CatalogEntryTests {
    @Test("groups keys by signal, scope, key and day")
    func grouping() {
        let keys = [
            KeyAggregate(
                signal: .metric, name: "a", service: "s1", scope: .attribute, key: "k", day: 10, firstSeen: 50, lastSeen: 60,
                count: 3, valueHashes: [1, 2], sampleSlots: ["x", nil, "y", nil, nil, nil, nil, nil, nil, "é"]),
            KeyAggregate(
                signal: .metric, name: "b", service: "s2", scope: .attribute, key: "k", day: 10, firstSeen: 40, lastSeen: 55,
                count: 4, valueHashes: [2, 3], sampleSlots: ["y", "w", "x", nil, nil, nil, nil, nil, nil, "e"]),
            KeyAggregate(
                signal: .metric, name: "a", service: "s1", scope: .resource, key: "k", day: 10, firstSeen: 1, lastSeen: 2,
                count: 1, valueHashes: [9], sampleSlots: SampleSlots.slots([("r", 9)])),
            KeyAggregate(
                signal: .span, name: "a", service: "s1", scope: .attribute, key: "k", day: 11, firstSeen: 1, lastSeen: 2,
                count: 1, valueHashes: []),
        ]
        let entries = CatalogEntry.entries(from: keys)
        #expect(entries.count == 3)
        var first = entries[0]
        first.valueHashes.sort()
        #expect(
            first
                == CatalogEntry(
                    signal: .metric, scope: .attribute, key: "k", day: 10, firstSeen: 40, lastSeen: 60, count: 7,
                    valueHashes: [1, 2, 3], sampleSlots: ["x", "w", "x", nil, nil, nil, nil, nil, nil, "e"],
                    smallValues: []))
        #expect(entries[1].scope == .resource && entries[1].count == 1)
        #expect(entries[2].signal == .span && entries[2].valueHashes.isEmpty)
    }

    @Test("merged hashes are the distinct hashes in first-seen order, over hundreds of merges into one row")
    func mergedHashOrder() {
        var random = SystemRandomNumberGenerator()
        // 300 names of one key; hashes from a small space (many repeats), 0 among them, and repeats inside the first.
        let keys = (0..<300).map { index in
            KeyAggregate(
                signal: .metric, name: "n\(index)", service: "s\(index % 7)", scope: .attribute, key: "user.id", day: 3,
                firstSeen: 1, lastSeen: 1, count: 1,
                valueHashes: index == 0 ? [5, 0, 5, 7] : (0..<40).map { _ in UInt64.random(in: 0..<2_000, using: &random) })
        }
        var seen = Set<UInt64>()
        let expected = keys.flatMap(\.valueHashes).filter { seen.insert($0).inserted }
        let entries = CatalogEntry.entries(from: keys)
        #expect(entries.count == 1)
        #expect(entries[0].valueHashes == expected)
        #expect(entries[0].count == 300)
        // The lanes' merge (same name and service) gives the same order.
        let lanes = keys.map { key in
            var key = key
            key.name = "n"
            key.service = "s"
            return key
        }
        #expect(KeyAggregate.mergingDuplicates(lanes).map(\.valueHashes) == [expected])
    }

    @Test("sample slots merge slot by slot to the smallest text, whatever the order of the keys")
    func sampleSlots() {
        let values = (0..<40).map { (text: "v\($0)", hash: ValueHash.hash("v\($0)")) }
        let keys = (0..<5).map { index in
            KeyAggregate(
                signal: .log, name: "n\(index)", service: "s", scope: .attribute, key: "k", day: 1, firstSeen: 1, lastSeen: 1,
                count: 1, valueHashes: [UInt64(index)], sampleSlots: SampleSlots.slots(values[(index * 8)..<(index * 8 + 8)]))
        }
        let entries = CatalogEntry.entries(from: keys)
        #expect(entries.count == 1)
        #expect(entries[0].sampleSlots == SampleSlots.slots(values))
        #expect(entries[0].sampleSlots.count == KeyAggregate.maxSamples)
        #expect(CatalogEntry.entries(from: keys.reversed())[0].sampleSlots == entries[0].sampleSlots)
        #expect(entries[0].valueHashes.sorted() == [0, 1, 2, 3, 4])
    }

    @Test("sample slots are encoded as exactly ten strings, an empty slot as the byte 0xFF")
    func sampleSlotEncoding() throws {
        var encoder = RowBinaryEncoder()
        IngestRow.encodeSampleSlots(["a", nil, "é"], into: &encoder)
        var decoder = RowBinaryDecoder(Array(encoder.buffer.readableBytesView))
        let slots = try decoder.array { (decoder: inout RowBinaryDecoder) throws(StoreError) in Array(try decoder.bytesValue()) }
        #expect(slots == [Array("a".utf8), [0xFF], Array("é".utf8)] + Array(repeating: [0xFF], count: 7))
        #expect(decoder.isAtEnd)
    }

    @Test("read samples drop empty slots, and are distinct and sorted by UTF-8 bytes")
    func decodeSamples() throws {
        var encoder = RowBinaryEncoder()
        IngestRow.encodeSampleSlots(["b", nil, "é", "a", "b", "Z", nil, "\u{FFFD}", "ab", nil], into: &encoder)
        encoder.stringArray([])
        var decoder = RowBinaryDecoder(Array(encoder.buffer.readableBytesView))
        #expect(try ClickHouseMetadataReader.decodeSamples(&decoder, cardinality: 3) == ["Z", "a", "ab", "b", "é", "\u{FFFD}"])
        #expect(decoder.isAtEnd)
        #expect(SampleSlots.texts(["b", nil, "é", "a", "b", "Z", nil, "\u{FFFD}", "ab", nil]) == ["Z", "a", "ab", "b", "é", "\u{FFFD}"])
    }

    @Test("read samples come from the small set when cardinality is at most ten and the set is not empty")
    func decodeSmallSamples() throws {
        func decode(slots: [String?], small: [String], cardinality: UInt64) throws -> [String] {
            var encoder = RowBinaryEncoder()
            IngestRow.encodeSampleSlots(slots, into: &encoder)
            encoder.stringArray(small)
            var decoder = RowBinaryDecoder(Array(encoder.buffer.readableBytesView))
            let samples = try ClickHouseMetadataReader.decodeSamples(&decoder, cardinality: cardinality)
            #expect(decoder.isAtEnd)
            return samples
        }
        #expect(try decode(slots: ["b"], small: ["c", "a", "b"], cardinality: 3) == ["a", "b", "c"])
        #expect(try decode(slots: ["b"], small: ["c", "a", "b"], cardinality: 11) == ["b"])
        #expect(try decode(slots: ["b"], small: [], cardinality: 3) == ["b"])
    }

    @Test("catalog small sets are the union of the keys' small sets, empty past ten texts or after an overflow")
    func smallValues() {
        func key(_ name: String, _ small: [String], hashes: [UInt64] = [1]) -> KeyAggregate {
            KeyAggregate(
                signal: .log, name: name, service: "s", scope: .attribute, key: "k", day: 1, firstSeen: 1, lastSeen: 1,
                count: 1, valueHashes: hashes, smallValues: small)
        }
        let union = CatalogEntry.entries(from: [key("a", ["x", "y"]), key("b", ["y", "z"]), key("c", [], hashes: [])])
        #expect(union[0].smallValues.sorted() == ["x", "y", "z"])
        let tenEach = (0..<2).map { half in key("n\(half)", (0..<6).map { "v\(half * 5 + $0)" }) }  // 11 distinct texts
        #expect(CatalogEntry.entries(from: tenEach)[0].smallValues.isEmpty)
        #expect(CatalogEntry.entries(from: [key("a", ["x"]), key("b", [])])[0].smallValues.isEmpty)
        #expect(CatalogEntry.entries(from: [key("b", []), key("a", ["x"])])[0].smallValues.isEmpty)
    }

    @Test("a batch over the row limit is refused before sending")
    func batchTooLarge() {
        let progress = (0..<(MetadataWriter.maxRowsPerInsert + 1)).map { PartitionProgress(topic: "t", partition: Int32($0 % 1000), lastOffset: 1) }
        #expect(throws: StoreError.self) { try MetadataWriter.encode(MetadataBatch(progress: progress)) }
    }
    @Test("encoding one batch twice gives the same bytes (a replicated table deduplicates a resent batch only then)")
    func encodingIsDeterministic() throws {
        // Two names share a catalog key, so the catalog row is a union of value hashes that must be deduplicated.
        let keys = (0..<2).map { index in
            KeyAggregate(
                signal: .metric, name: "n\(index)", service: "s", scope: .attribute, key: "k", day: 1, firstSeen: 1, lastSeen: 1,
                count: 1, valueHashes: (0..<200).map { UInt64($0 * 7919 + index * 100) })
        }
        let batch = MetadataBatch(keys: keys, progress: [PartitionProgress(topic: "t", partition: 0, lastOffset: 9)])
        let fence = WriteFence(serverSeconds: 1_000)
        let first = try MetadataWriter.encode(batch, fence: fence).body
        for _ in 0..<5 {
            #expect(try MetadataWriter.encode(batch, fence: fence).body == first)
        }
    }
}
