/// One span name with what span-name patterns need: its kind, span count and services (all merged over days).
package struct SpanNameUsage: Sendable, Hashable {
    package var name: String
    package var kind: UInt8
    /// Spans.
    package var count: UInt64
    /// Services that sent the name, sorted.
    package var services: [String]

    package init(name: String, kind: UInt8, count: UInt64, services: [String]) {
        self.name = name
        self.kind = kind
        self.count = count
        self.services = services
    }
}
