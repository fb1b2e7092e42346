import Consumer
import Foundation
import Store

/// Helpers that build OTLP requests with ``ProtoWriter`` and load the fixtures.
enum TestOTLP {
    /// An attribute value.
    indirect enum Value {
        case string(String), int(Int64), double(Double), bool(Bool), bytes([UInt8]), array([Value]), kvlist([(String, Value)]), empty
    }

    static func write(_ value: Value, into w: inout ProtoWriter) {
        switch value {
        case .string(let s): w.string(1, s)
        case .bool(let b): w.bool(2, b)
        case .int(let i): w.int64(3, i)
        case .double(let d): w.double(4, d)
        case .array(let values): w.message(5) { w in for v in values { w.message(1) { w in write(v, into: &w) } } }
        case .kvlist(let pairs): w.message(6) { w in for (k, v) in pairs { keyValue(1, k, v, into: &w) } }
        case .bytes(let b): w.bytes(7, b)
        case .empty: break
        }
    }

    static func keyValue(_ field: UInt32, _ key: String, _ value: Value, into w: inout ProtoWriter) {
        w.message(field) { w in
            w.string(1, key)
            w.message(2) { w in write(value, into: &w) }
        }
    }

    static func attributes(_ field: UInt32, _ pairs: [(String, Value)], into w: inout ProtoWriter) {
        for (k, v) in pairs { keyValue(field, k, v, into: &w) }
    }

    static func resource(_ pairs: [(String, Value)], into w: inout ProtoWriter) {
        w.message(1) { w in attributes(1, pairs, into: &w) }
    }

    /// An `ExportMetricsServiceRequest`: one resource per entry, each with one Sum metric named `name` and
    /// `points` data points whose attributes `attributes(resource, point)` gives.
    static func sumRequest(
        name: String = "requests", resources: [[(String, Value)]], points: Int,
        attributes: (Int, Int) -> [(String, Value)] = { _, _ in [] }
    ) -> [UInt8] {
        var w = ProtoWriter()
        for (r, pairs) in resources.enumerated() {
            w.message(1) { w in
                resource(pairs, into: &w)
                w.message(2) { w in
                    w.message(1) { w in
                        w.string(1, "test.scope")
                        w.string(2, "1.0")
                    }
                    w.message(2) { w in
                        w.string(1, name)
                        w.message(7) { w in
                            for p in 0..<points {
                                w.message(1) { w in
                                    w.fixed64(3, 1_700_000_000_000_000_000)
                                    w.fixed64(6, UInt64(p))
                                    TestOTLP.attributes(7, attributes(r, p), into: &w)
                                }
                            }
                            w.varint(2, 2)
                            w.bool(3, true)
                        }
                    }
                }
            }
        }
        return w.bytes
    }

    /// An `ExportLogsServiceRequest` with one resource and the given (severity text, body, attributes) records.
    static func logsRequest(service: String = "svc", records: [(String, Value?, [(String, Value)])]) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { w in
            resource([("service.name", .string(service))], into: &w)
            w.message(2) { w in
                for (severity, body, pairs) in records {
                    w.message(2) { w in
                        w.string(3, severity)
                        if let body { w.message(5) { w in write(body, into: &w) } }
                        attributes(6, pairs, into: &w)
                    }
                }
            }
        }
        return w.bytes
    }

    /// A fixture file's bytes.
    static func fixture(_ name: String) throws -> [UInt8] {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil, subdirectory: "Fixtures") else {
            throw FixtureMissing(name: name)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    struct FixtureMissing: Error {
        let name: String
    }
}

extension MetadataWindow {
    /// Ingests an array payload.
    @discardableResult
    mutating func ingest(_ payload: [UInt8], signal: Signal, encoding: OTLPEncoding = .auto, timestamp: EpochSeconds = 1_767_229_200)
        throws(OTLPDecodeError) -> Int
    {
        let result = payload.withUnsafeBytes { bytes in
            Result { () throws(OTLPDecodeError) -> Int in try self.ingest(bytes, signal: signal, encoding: encoding, timestamp: timestamp) }
        }
        return try result.get()
    }
}

/// A batch in a form that compares regardless of row order and of the order of each row's hashes (a drained window
/// lists them in table order).
struct ComparableBatch: Equatable {
    let signals: Set<SignalAggregate>
    let keys: Set<KeyAggregate>
    let templates: Set<TemplateAggregate>

    init(_ batch: MetadataBatch) {
        signals = Set(
            batch.signals.map { signal in
                var signal = signal
                signal.seriesHashes.sort()
                return signal
            })
        keys = Set(
            batch.keys.map { key in
                var key = key
                key.valueHashes.sort()
                return key
            })
        templates = Set(batch.templates)
    }
}
