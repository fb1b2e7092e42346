/// The metadata a session covers, merged over its days: every metric, span name and log severity with its item count,
/// series (metrics) and per-service counts, and every attribute and resource key of each with its count and distinct
/// values over the whole range. Built from the store for a range session and from the document for an imported one,
/// so a diff compares the two kinds alike.
package struct SessionSnapshot: Sendable, Hashable {
    /// One metric, span name or log severity.
    package struct Item: Sendable, Hashable {
        package var signal: Signal
        package var name: String
        package var metricType: MetricType
        package var count: UInt64
        /// Distinct series of a metric over the range (0 for spans and logs).
        package var series: UInt64
        /// Item count per service.
        package var services: [String: UInt64]
        /// Attribute keys (``KeyScope/attribute``) and resource keys (``KeyScope/resource``).
        package var keys: [KeyID: Key]

        package init(
            signal: Signal, name: String, metricType: MetricType = .unknown, count: UInt64 = 0, series: UInt64 = 0,
            services: [String: UInt64] = [:], keys: [KeyID: Key] = [:]
        ) {
            self.signal = signal
            self.name = name
            self.metricType = metricType
            self.count = count
            self.series = series
            self.services = services
            self.keys = keys
        }
    }

    /// A key of an item.
    package struct KeyID: Sendable, Hashable, Comparable {
        package var scope: KeyScope
        package var key: String

        package init(scope: KeyScope, key: String) {
            self.scope = scope
            self.key = key
        }

        package static func < (a: Self, b: Self) -> Bool { a.scope != b.scope ? a.scope.rawValue < b.scope.rawValue : a.key < b.key }
    }

    /// What is known of a key.
    package struct Key: Sendable, Hashable {
        package var count: UInt64
        package var cardinality: UInt64
        package var samples: [String]

        package init(count: UInt64, cardinality: UInt64, samples: [String] = []) {
            self.count = count
            self.cardinality = cardinality
            self.samples = samples
        }
    }

    /// An item's identity.
    package struct ItemID: Sendable, Hashable, Comparable {
        package var signal: Signal
        package var name: String

        package init(signal: Signal, name: String) {
            self.signal = signal
            self.name = name
        }

        package static func < (a: Self, b: Self) -> Bool { a.signal != b.signal ? a.signal.rawValue < b.signal.rawValue : a.name < b.name }
    }

    package var items: [ItemID: Item]

    package init(items: [ItemID: Item] = [:]) {
        self.items = items
    }

    /// The items of `signal`, sorted by name.
    package func items(of signal: Signal) -> [Item] {
        items.values.filter { $0.signal == signal }.sorted { $0.name < $1.name }
    }

    /// Every service of every item, sorted.
    package var services: [String] {
        Array(Set(items.values.flatMap(\.services.keys))).sorted()
    }

    /// Distinct keys over every item.
    package var keyCount: Int {
        Set(items.values.flatMap { $0.keys.keys.map(\.key) }).count
    }
}
