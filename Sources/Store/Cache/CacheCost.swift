/// How many bytes a cached read model holds, estimated for the byte bound of ``ReadCache``: the inline size of each
/// value plus the heap storage of its strings and arrays (a string of up to 15 UTF-8 bytes is stored inline; a longer
/// one, and every array, has a heap allocation with a 32-byte header). An estimate, deliberately not below the truth.
package protocol CacheCost {
    var cacheBytes: Int { get }
}

package enum CacheBytes {
    static func of(_ text: String) -> Int { 16 + (text.utf8.count > 15 ? 32 + text.utf8.count : 0) }
    static func of(_ texts: [String]) -> Int { 40 + texts.reduce(0) { $0 + of($1) } }
    static func of<Element: CacheCost>(_ items: [Element]) -> Int { 40 + items.reduce(0) { $0 + $1.cacheBytes } }
    static func of<Scalar: BinaryInteger>(_ items: [Scalar]) -> Int { 40 + items.count * MemoryLayout<Scalar>.stride }
    static func of(_ items: [Double]) -> Int { 40 + items.count * 8 }

    /// The cost of a value held as `any Sendable` (``CachingMetadataReader``'s values); 1 KiB for an unknown type.
    package static func of(any value: any Sendable) -> Int {
        if let value = value as? any CacheCost { return value.cacheBytes }
        if let value = value as? [String] { return of(value) }
        return 1_024
    }
}

extension KeyStats: CacheCost { package var cacheBytes: Int { 48 + CacheBytes.of(key) + CacheBytes.of(samples) } }
extension EventKeyStats: CacheCost { package var cacheBytes: Int { CacheBytes.of(eventName) + CacheBytes.of(keys) } }
extension ServiceCount: CacheCost { package var cacheBytes: Int { 8 + CacheBytes.of(service) } }
extension TemplateStats: CacheCost { package var cacheBytes: Int { 8 + CacheBytes.of(template) + CacheBytes.of(example) } }
extension SeverityCount: CacheCost { package var cacheBytes: Int { 8 + CacheBytes.of(severity) } }

extension MetricSummary: CacheCost {
    package var cacheBytes: Int {
        64 + CacheBytes.of(name) + CacheBytes.of(description) + CacheBytes.of(unit) + CacheBytes.of(explicitBounds) + CacheBytes.of(scales)
            + CacheBytes.of(labelKeys) + CacheBytes.of(resourceKeys) + CacheBytes.of(scopeName) + CacheBytes.of(scopeVersion)
            + CacheBytes.of(services)
    }
}

extension SpanSummary: CacheCost {
    package var cacheBytes: Int {
        128 + CacheBytes.of(name) + CacheBytes.of(attributeKeys) + CacheBytes.of(eventNames) + CacheBytes.of(eventAttributeKeys)
            + CacheBytes.of(linkAttributeKeys) + CacheBytes.of(resourceKeys) + CacheBytes.of(scopeName) + CacheBytes.of(scopeVersion)
            + CacheBytes.of(services)
    }
}

extension LogSummary: CacheCost {
    package var cacheBytes: Int {
        64 + CacheBytes.of(severity) + CacheBytes.of(attributeKeys) + CacheBytes.of(resourceKeys) + CacheBytes.of(bodyTemplates)
            + CacheBytes.of(eventNames) + CacheBytes.of(scopeName) + CacheBytes.of(scopeVersion) + CacheBytes.of(services)
    }
}

extension AttributeSummary: CacheCost {
    package var cacheBytes: Int { 48 + CacheBytes.of(key) + CacheBytes.of(samples) + 40 + signals.count }
}

extension HighCardinalityKey: CacheCost { package var cacheBytes: Int { 16 + CacheBytes.of(signalName) + stats.cacheBytes } }
extension SignalComplexity: CacheCost { package var cacheBytes: Int { 64 + CacheBytes.of(signalName) } }
extension PatternService: CacheCost {
    package var cacheBytes: Int { 8 + CacheBytes.of(severity) + CacheBytes.of(service) + CacheBytes.of(resourceKeys) + CacheBytes.of(attributeKeys) }
}
extension LogPattern: CacheCost {
    package var cacheBytes: Int { CacheBytes.of(template) + CacheBytes.of(example) + CacheBytes.of(severityCounts) + CacheBytes.of(services) }
}
extension ServiceSeverityCount: CacheCost { package var cacheBytes: Int { 8 + CacheBytes.of(service) + CacheBytes.of(severity) } }

extension Page: CacheCost where Item: CacheCost { package var cacheBytes: Int { 8 + CacheBytes.of(items) } }
extension Array: CacheCost where Element: CacheCost { package var cacheBytes: Int { CacheBytes.of(self) } }
extension Optional: CacheCost where Wrapped: CacheCost { package var cacheBytes: Int { self?.cacheBytes ?? 8 } }
extension ServiceLogSummary: CacheCost {
    package var cacheBytes: Int {
        8 + CacheBytes.of(service) + CacheBytes.of(severity) + CacheBytes.of(bodyTemplates) + CacheBytes.of(attributeKeys)
            + CacheBytes.of(resourceKeys)
    }
}
