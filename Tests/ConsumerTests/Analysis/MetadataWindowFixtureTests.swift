import Consumer
import Foundation
import Store
import Testing

/// The fixtures written by `scripts/gen-fixtures.py` with the official opentelemetry-proto package, against the
/// metadata that script computed independently.
@Suite("MetadataWindow against the opentelemetry-proto fixtures")
struct MetadataWindowFixtureTests {
    struct ExpectedFile: Decodable {
        var timestamp: EpochSeconds
        var metrics: Expected
        var traces: Expected
        var logs: Expected
    }

    struct Expected: Decodable {
        var items: Int
        var signals: [ExpectedSignal]
        var keys: [ExpectedKey]
        var templates: [ExpectedTemplate]
    }

    struct ExpectedSignal: Decodable, Hashable {
        var signal: String
        var name: String
        var service: String
        var count: UInt64
        var metricType: UInt8
        var temporality: UInt8
        var description: String
        var unit: String
        var explicitBounds: [Double]
        var scales: [Int32]
        var spanKind: UInt8
        var statusCodes: [String]
        var eventNames: [String]
        var droppedAttributes: [UInt64]
        var droppedEvents: [UInt64]
        var droppedLinks: [UInt64]
        var severityNumber: UInt8
        var flags: UInt8
        var scopeName: String
        var scopeVersion: String

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            signal = try c.decode(String.self, forKey: .signal)
            name = try c.decode(String.self, forKey: .name)
            service = try c.decode(String.self, forKey: .service)
            count = try c.decode(UInt64.self, forKey: .count)
            metricType = try c.decode(UInt8.self, forKey: .metricType)
            temporality = try c.decode(UInt8.self, forKey: .temporality)
            description = try c.decode(String.self, forKey: .description)
            unit = try c.decode(String.self, forKey: .unit)
            explicitBounds = try c.decode([Double].self, forKey: .explicitBounds)
            scales = try c.decode([Int32].self, forKey: .scales)
            spanKind = try c.decode(UInt8.self, forKey: .spanKind)
            statusCodes = try c.decode([String].self, forKey: .statusCodes)
            eventNames = try c.decode([String].self, forKey: .eventNames)
            droppedAttributes = try c.decode([UInt64].self, forKey: .droppedAttributes)
            droppedEvents = try c.decode([UInt64].self, forKey: .droppedEvents)
            droppedLinks = try c.decode([UInt64].self, forKey: .droppedLinks)
            severityNumber = try c.decode(UInt8.self, forKey: .severityNumber)
            flags = try c.decode(UInt8.self, forKey: .flags)
            scopeName = try c.decode(String.self, forKey: .scopeName)
            scopeVersion = try c.decode(String.self, forKey: .scopeVersion)
        }

        private enum CodingKeys: String, CodingKey {
            case signal, name, service, count, metricType, temporality, description, unit, explicitBounds, scales, spanKind, statusCodes,
                eventNames, droppedAttributes, droppedEvents, droppedLinks, severityNumber, flags, scopeName, scopeVersion
        }

