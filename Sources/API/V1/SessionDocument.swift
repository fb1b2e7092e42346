import Foundation
import Store

/// Reads the OTLP Cardinality Checker's session document (`pkg/models/session.go`, what its
/// `GET /api/v1/sessions/{name}/export` writes and `POST /api/v1/sessions/import` reads): the fields census keeps
/// (`id`, `description`, `created`, `signals`, `stats`) and the metadata a diff compares (``SessionSnapshot``).
struct SessionDocument: Sendable {
    var id: String
    var description: String
    /// Seconds since the epoch (0 when `created` is missing or not RFC 3339).
    var created: UInt32
    var signals: [String]
    /// The document's `stats` object as written (re-encoded in the reference's order), or `nil`.
    var stats: Stats?
    var snapshot: SessionSnapshot

    /// The reference's `SessionStats`.
    struct Stats: Sendable, Hashable {
        var metrics = 0
        var spans = 0
        var logs = 0
        var attributes = 0
        var services: [String] = []
    }

    /// Why a body is not a session document.
    struct Invalid: Error {
        var message: String
    }

    init(json bytes: [UInt8]) throws(Invalid) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw Invalid(message: "invalid JSON")
        }
        guard let root = object as? [String: Any] else { throw Invalid(message: "a session is a JSON object") }
        guard let id = root["id"] as? String else { throw Invalid(message: "\"id\" must be a string") }
        self.id = id
        description = root["description"] as? String ?? ""
        created = (root["created"] as? String).flatMap(Self.epochSeconds) ?? 0
        signals = (root["signals"] as? [Any])?.compactMap { $0 as? String } ?? []
        if let stats = root["stats"] as? [String: Any] {
            self.stats = Stats(
                metrics: Self.int(stats["metrics_count"]), spans: Self.int(stats["spans_count"]),
                logs: Self.int(stats["logs_count"]), attributes: Self.int(stats["attributes_count"]),
                services: (stats["services"] as? [Any])?.compactMap { $0 as? String } ?? [])
        }
        var snapshot = SessionSnapshot()
        let data = root["data"] as? [String: Any] ?? [:]
        for (signal, field, nameField) in [(Signal.metric, "metrics", "name"), (.span, "spans", "name"), (.log, "logs", "severity")] {
            for case let entry as [String: Any] in data[field] as? [Any] ?? [] {
                guard let name = entry[nameField] as? String else { continue }
                var item = SessionSnapshot.Item(signal: signal, name: name)
                item.count = Self.uint(entry["sample_count"])
                item.series = Self.uint(entry["active_series"])
                if signal == .metric, let type = entry["type"] as? String {
                    item.metricType = MetricType.allCases.first { $0.apiName == type } ?? .unknown
                }
                for case let (service, count) in entry["services"] as? [String: Any] ?? [:] { item.services[service] = Self.uint(count) }
                let attributeField = signal == .metric ? "label_keys" : "attribute_keys"
                for (scope, keysField) in [(KeyScope.attribute, attributeField), (.resource, "resource_keys")] {
                    for case let (key, value as [String: Any]) in entry[keysField] as? [String: Any] ?? [:] {
                        item.keys[SessionSnapshot.KeyID(scope: scope, key: key)] = SessionSnapshot.Key(
                            count: Self.uint(value["count"]), cardinality: Self.uint(value["estimated_cardinality"]),
                            samples: (value["value_samples"] as? [Any])?.compactMap { $0 as? String } ?? [])
                    }
                }
                snapshot.items[SessionSnapshot.ItemID(signal: signal, name: name)] = item
            }
        }
        self.snapshot = snapshot
    }

    /// A JSON number as a count (negative, fractional or huge values clamped).
    private static func uint(_ value: Any?) -> UInt64 {
        guard let number = value as? NSNumber else { return 0 }
        let double = number.doubleValue
        guard double.isFinite, double > 0 else { return 0 }
        return double >= 1.8e19 ? UInt64.max : UInt64(double)
    }

    private static func int(_ value: Any?) -> Int {
        Int(clamping: min(uint(value), UInt64(Int.max)))
    }

    /// RFC 3339 (with or without fractional seconds) as seconds since the epoch, clamped to `UInt32`.
    static func epochSeconds(_ text: String) -> UInt32? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else { return nil }
        let seconds = date.timeIntervalSince1970
        return seconds <= 0 ? 0 : UInt32(min(seconds, Double(UInt32.max)))
    }
}
