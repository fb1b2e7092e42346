import Consumer
import Store
import Testing

/// Value samples are hash-bucket minima (``SampleSlots``): they must be a function of the set of records, whatever
/// windows the records were cut into.
@Suite("Value samples as hash-bucket minima")
struct SampleSlotTests {
    typealias V = TestOTLP.Value
    typealias Record = (payload: [UInt8], signal: Signal, timestamp: EpochSeconds)

    /// What ClickHouse groups key rows by.
    struct KeyIdentity: Hashable {
        var signal: Signal
        var name: String
        var service: String
        var scope: KeyScope
        var eventName: String
        var key: String
        var day: UInt16

        init(_ k: KeyAggregate) {
            (signal, name, service, scope, eventName, key, day) = (k.signal, k.name, k.service, k.scope, k.eventName, k.key, k.day)
        }
    }

    /// Ingests `records` in consecutive windows of the given sizes; returns each window's drained key aggregates.
    static func drainedKeys(_ records: [Record], windows sizes: [Int]) throws -> [[KeyAggregate]] {
        var result: [[KeyAggregate]] = []
        var next = 0
        for size in sizes {
            var window = MetadataWindow()
            for record in records[next..<(next + size)] {
                try window.ingest(record.payload, signal: record.signal, timestamp: record.timestamp)
            }
            next += size
            result.append(window.drain().keys)
        }
        return result
    }

    /// Ingests `records` in windows of the given sizes and merges every window's slots per key, as `minForEach` does.
    static func mergedSlots(_ records: [Record], windows sizes: [Int]) throws -> [KeyIdentity: [String?]] {
        #expect(sizes.reduce(0, +) == records.count)
        var merged: [KeyIdentity: [String?]] = [:]
        for keys in try drainedKeys(records, windows: sizes) {
            for key in keys {
                #expect(key.sampleSlots.count == KeyAggregate.maxSamples)
                SampleSlots.merge(key.sampleSlots, into: &merged[KeyIdentity(key), default: SampleSlots.empty])
            }
        }
        return merged
    }

    /// Random window sizes covering `count` records.
    static func randomSplit(_ count: Int, using rng: inout MetadataWindowFuzzTests.Xorshift) -> [Int] {
        var sizes: [Int] = []
        var left = count
        while left > 0 {
            let size = Int.random(in: 1...min(left, 12), using: &rng)
            sizes.append(size)
            left -= size
        }
        return sizes
    }

