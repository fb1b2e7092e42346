import Consumer
import Store
import Testing

@Suite("MetadataWindow")
struct MetadataWindowTests {
    typealias V = TestOTLP.Value

    func key(_ batch: MetadataBatch, _ key: String, scope: KeyScope = .attribute, name: String? = nil) -> KeyAggregate? {
        batch.keys.first { $0.key == key && $0.scope == scope && (name == nil || $0.name == name) }
    }

    /// The samples a reader would show for a key: its distinct non-empty slot texts, sorted.
    func samples(_ key: KeyAggregate?) -> [String]? {
        key.map { SampleSlots.texts($0.sampleSlots) }
    }

    @Test("an empty payload is a valid empty request", arguments: [OTLPEncoding.auto, .proto, .json])
    func emptyPayload(encoding: OTLPEncoding) throws {
        var window = MetadataWindow()
        for signal in Signal.allCases {
            #expect(try window.ingest([], signal: signal, encoding: encoding) == 0)
            #expect(try window.ingest(Array("  {}  ".utf8), signal: signal, encoding: encoding == .proto ? .json : encoding) == 0)
        }
        #expect(window.isEmpty)
        #expect(window.rowCount == 0)
    }

    @Test("resource keys count once per data point (not once per metric)")
    func resourceKeysPerPoint() throws {
        var window = MetadataWindow()
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api")), ("region", .string("eu"))]], points: 10) { _, p in
            [("method", .string(p % 2 == 0 ? "GET" : "POST"))]
        }
        #expect(try window.ingest(request, signal: .metric) == 10)
        let batch = window.drain()
        let signal = try #require(batch.signals.first)
        #expect(signal.count == 10)
        #expect(signal.service == "api")
        #expect(signal.metricType == .sum && signal.flags.contains(.monotonic) && signal.temporality == 2)
        #expect(key(batch, "region", scope: .resource)?.count == 10)
        #expect(key(batch, "service.name", scope: .resource)?.count == 10)
        #expect(key(batch, "method")?.count == 10)
        #expect(key(batch, "method")?.valueHashes.count == 2)
        #expect(samples(key(batch, "method")) == ["GET", "POST"])
        #expect(key(batch, "method")?.sampleSlots == SampleSlots.slots([("GET", ValueHash.hash("GET")), ("POST", ValueHash.hash("POST"))]))
    }

    @Test("every resource contributes its own resource keys to a shared aggregate")
    func everyResource() throws {
        var window = MetadataWindow()
        let request = TestOTLP.sumRequest(
            resources: [
                [("service.name", .string("api")), ("zone", .string("a"))],
                [("service.name", .string("api")), ("rack", .int(7))],
            ], points: 3)
        #expect(try window.ingest(request, signal: .metric) == 6)
        let batch = window.drain()
        #expect(batch.signals.count == 1)
        #expect(key(batch, "zone", scope: .resource)?.count == 3)
        #expect(key(batch, "rack", scope: .resource)?.count == 3)
        #expect(samples(key(batch, "rack", scope: .resource)) == ["7"])
        #expect(key(batch, "rack", scope: .resource)?.sampleSlots == SampleSlots.slots([("7", ValueHash.hash(scalar: 7, tag: .int))]))
        #expect(key(batch, "service.name", scope: .resource)?.count == 6)
    }

    @Test("a key repeated on one item counts once; both values count for cardinality")
    func duplicateKeys() throws {
        var window = MetadataWindow()
        let request = TestOTLP.sumRequest(resources: [[]], points: 4) { _, _ in [("a", .string("x")), ("a", .string("y")), ("b", .int(1))] }
        try window.ingest(request, signal: .metric)
        let batch = window.drain()
        #expect(key(batch, "a")?.count == 4)
        #expect(key(batch, "a")?.valueHashes.count == 2)
        #expect(key(batch, "b")?.count == 4)
        #expect(batch.signals.first?.service == "unknown")
    }

    @Test("keys in a changing order are still attributed correctly")
    func changingOrder() throws {
        var window = MetadataWindow()
        let keys = ["k0", "k1", "k2", "k3"]
        let request = TestOTLP.sumRequest(resources: [[]], points: 40) { _, p in
            (0..<(1 + p % 4)).map { i in (keys[(i + p) % 4], V.int(Int64(i))) }
        }
        try window.ingest(request, signal: .metric)
        let batch = window.drain()
        var expected: [String: UInt64] = [:]
        for p in 0..<40 { for i in 0..<(1 + p % 4) { expected[keys[(i + p) % 4], default: 0] += 1 } }
        for k in keys { #expect(key(batch, k)?.count == expected[k]) }
        #expect(batch.keys.count == 4)
    }

    @Test("invalid UTF-8 is replaced with U+FFFD, and differently broken keys that repair alike are one key")
    func invalidUTF8() throws {
        var w = ProtoWriter()
        w.message(1) { w in
            w.message(2) { w in
                w.message(2) { w in
                    w.bytes(1, [0x6D, 0xC3])  // metric name "m" + truncated sequence
                    w.message(5) { w in
                        for broken in [[0x6B, 0xFF], [0x6B, 0xFE], [0x6B, 0xEF, 0xBF, 0xBD]] as [[UInt8]] {
                            w.message(1) { w in
                                w.message(7) { w in
                                    w.bytes(1, broken)  // key "k\u{FFFD}" three ways
                                    w.message(2) { w in w.bytes(1, [0x76, 0xC0, 0xAF]) }  // value "v" + overlong encoding
                                }
                            }
                        }
                    }
                }
            }
        }
        var window = MetadataWindow()
        #expect(try window.ingest(w.bytes, signal: .metric) == 3)
        let batch = window.drain()
        #expect(batch.signals.map(\.name) == ["m\u{FFFD}"])
        #expect(batch.keys.count == 1)
        let k = try #require(batch.keys.first)
        #expect(k.key == "k\u{FFFD}")
        #expect(k.count == 3)
        #expect(samples(k) == ["v\u{FFFD}\u{FFFD}"])
    }

    @Test("samples are the smallest text of each hash bucket, whatever the order of arrival")
    func samples() throws {
        func window(_ order: [Int]) throws -> MetadataBatch {
            var window = MetadataWindow()
            for i in order {
                let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: 1) { _, _ in
                    [("user.id", .string("user-\(1000 + i)"))]
                }
                try window.ingest(request, signal: .metric, timestamp: EpochSeconds(1_767_225_600 + i))
            }
            return window.drain()
        }
        let forward = try window(Array(0..<200))
        let shuffled = try window(Array(0..<200).shuffled())
        #expect(ComparableBatch(forward) == ComparableBatch(shuffled))
        let k = try #require(key(forward, "user.id"))
        let values = (1000..<1200).map { (text: "user-\($0)", hash: ValueHash.hash("user-\($0)")) }
        #expect(k.sampleSlots == SampleSlots.slots(values))
        #expect(k.sampleSlots.count == KeyAggregate.maxSamples && k.sampleSlots.allSatisfy { $0 != nil })
        #expect(samples(k) != (1000..<1010).map { "user-\($0)" }, "not simply the smallest values")
        #expect(k.valueHashes.count == 200)
        #expect(Set(k.valueHashes) == Set(values.map(\.hash)))
        #expect(k.firstSeen == 1_767_225_600 && k.lastSeen == 1_767_225_799)
    }

    @Test("the demo-style fixtures give the same batch whatever the record order and split")
    func orderIndependence() throws {
        let records: [([UInt8], Signal)] = [
            (try TestOTLP.fixture("metrics.pb"), .metric), (try TestOTLP.fixture("traces.json"), .span),
            (try TestOTLP.fixture("logs.pb"), .log), (try TestOTLP.fixture("logs.json"), .log),
            (try TestOTLP.fixture("metrics.json"), .metric),
        ]
        var a = MetadataWindow()
        var b = MetadataWindow()
        for (i, (bytes, signal)) in records.enumerated() { try a.ingest(bytes, signal: signal, timestamp: EpochSeconds(1_767_225_600 + i * 100)) }
        for (i, (bytes, signal)) in records.enumerated().reversed() {
            try b.ingest(bytes, signal: signal, timestamp: EpochSeconds(1_767_225_600 + i * 100))
        }
        #expect(ComparableBatch(a.drain()) == ComparableBatch(b.drain()))
    }

    @Test("aggregates split by the day of the record timestamp; first and last seen are min and max")
    func days() throws {
        var window = MetadataWindow()
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: 2) { _, _ in [("k", .bool(true))] }
        try window.ingest(request, signal: .metric, timestamp: 86_400 * 20_000 + 50)
        try window.ingest(request, signal: .metric, timestamp: 86_400 * 20_000 + 10)
        try window.ingest(request, signal: .metric, timestamp: 86_400 * 20_001 + 5)
        let batch = window.drain()
        #expect(batch.signals.count == 2)
        let first = try #require(batch.signals.first { $0.day == 20_000 })
        #expect(first.count == 4 && first.firstSeen == 86_400 * 20_000 + 10 && first.lastSeen == 86_400 * 20_000 + 50)
        #expect(batch.keys.filter { $0.key == "k" }.map(\.day).sorted() == [20_000, 20_001])
    }

    @Test("limits bound keys, event names and templates, and count what they drop")
    func limits() throws {
        var window = MetadataWindow(limits: WindowLimits(maxKeysPerAggregate: 3, maxEventNamesPerAggregate: 1, maxTemplatesPerAggregate: 2))
        let metrics = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: 2) { _, _ in
            [("a", .int(1)), ("b", .int(1)), ("c", .int(1)), ("d", .int(1))]
        }
        try window.ingest(metrics, signal: .metric)
        let logs = TestOTLP.logsRequest(records: [
            ("INFO", .string("one 1"), [("event.name", .string("e1"))]), ("INFO", .string("two 2"), [("event.name", .string("e2"))]),
            ("INFO", .string("three 3"), []), ("INFO", .string("one 5"), []),
        ])
        try window.ingest(logs, signal: .log)
        #expect(window.overflow.droppedKeyObservations == 2 + 2)  // d on both points, and service.name (a resource key) for both points
        #expect(window.overflow.droppedEventNames == 1)
        #expect(window.overflow.droppedTemplateObservations == 1)
        let batch = window.drain()
        #expect(window.overflow.isEmpty)
        #expect(batch.keys.filter { $0.signal == .metric }.map(\.key).sorted() == ["a", "b", "c"])
        #expect(batch.signals.first { $0.signal == .log }?.eventNames == ["e1"])
        #expect(batch.templates.map(\.template).sorted() == ["one <NUM>", "two <NUM>"])
        #expect(batch.templates.first { $0.template == "one <NUM>" }?.count == 2)
        #expect(batch.templates.first { $0.template == "one <NUM>" }?.example == "one 1")
    }

    @Test("drain hands over everything and resets; the window keeps working")
    func drainResets() throws {
        var window = MetadataWindow()
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("s"))]], points: 5) { _, p in [("user.id", .int(Int64(p)))] }
        try window.ingest(request, signal: .metric)
        #expect(window.rowCount == 3)  // the metric, its user.id key and its service.name resource key
        let bytes = window.approximateBytes
        #expect(bytes > 0)
        let first = window.drain()
        #expect(first.rowCount == 3)
        #expect(window.isEmpty)
        try window.ingest(request, signal: .metric)
        let second = window.drain()
        #expect(ComparableBatch(first) == ComparableBatch(second))
    }

    @Test("approximate bytes grow with distinct values")
    func bytesGrow() throws {
        var window = MetadataWindow()
        let low = TestOTLP.sumRequest(resources: [[]], points: 100) { _, p in [("k", .int(Int64(p % 2)))] }
        try window.ingest(low, signal: .metric)
        let before = window.approximateBytes
        let high = TestOTLP.sumRequest(resources: [[]], points: 5_000) { _, p in [("k", .int(Int64(p)))] }
        try window.ingest(high, signal: .metric)
        #expect(window.approximateBytes > before + 5_000 * 8)
        #expect(window.drain().keys.first?.valueHashes.count == 5_000)
    }

    @Test("a bad record throws and leaves the window unchanged")
    func unchangedOnError() throws {
        let good = try TestOTLP.fixture("metrics.pb")
        var window = MetadataWindow()
        try window.ingest(good, signal: .metric)
        let rows = window.rowCount
        let bytes = window.approximateBytes
        // A record whose first half is valid and whose last metric is truncated.
        let bad = Array(good.dropLast(3))
        #expect(throws: OTLPDecodeError.self) { try window.ingest(bad, signal: .metric) }
        var badJSON = try TestOTLP.fixture("metrics.json")
        badJSON.removeLast(10)
        #expect(throws: OTLPDecodeError.self) { try window.ingest(badJSON, signal: .metric) }
        #expect(window.rowCount == rows)
        #expect(window.approximateBytes == bytes)
        var reference = MetadataWindow()
        try reference.ingest(good, signal: .metric)
        #expect(ComparableBatch(window.drain()) == ComparableBatch(reference.drain()))
    }

    @Test("log templates come from string bodies, else from message or msg when the body is empty")
    func logTemplates() throws {
        var window = MetadataWindow()
        let logs = TestOTLP.logsRequest(records: [
            ("WARN", .string("disk 91% full"), []),
            ("WARN", nil, [("msg", .string("disk 95% full"))]),
            ("WARN", .empty, [("message", .string("disk 97% full")), ("msg", .string("ignored 1"))]),
            ("WARN", .kvlist([("message", .string("structured 1"))]), [("message", .string("not used 1"))]),
            ("", .string("no severity"), [("event.name", .string("app.start"))]),
        ])
        #expect(try window.ingest(logs, signal: .log) == 5)
        let batch = window.drain()
        #expect(batch.templates.count == 2)
        let disk = try #require(batch.templates.first { $0.template == "disk <NUM>% full" })
        #expect(disk.count == 3 && disk.severity == "WARN" && disk.service == "svc" && disk.example == "disk 91% full")
        #expect(batch.templates.first { $0.severity == "UNSET" }?.template == "no severity")
        #expect(batch.signals.first { $0.name == "UNSET" }?.eventNames == ["app.start"])
        #expect(batch.signals.first { $0.name == "WARN" }?.count == 4)
    }
}