        init(_ a: SignalAggregate) {
            signal = a.signal.apiName
            name = a.name
            service = a.service
            count = a.count
            metricType = a.metricType.rawValue
            temporality = a.temporality
            description = a.description
            unit = a.unit
            explicitBounds = a.explicitBounds.sorted()
            scales = a.scales.sorted()
            spanKind = a.spanKind
            statusCodes = a.statusCodes.apiNames
            eventNames = a.eventNames.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            droppedAttributes = [a.droppedAttributes.total, a.droppedAttributes.itemsWithDropped, UInt64(a.droppedAttributes.max)]
            droppedEvents = [a.droppedEvents.total, a.droppedEvents.itemsWithDropped, UInt64(a.droppedEvents.max)]
            droppedLinks = [a.droppedLinks.total, a.droppedLinks.itemsWithDropped, UInt64(a.droppedLinks.max)]
            severityNumber = a.severityNumber
            flags = a.flags.rawValue
            scopeName = a.scopeName
            scopeVersion = a.scopeVersion
        }
    }

    struct ExpectedKey: Decodable, Hashable {
        var signal: String
        var name: String
        var service: String
        var scope: UInt8
        var eventName: String
        var key: String
        var count: UInt64
        var distinctValues: Int
        var samples: [String]

        init(_ a: KeyAggregate) {
            signal = a.signal.apiName
            name = a.name
            service = a.service
            scope = a.scope.rawValue
            eventName = a.eventName
            key = a.key
            count = a.count
            distinctValues = a.valueHashes.count
            // What a reader shows (ClickHouseMetadataReader.decodeSamples): the small set when the cardinality is at most ten.
            samples =
                a.valueHashes.count <= KeyAggregate.maxSamples && !a.smallValues.isEmpty
                ? a.smallValues.sorted(by: SampleSlots.precedes) : SampleSlots.texts(a.sampleSlots)
        }
    }

    struct ExpectedTemplate: Decodable, Hashable {
        var severity: String
        var service: String
        var template: String
        var count: UInt64
        var example: String

        init(_ a: TemplateAggregate) {
            severity = a.severity
            service = a.service
            template = a.template
            count = a.count
            example = a.example
        }
    }

    static let cases: [(file: String, signal: Signal)] = [
        ("metrics.pb", .metric), ("metrics.json", .metric), ("metrics-snake.json", .metric),
        ("traces.pb", .span), ("traces.json", .span), ("logs.pb", .log), ("logs.json", .log),
    ]

    func expected(for signal: Signal) throws -> (EpochSeconds, Expected) {
        let data = Data(try TestOTLP.fixture("expected.json"))
        let file = try JSONDecoder().decode(ExpectedFile.self, from: data)
        switch signal {
        case .metric: return (file.timestamp, file.metrics)
        case .span: return (file.timestamp, file.traces)
        case .log: return (file.timestamp, file.logs)
        }
    }

    @Test("extracts exactly the metadata the Python reference computed", arguments: cases)
    func matchesReference(file: String, signal: Signal) throws {
        let (timestamp, expected) = try expected(for: signal)
        var window = MetadataWindow()
        let items = try window.ingest(try TestOTLP.fixture(file), signal: signal, timestamp: timestamp)
        #expect(items == expected.items)
        let batch = window.drain()
        #expect(window.isEmpty)

        let signals = batch.signals.map(ExpectedSignal.init)
        #expect(signals.count == expected.signals.count)
        for s in Set(expected.signals).subtracting(signals) { Issue.record("missing or different signal: \(s)") }
        for s in Set(signals).subtracting(expected.signals) { Issue.record("unexpected signal: \(s)") }

        let keys = batch.keys.map(ExpectedKey.init)
        #expect(keys.count == expected.keys.count)
        for k in Set(expected.keys).subtracting(keys) { Issue.record("missing or different key: \(k)") }
        for k in Set(keys).subtracting(expected.keys) { Issue.record("unexpected key: \(k)") }

        let templates = batch.templates.map(ExpectedTemplate.init)
        #expect(templates.count == expected.templates.count)
        for t in Set(expected.templates).subtracting(templates) { Issue.record("missing or different template: \(t)") }
        for t in Set(templates).subtracting(expected.templates) { Issue.record("unexpected template: \(t)") }

        let day = UInt16(timestamp / 86_400)
        #expect(batch.signals.allSatisfy { $0.day == day && $0.firstSeen == timestamp && $0.lastSeen == timestamp })
        #expect(batch.keys.allSatisfy { $0.day == day && $0.firstSeen == timestamp && $0.lastSeen == timestamp })
        #expect(batch.templates.allSatisfy { $0.day == day })
    }

    @Test(
        "protobuf and OTLP/JSON give identical aggregates, hashes and samples",
        arguments: [("metrics", Signal.metric), ("traces", .span), ("logs", .log)])
    func encodingsAgree(name: String, signal: Signal) throws {
        var proto = MetadataWindow()
        var json = MetadataWindow()
        try proto.ingest(try TestOTLP.fixture("\(name).pb"), signal: signal, encoding: .proto)
        try json.ingest(try TestOTLP.fixture("\(name).json"), signal: signal, encoding: .json)
        #expect(ComparableBatch(proto.drain()) == ComparableBatch(json.drain()))
    }

    @Test(
        "OTLP/JSON transcodes to the same protobuf bytes the official encoder wrote",
        arguments: [("metrics", Signal.metric), ("traces", .span), ("logs", .log)])
    func transcodesToOfficialBytes(name: String, signal: Signal) throws {
        let json = try TestOTLP.fixture("\(name).json")
        var writer = ProtoWriter()
        try json.withUnsafeBytes { try OTLPJSONReader.transcode($0, as: .request(for: signal), into: &writer) }
        #expect(writer.bytes == (try TestOTLP.fixture("\(name).pb")))
    }
}
