/// How many keys one signal name carries and how wide they are (`/cardinality/complexity`).
package struct SignalComplexity: Sendable, Hashable {
    package var signal: Signal
    package var signalName: String
    /// Attribute + resource + link keys + every (event name, key) pair, plus histogram buckets
    /// (`bounds + 1`) or exponential-histogram scale buckets (`10 × scales`).
    package var totalKeys: UInt64
    package var attributeKeyCount: UInt64
    package var resourceKeyCount: UInt64
    /// (event name, key) pairs.
    package var eventKeyCount: UInt64
    package var linkKeyCount: UInt64
    /// Highest estimated cardinality over attribute, resource and link keys (event keys are not counted).
    package var maxCardinality: UInt64
    /// Keys (as for ``maxCardinality``) whose estimated cardinality is above ``SignalComplexity/highCardinality``.
    package var highCardinalityCount: UInt64

    /// The reference's fixed "high cardinality" bound of the complexity report.
    package static let highCardinality: UInt64 = 100

    package init(
        signal: Signal, signalName: String, totalKeys: UInt64, attributeKeyCount: UInt64, resourceKeyCount: UInt64, eventKeyCount: UInt64,
        linkKeyCount: UInt64, maxCardinality: UInt64, highCardinalityCount: UInt64
    ) {
        self.signal = signal
        self.signalName = signalName
        self.totalKeys = totalKeys
        self.attributeKeyCount = attributeKeyCount
        self.resourceKeyCount = resourceKeyCount
        self.eventKeyCount = eventKeyCount
        self.linkKeyCount = linkKeyCount
        self.maxCardinality = maxCardinality
        self.highCardinalityCount = highCardinalityCount
    }
}