    /// A gauge request whose one data point per entry carries attribute `raw` with these raw string bytes (not UTF-8-checked).
    static func rawStringRequest(_ values: [[UInt8]]) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { w in
            TestOTLP.resource([("service.name", .string("raw"))], into: &w)
            w.message(2) { w in
                w.message(2) { w in
                    w.string(1, "raw.metric")
                    w.message(5) { w in
                        for value in values {
                            w.message(1) { w in
                                w.message(7) { w in
                                    w.string(1, "raw")
                                    w.message(2) { w in w.bytes(1, value) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return w.bytes
    }

    /// The text (truncated like a sample) and hash of a value, through the analyzer's own ValueText.
    static func describe(_ value: V, maxScalars: Int = 256) throws -> (text: String, hash: UInt64) {
        let (text, hash) = try ValueTextTests().describe(value)
        return (String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxScalars))), hash)
    }

    static let doubles: [Double] = [0, -0.0, 0.25, 1e16, 1e-9, .infinity, -.infinity, .nan, Double(nan: 0x1234, signaling: false), 200, -3.5]
    static let strings = [
        "", "a", "Z", "é", "🙂", "GET", "POST", "user-1", "user-10", "user-2", String(repeating: "x", count: 300) + "tail-a",
        String(repeating: "x", count: 300) + "tail-b", "ü", "\u{FFFD}", "z\u{0}",
    ]

    /// A varied value: every kind, with collisions in text between kinds and long strings that truncate alike.
    static func value(_ n: Int) -> V {
        switch n % 9 {
        case 0: .string(strings[n % strings.count])
        case 1: .int(Int64(n % 37) - 10)
        case 2: .double(doubles[n % doubles.count])
        case 3: .bool(n % 2 == 0)
        case 4: .bytes([UInt8(n % 7), 0xFF, UInt8(n % 3)])
        case 5: .array([.string("a\(n % 5)"), .int(Int64(n % 4)), .double(0.5)])
        case 6: .kvlist([("k\(n % 3)", .int(Int64(n % 6))), ("b", .bool(n % 4 == 0))])
        case 7: .empty
        default: .string("v-\(n * 7919 % 1000)")
        }
    }

    /// 90 records of all three signals, with resource and item attributes of every kind; and the values each key saw.
    static func records() -> (records: [Record], values: [String: [V]]) {
        var records: [Record] = []
        var values: [String: [V]] = [:]
        for r in 0..<90 {
            let timestamp = EpochSeconds(1_767_225_600 + r * 7)
            let host = V.string("host-\(r % 7)")
            let pid = V.int(Int64(r % 13))
            values["host.name", default: []].append(host)
            values["process.pid", default: []].append(pid)
            switch r % 3 {
            case 0:
                let request = TestOTLP.sumRequest(
                    resources: [[("service.name", .string("svc")), ("host.name", host), ("process.pid", pid)]],
                    points: 3
                ) { _, p in
                    let v = value(r * 3 + p)
                    values["mixed", default: []].append(v)
                    let user = V.string("user-\((r * 31 + p * 17) % 400)")
                    values["user.id", default: []].append(user)
                    return [("mixed", v), ("user.id", user)]
                }
                records.append((request, .metric, timestamp))
            case 1:
                let logs = TestOTLP.logsRequest(
                    service: "svc",
                    records: (0..<2).map { i in
                        let v = value(r * 5 + i)
                        values["log.mixed", default: []].append(v)
                        return ("INFO", .string("line \(r)"), [("log.mixed", v)])
                    })
                records.append((logs, .log, timestamp))
            default:
                let request = TestOTLP.sumRequest(
                    name: "other", resources: [[("service.name", .string("svc")), ("host.name", host), ("process.pid", pid)]],
                    points: 2
                ) { _, p in
                    let v = V.double(doubles[(r + p) % doubles.count])
                    values["ratio", default: []].append(v)
                    return [("ratio", v)]
                }
                records.append((request, .metric, timestamp))
            }
        }
        return (records, values)
    }

    @Test("the same records cut into windows in different ways merge to identical slots")
    func windowSplits() throws {
        let (records, values) = Self.records()
        let whole = try Self.mergedSlots(records, windows: [records.count])
        #expect(try Self.mergedSlots(records, windows: Array(repeating: 1, count: records.count)) == whole)
        var rng = MetadataWindowFuzzTests.Xorshift(state: 0x5EED)
        for _ in 0..<8 {
            #expect(try Self.mergedSlots(records, windows: Self.randomSplit(records.count, using: &rng)) == whole)
        }
        var shuffled = records
        shuffled.shuffle(using: &rng)
        #expect(try Self.mergedSlots(shuffled, windows: Self.randomSplit(records.count, using: &rng)) == whole)

        // And they are what the rule says: per bucket of the value hash, the smallest (truncated) text.
        for (key, keyValues) in values {
            let expected = SampleSlots.slots(try keyValues.map { try Self.describe($0) })
            let found = whole.filter { $0.key.key == key }
            #expect(!found.isEmpty, "key \(key)")
            var union = SampleSlots.empty
            for slots in found.values { SampleSlots.merge(slots, into: &union) }
            #expect(union == expected, "key \(key)")
        }
    }

    /// Ingests `records` in windows of the given sizes and merges every window's small value sets per key as the store
    /// reads them: the union when it has at most ten texts and no window overflowed (sent an empty set for a key with
    /// values), else `nil`.
    static func mergedSmallValues(_ records: [Record], windows sizes: [Int]) throws -> [KeyIdentity: [String]?] {
        var merged: [KeyIdentity: Set<String>?] = [:]
        for keys in try drainedKeys(records, windows: sizes) {
            for key in keys {
                #expect(key.smallValues.count <= KeyAggregate.maxSamples)
                #expect(Set(key.smallValues).count == key.smallValues.count)
                let identity = KeyIdentity(key)
                let current = merged[identity] ?? Set<String>()
                guard let current, !(key.smallValues.isEmpty && !key.valueHashes.isEmpty) else {
                    merged[identity] = .some(nil)
                    continue
                }
                let union = current.union(key.smallValues)
                merged[identity] = union.count <= KeyAggregate.maxSamples ? union : nil
            }
        }
        return merged.mapValues { $0.map { $0.sorted(by: SampleSlots.precedes) } }
    }

    @Test("small value sets hold every distinct text of a key with at most ten, whatever the window split")
    func smallValueSplits() throws {
        let (records, values) = Self.records()
        let whole = try Self.mergedSmallValues(records, windows: [records.count])
        #expect(try Self.mergedSmallValues(records, windows: Array(repeating: 1, count: records.count)) == whole)
        var rng = MetadataWindowFuzzTests.Xorshift(state: 0x5A11)
        for _ in 0..<8 {
            #expect(try Self.mergedSmallValues(records, windows: Self.randomSplit(records.count, using: &rng)) == whole)
        }
        for (key, keyValues) in values {
            let texts = Set(try keyValues.map { try Self.describe($0).text })
            let expected: [String]? = texts.count <= KeyAggregate.maxSamples ? texts.sorted(by: SampleSlots.precedes) : nil
            let found = whole.filter { $0.key.key == key }
            #expect(!found.isEmpty, "key \(key)")
            for small in found.values where texts.count <= KeyAggregate.maxSamples {
                // One (name, service) identity can see a subset of the key's values; it must be exact for that subset.
                #expect(small != nil && Set(small ?? []).isSubset(of: texts), "key \(key)")
            }
            if found.count == 1 { #expect(found.first?.value == expected, "key \(key)") }
        }
        #expect(whole.contains { $0.key.key == "host.name" && $0.value?.count == 7 })
        #expect(whole.contains { $0.key.key == "process.pid" && $0.value == nil })
    }

    @Test("a key with few values shows all of them although their sample slots collide; the eleventh distinct text overflows")
    func smallValues() throws {
        let states = ["idle", "user", "system", "nice", "iowait", "irq", "softirq", "steal"]
        #expect(SampleSlots.texts(SampleSlots.slots(states.map { ($0, ValueHash.hash($0)) })).count < states.count)
        func drain(_ values: [String]) throws -> KeyAggregate {
            var window = MetadataWindow()
            let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: values.count * 2) { _, p in
                [("state", .string(values[p % values.count]))]
            }
            try window.ingest(request, signal: .metric)
            return try #require(window.drain().keys.first { $0.key == "state" })
        }
        #expect(try drain(states).smallValues.sorted() == states.sorted())
        #expect(try drain(["a", "b"]).smallValues.sorted() == ["a", "b"])
        let ten = (0..<10).map { "v\($0)" }
        #expect(try drain(ten).smallValues.sorted() == ten.sorted())
        #expect(try drain(ten + ["v10"]).smallValues.isEmpty)
        #expect(try drain(ten + ["v10", "v11", "v12"]).valueHashes.count == 13)
        // Different values with one text (an int and a string, or long strings truncated alike) count once.
        var window = MetadataWindow()
        let long = String(repeating: "x", count: 300)
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: 12) { _, p in
            [("mixed", p < 10 ? .string(long + "\(p)") : p == 10 ? .int(7) : .string("7"))]
        }
        try window.ingest(request, signal: .metric)
        let mixed = try #require(window.drain().keys.first { $0.key == "mixed" })
        #expect(mixed.valueHashes.count == 12)
        #expect(mixed.smallValues.sorted() == ["7", String(repeating: "x", count: 256)])
    }

    @Test("invalid UTF-8 competes by its repaired text, whatever the window split")
    func invalidUTF8() throws {
        // "a" + 0xF5 repairs to "a\u{FFFD}" (61 EF BF BD), which sorts before "a\u{10000}" (61 F0 90 80 80) although its raw bytes
        // (61 F5) sort after. Find a pair that shares a bucket.
        func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { ValueHash.hash($0, tag: .string) } }
        var pair: (invalid: [UInt8], valid: [UInt8])?
        search: for i in 0..<50 {
            for j in 0..<50 {
                let invalid = [0x61, 0xF5] + Array("\(i)".utf8)
                let valid = Array("a\u{10000}\(j)".utf8)
                if SampleSlots.slot(ofHash: hash(invalid)) == SampleSlots.slot(ofHash: hash(valid)) {
                    pair = (invalid, valid)
                    break search
                }
            }
        }
        let (invalid, valid) = try #require(pair)
        let slot = SampleSlots.slot(ofHash: hash(invalid))
        let repaired = String(decoding: invalid, as: UTF8.self)
        #expect(SampleSlots.precedes(repaired, String(decoding: valid, as: UTF8.self)))
        let records: [Record] = [
            (Self.rawStringRequest([valid]), .metric, 1_767_225_600), (Self.rawStringRequest([invalid]), .metric, 1_767_225_600),
        ]
        for order in [records, records.reversed()] {
            for sizes in [[2], [1, 1]] {
                let merged = try Self.mergedSlots(order, windows: sizes)
                #expect(merged.first { $0.key.key == "raw" }?.value[slot] == repaired, "sizes \(sizes)")
            }
        }
    }

    @Test("samples spread over the values: 1000 distinct values give 10 samples, not the 10 smallest")
    func spread() throws {
        let texts = (0..<1000).map { "order-\(String(1000 + $0).dropFirst())" }
        var rng = MetadataWindowFuzzTests.Xorshift(state: 42)
        var window = MetadataWindow()
        for chunk in stride(from: 0, to: texts.count, by: 50) {
            let values = Array(texts[chunk..<(chunk + 50)]).shuffled(using: &rng)
            let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: values.count) { _, p in
                [("order.id", .string(values[p]))]
            }
            try window.ingest(request, signal: .metric)
        }
        let key = try #require(window.drain().keys.first { $0.key == "order.id" })
        let samples = SampleSlots.texts(key.sampleSlots)
        #expect(samples.count == KeyAggregate.maxSamples)
        #expect(samples != Array(texts.prefix(KeyAggregate.maxSamples)))
        #expect(Set(samples).isSubset(of: texts))
        // One per bucket: every slot holds the smallest value of its bucket.
        for (slot, text) in key.sampleSlots.enumerated() {
            let bucket = texts.filter { SampleSlots.slot(ofHash: ValueHash.hash($0)) == slot }
            #expect(text == bucket.min(by: SampleSlots.precedes), "slot \(slot)")
        }
        #expect(key.sampleSlots == SampleSlots.slots(texts.reversed().map { ($0, ValueHash.hash($0)) }))
    }

    /// The same constants pin the Python ports in scripts/gen-fixtures.py and Tests/e2e/expect.py (test_selfcheck.py).
    @Test(
        "value hashes that choose sample buckets are pinned",
        arguments: [
            (V.string(""), 0xD5AF_BA13_36A3_BE4B as UInt64), (.string("GET"), 0x554D_9707_8A6C_98DC), (.string("abcd"), 0xF5DC_BD6D_EE3C_9553),
            (.string("abcdefgh"), 0x8305_1257_1021_2A61), (.string("abcdefghijklm"), 0xB9AA_F6CF_8776_299B),
            (.string("héllo wörld 🙂"), 0x2B82_5FDA_BE97_952E), (.int(7), 0x89E0_7341_903F_C65A), (.int(-1), 0x91C8_9CA5_5BCB_31D6),
            (.bool(true), 0xAB48_9E7B_562D_4953), (.double(0.25), 0xEF31_0B29_948A_988F), (.double(.nan), 0x3393_1731_0C89_02C6),
            (.bytes([0, 1, 0xFE, 0xFF]), 0x07C6_0385_82F9_F3F9), (.empty, 0x95F0_626F_6F0A_4409),
        ])
    func pinnedHashes(value: V, hash: UInt64) throws {
        #expect(try Self.describe(value).hash == hash)
    }

    @Test("UTF-8 validation agrees with String's repair")
    func validation() {
        let cases: [[UInt8]] = [
            [], Array("plain ascii, longer than eight".utf8), Array("é🙂\u{FFFD}\u{10FFFF}".utf8), [0xC3], [0xC0, 0xAF],
            [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0xFF], [0x61, 0x80],
            Array("12345678".utf8) + [0xE2, 0x82], Array("12345678".utf8) + [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x99],
        ]
        for bytes in cases {
            let valid = bytes.withUnsafeBytes { ValueText.isValidUTF8($0) }
            #expect(valid == Array(String(decoding: bytes, as: UTF8.self).utf8).elementsEqual(bytes), "\(bytes)")
        }
    }
}
