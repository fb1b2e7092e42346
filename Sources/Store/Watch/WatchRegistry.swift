import Synchronization

/// The deep-watch list as one census process sees it: the keys whose values the ingest collects, and per key the values
/// admitted so far (at most ``maxValues``; observations of other values count as the key's overflow).
///
/// Loaded from ClickHouse (``ClickHouseWatchStore/refresh(_:)``) on a schedule and after every watch change this process
/// makes, so every instance sharing the store collects the same keys. The admitted set starts as the values the store
/// holds and only grows while the key stays watched: a value admitted by a batch that is later abandoned stays admitted
/// (harmless: it is counted when it comes again). Instances admit independently, so a key may hold a few more than
/// ``maxValues`` values when several instances meet new values at the same moment.
package final class WatchRegistry: Sendable {
    /// Distinct values kept per watched key unless configured otherwise.
    package static let defaultMaxValues = 10_000
    /// Most keys watched at once (the reference's default; a further watch is refused with 429).
    package static let maxWatchedKeys = 10

    /// Distinct values kept per watched key.
    package let maxValues: Int

    private struct State {
        var keys: [String] = []
        var admitted: [String: Set<String>] = [:]
        var loaded = false
    }

    private let state = Mutex(State())
    private let changes = Atomic<UInt64>(0)

    /// Raised whenever the list of keys changes: an empty window compares it to reload the list at once.
    package var generation: UInt64 { changes.load(ordering: .acquiring) }

    package init(maxValues: Int = WatchRegistry.defaultMaxValues) {
        self.maxValues = max(1, maxValues)
    }

    /// The keys being collected, sorted.
    package var keys: [String] { state.withLock { $0.keys } }

    /// The keys being collected and the ``generation`` they belong to.
    package var current: (keys: [String], generation: UInt64) { state.withLock { ($0.keys, generation) } }

    /// Whether the list was loaded at least once.
    package var isLoaded: Bool { state.withLock { $0.loaded } }

    /// Whether `key` is being collected.
    package func isWatched(_ key: String) -> Bool {
        state.withLock { $0.admitted[key] != nil }
    }

    /// Replaces the list by `keys`; `stored` holds the values the store has for them (added to what was admitted).
    /// - Returns: Whether the list of keys changed.
    @discardableResult
    package func update(keys: [String], stored: [String: [String]]) -> Bool {
        state.withLock { state in
            var admitted: [String: Set<String>] = [:]
            for key in keys {
                var values = state.admitted.removeValue(forKey: key) ?? []
                values.formUnion(stored[key] ?? [])
                admitted[key] = values
            }
            let sorted = keys.sorted()
            let changed = sorted != state.keys
            if changed { changes.add(1, ordering: .releasing) }
            state.keys = sorted
            state.admitted = admitted
            state.loaded = true
            return changed
        }
    }

    /// Whether `value` of `key` is stored one by one: it was admitted before, or there is room for it. `false` for a key
    /// no longer watched.
    package func admit(key: String, value: String) -> Bool {
        state.withLock { state in
            guard let index = state.admitted.index(forKey: key) else { return false }
            if state.admitted.values[index].contains(value) { return true }
            guard state.admitted.values[index].count < maxValues else { return false }
            state.admitted.values[index].insert(value)
            return true
        }
    }
}
