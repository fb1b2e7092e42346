/// A `{name, value}` pair of the Prometheus TSDB status lists.
package struct NamedValue: Sendable, Hashable {
    package var name: String
    package var value: UInt64

    package init(name: String, value: UInt64) {
        self.name = name
        self.value = value
    }
}
