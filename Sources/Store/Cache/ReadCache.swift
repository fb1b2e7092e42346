import Synchronization

/// An in-memory cache of read results keyed by a string, for the API's read path.
///
/// A value is *fresh* for ``Configuration/ttl`` after it was loaded — or for ``Configuration/loadCostFactor`` times as
/// long as its load took, when that is longer, so an expensive read is not repeated back to back — and is returned
/// without touching storage. For as long again it is *stale*: it is still returned at once while one background load
/// replaces it ("stale-while-revalidate"), so a busy key never waits. Older than that (or than
/// ``Configuration/maxStale``), the caller waits for a new load: a client that asks rarely always gets a fresh answer.
/// Concurrent callers that miss on the same key share one load. Failed loads are never cached. The cache holds at most
/// ``Configuration/maxEntries`` values and evicts the least recently used ones beyond that. ``invalidateAll()`` forgets
/// everything, including loads that are still running, so nothing loaded before the call is returned after it.
package final class ReadCache<Value: Sendable>: Sendable {
    /// How long values live and how many are kept.
    package struct Configuration: Sendable, Equatable {
        /// How long a value is returned without a new load. Zero disables the cache (every call loads).
        package var ttl: Duration
        /// The oldest a value may be and still be returned (while a refresh runs), however expensive its load.
        package var maxStale: Duration
        /// The most values kept.
        package var maxEntries: Int
        /// A value stays fresh for at least this many times its load's duration (0: for exactly `ttl`).
        package var loadCostFactor: Int
        /// How long past its freshness a value is still served while it is refreshed (`nil`: as long as it was fresh).
        package var staleFor: Duration?

        package init(ttl: Duration, maxStale: Duration? = nil, maxEntries: Int = 4096, loadCostFactor: Int = 10, staleFor: Duration? = nil) {
            self.ttl = ttl
            self.staleFor = staleFor
            self.maxStale = maxStale ?? .seconds(60)
            self.maxEntries = max(1, maxEntries)
            self.loadCostFactor = max(0, loadCostFactor)
        }

        /// Every call loads.
        package static var disabled: Configuration { Configuration(ttl: .zero, maxStale: .zero) }
    }

    private struct Entry {
        var value: Value
        var loadedAt: ContinuousClock.Instant
        var freshFor: Duration
        var lastUsed: ContinuousClock.Instant
        var refreshing: Bool
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var loading: [String: Task<Value, any Error>] = [:]
        /// Raised by ``invalidateAll()``; a load started under an older generation does not store its result.
        var generation: UInt64 = 0
        var loads: UInt64 = 0
    }

    private enum Step {
        case value(Value)
        case refresh(Value, generation: UInt64)
        case wait(Task<Value, any Error>, store: Bool, generation: UInt64)
    }

    package let configuration: Configuration
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    package init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// How many loads ran so far (for tests and statistics).
    package var loadCount: UInt64 { state.withLock { $0.loads } }

    /// How many values are held.
    package var count: Int { state.withLock { $0.entries.count } }

    /// The value for `key`: cached when fresh (or stale but refreshing), otherwise loaded with `load`.
    package func value(for key: String, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        guard configuration.ttl > .zero else {
            state.withLock { $0.loads += 1 }
            return try await load()
        }
        let now = clock.now
        let step = state.withLock { state -> Step in
            if var entry = state.entries[key] {
                let age = now - entry.loadedAt
                let usable = min(entry.freshFor + (configuration.staleFor ?? entry.freshFor), configuration.maxStale)
                if age < entry.freshFor || (age < usable && entry.refreshing) {
                    entry.lastUsed = now
                    state.entries[key] = entry
                    return .value(entry.value)
                }
                if age < usable {
                    entry.refreshing = true
                    entry.lastUsed = now
                    state.entries[key] = entry
                    state.loads += 1
                    return .refresh(entry.value, generation: state.generation)
                }
            }
            if let running = state.loading[key] { return .wait(running, store: false, generation: state.generation) }
            let task = Task { try await load() }
            state.loading[key] = task
            state.loads += 1
            return .wait(task, store: true, generation: state.generation)
        }
        switch step {
        case .value(let value):
            return value
        case .refresh(let value, let generation):
            Task { await self.refresh(key, generation: generation, load: load) }
            return value
        case .wait(let task, let store, let generation):
            let started = clock.now
            do {
                let value = try await task.value
                if store { self.store(value, for: key, generation: generation, loadTime: clock.now - started) }
                return value
            } catch {
                if store { state.withLock { if $0.generation == generation { $0.loading[key] = nil } } }
                throw error
            }
        }
    }

    /// Forgets every value and every running load.
    package func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
            state.loading.removeAll()
        }
    }

    private func refresh(_ key: String, generation: UInt64, load: @Sendable () async throws -> Value) async {
        let started = clock.now
        do {
            let value = try await load()
            store(value, for: key, generation: generation, loadTime: clock.now - started)
        } catch {
            // Keep serving the stale value until it is too old; the next caller after that waits for a new load.
            state.withLock { state in
                if state.generation == generation { state.entries[key]?.refreshing = false }
            }
        }
    }

    private func store(_ value: Value, for key: String, generation: UInt64, loadTime: Duration) {
        let now = clock.now
        let freshFor = min(max(configuration.ttl, loadTime * configuration.loadCostFactor), configuration.maxStale / 2)
        state.withLock { state in
            guard state.generation == generation else { return }
            state.loading[key] = nil
            state.entries[key] = Entry(value: value, loadedAt: now, freshFor: freshFor, lastUsed: now, refreshing: false)
            if state.entries.count > configuration.maxEntries { Self.evict(&state, keeping: configuration.maxEntries) }
        }
    }

    /// Drops the least recently used entries down to 90 % of `limit` (so eviction runs rarely, not on every store).
    private static func evict(_ state: inout State, keeping limit: Int) {
        let target = max(1, limit * 9 / 10)
        let victims = state.entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(state.entries.count - target)
        for (key, _) in victims { state.entries[key] = nil }
    }
}
