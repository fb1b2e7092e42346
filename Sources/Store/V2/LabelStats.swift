/// One key of a name in a time range (`/api/v2/{signal}/{name}/labels|attributes`).
package struct LabelStats: Sendable, Hashable {
    package var scope: KeyScope
    /// The span event's name for ``KeyScope/event`` keys, else empty.
    package var eventName: String
    package var key: String
    /// Items carrying the key.
    package var count: UInt64
    /// `uniqCombined` estimate of distinct values (exact for small sets).
    package var estimatedCardinality: UInt64
    /// Up to 10 distinct value texts, sorted by UTF-8 bytes (as ``KeyStats/samples``).
    package var samples: [String]
    /// At most ``maxTopValues`` values, most frequent first (ties by value): the heavy hitters the analyzer kept (values
    /// with at least 1 % of the key's items in a window that repeat or belong to a key with at most 10 distinct values
    /// in that window), so counts are exact for low-cardinality keys and lower bounds otherwise.
    package var topValues: [ValueFrequency]

    package static let maxTopValues = 10

    package init(
        scope: KeyScope, eventName: String = "", key: String, count: UInt64, estimatedCardinality: UInt64, samples: [String] = [],
        topValues: [ValueFrequency] = []
    ) {
        self.scope = scope
        self.eventName = eventName
        self.key = key
        self.count = count
        self.estimatedCardinality = estimatedCardinality
        self.samples = samples
        self.topValues = topValues
    }
}
