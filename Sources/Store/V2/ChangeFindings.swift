/// The findings of one changes report before it is ranked: named items as ``Change`` values, and keys — which can be
/// every key of the store (a report against an empty baseline) — as rows whose strings stay in the response bytes they
/// were read from. Ranking a report of 100,000 keys then neither makes 100,000 `String`s nor copies, retains and frees
/// them; only the keys of the requested page become ``Change`` values (``change(at:)``).
package struct ChangeFindings: Sendable {
    /// One key that changed: its strings are ranges of ``ChangeFindings/bytes``.
    package struct KeyRow: Sendable {
        package var signal: Signal
        package var scope: KeyScope
        package var name: Range<Int>
        /// Empty when the key is not a span event's.
        package var event: Range<Int>
        package var key: Range<Int>
        package var finding: ChangeDetector.Finding

        package init(signal: Signal, scope: KeyScope, name: Range<Int>, event: Range<Int>, key: Range<Int>, finding: ChangeDetector.Finding) {
            self.signal = signal
            self.scope = scope
            self.name = name
            self.event = event
            self.key = key
            self.finding = finding
        }
    }

    /// Metric and span names, services and log templates that changed (and keys given as values, in tests).
    package var changes: [Change] = []
    /// Keys that changed, read in place.
    package private(set) var keys: [KeyRow] = []
    /// The response the ``keys``' ranges point into.
    package private(set) var bytes: [UInt8] = []

    package init(changes: [Change] = []) {
        self.changes = changes
    }

    /// Adds the keys read from `bytes` (one response: keys of several responses cannot be mixed).
    package mutating func setKeys(_ keys: [KeyRow], in bytes: [UInt8]) {
        self.keys = keys
        self.bytes = bytes
    }

    /// Every finding: ``changes`` first, then ``keys``.
    package var count: Int { changes.count + keys.count }

    package func severity(at index: Int) -> ChangeSeverity {
        index < changes.count ? changes[index].severity : keys[index - changes.count].finding.severity
    }

    /// The finding at `index` as a ``Change``.
    package func change(at index: Int) -> Change {
        if index < changes.count { return changes[index] }
        let row = keys[index - changes.count]
        return Change(
            kind: row.finding.kind, item: .key, signal: row.signal, name: text(row.name), scope: row.scope,
            event: row.event.isEmpty ? nil : text(row.event), key: text(row.key), severity: row.finding.severity,
            from: row.finding.from, to: row.finding.to, started: row.finding.started)
    }

    /// (severity, from, to) of the finding at `index`, what ranking looks at first.
    package func figures(at index: Int) -> (severity: ChangeSeverity, from: UInt64, to: UInt64) {
        if index < changes.count {
            let change = changes[index]
            return (change.severity, change.from, change.to)
        }
        let finding = keys[index - changes.count].finding
        return (finding.severity, finding.from, finding.to)
    }

    /// Whether the finding at `a` comes before the one at `b` by identity (item, signal, name, service, scope, event,
    /// key, template, kind), as ``ChangeDetector/precedesByIdentity(_:_:)`` orders ``Change`` values; key rows compare
    /// their bytes in place (UTF-8 byte order, which is code point order).
    package func precedesByIdentity(_ a: Int, _ b: Int) -> Bool {
        guard a >= changes.count, b >= changes.count else {
            if a < changes.count, b < changes.count { return ChangeDetector.precedesByIdentity(changes[a], changes[b]) }
            return ChangeDetector.precedesByIdentity(change(at: a), change(at: b))
        }
        let x = keys[a - changes.count], y = keys[b - changes.count]
        if x.signal != y.signal { return x.signal.rawValue < y.signal.rawValue }
        return bytes.withUnsafeBufferPointer { bytes -> Bool in
            let names = bytes.order(x.name, y.name)
            if names != 0 { return names < 0 }
            if x.scope != y.scope { return x.scope.rawValue < y.scope.rawValue }
            let events = bytes.order(x.event, y.event)
            if events != 0 { return events < 0 }
            let keys = bytes.order(x.key, y.key)
            if keys != 0 { return keys < 0 }
            return x.finding.kind.rawValue < y.finding.kind.rawValue
        }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
