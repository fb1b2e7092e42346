/// The OTLP Cardinality Checker's CI report (`internal/report`) over a ``SessionSnapshot``: every metric (its
/// cardinality is its series), span name and log severity (the largest cardinality of its attribute keys), and every
/// attribute key across signals (the largest cardinality it has on any item), each rated against two thresholds.
package struct CardinalityReport: Sendable, Hashable {
    /// `ok`, `warning` (cardinality at or above the warning threshold), `critical` (at or above the critical one).
    package enum Level: Int, Sendable, Hashable, Comparable {
        case ok = 0, warning = 1, critical = 2

        package var name: String {
            switch self {
            case .ok: "ok"
            case .warning: "warning"
            case .critical: "critical"
            }
        }

        package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// One metric, span name or log severity.
    package struct Entry: Sendable, Hashable {
        package var signal: Signal
        package var name: String
        package var metricType: MetricType
        /// Attribute keys (metric labels), sorted.
        package var keys: [String]
        package var count: UInt64
        package var cardinality: UInt64
        package var level: Level
    }

    /// One attribute key across signals.
    package struct Attribute: Sendable, Hashable {
        package var key: String
        /// `metric`, `span`, `log` (those that carry it), in that order.
        package var signals: [Signal]
        package var cardinality: UInt64
        package var level: Level
    }

    package var warning: UInt64
    package var critical: UInt64
    /// Per signal, highest cardinality first (then by name).
    package var entries: [Entry]
    /// Highest cardinality first (then by key).
    package var attributes: [Attribute]

    /// The reference's defaults: warning at 1,000 distinct values, critical at 10,000.
    package static let defaultWarning: UInt64 = 1_000
    package static let defaultCritical: UInt64 = 10_000

    package init(_ snapshot: SessionSnapshot, warning: UInt64 = defaultWarning, critical: UInt64 = defaultCritical) {
        self.warning = warning
        self.critical = critical
        func level(_ cardinality: UInt64) -> Level { cardinality >= critical ? .critical : cardinality >= warning ? .warning : .ok }
        var entries: [Entry] = []
        var attributes: [String: (signals: Set<Signal>, cardinality: UInt64)] = [:]
        for item in snapshot.items.values {
            let labels = item.keys.filter { $0.key.scope == .attribute }
            let cardinality = item.signal == .metric ? item.series : labels.values.map(\.cardinality).max() ?? 0
            entries.append(
                Entry(
                    signal: item.signal, name: item.name, metricType: item.metricType, keys: labels.keys.map(\.key).sorted(),
                    count: item.count, cardinality: cardinality, level: level(cardinality)))
            for (id, key) in item.keys {
                var attribute = attributes[id.key] ?? ([], 0)
                attribute.signals.insert(item.signal)
                attribute.cardinality = max(attribute.cardinality, key.cardinality)
                attributes[id.key] = attribute
            }
        }
        self.entries = entries.sorted { a, b in
            if a.signal != b.signal { return a.signal.rawValue < b.signal.rawValue }
            return a.cardinality != b.cardinality ? a.cardinality > b.cardinality : a.name < b.name
        }
        self.attributes = attributes.map { key, value in
            Attribute(
                key: key, signals: value.signals.sorted { $0.rawValue < $1.rawValue }, cardinality: value.cardinality,
                level: level(value.cardinality))
        }.sorted { $0.cardinality != $1.cardinality ? $0.cardinality > $1.cardinality : $0.key < $1.key }
    }

    package func entries(of signal: Signal) -> [Entry] { entries.filter { $0.signal == signal } }

    /// Metrics, span names and log severities at `warning` or above (the reference's `high_cardinality_count`).
    package var highCardinalityCount: Int { entries.filter { $0.level >= .warning }.count }

    /// The highest level of any entry or attribute: the exit code (0 ok, 1 warning, 2 critical).
    package var level: Level { (entries.map(\.level) + attributes.map(\.level)).max() ?? .ok }
}
