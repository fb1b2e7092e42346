import Synchronization

/// An in-memory cache of read results keyed by a string, for the API's read path.
///
/// A value is *fresh* for ``Configuration/ttl`` after it was loaded — or for ``Configuration/loadCostFactor`` times as
/// long as its load took, when that is longer, so an expensive read is not repeated back to back — and is returned
/// without touching storage. After that it is *stale*: it is still returned at once while one background load replaces
/// it ("stale-while-revalidate"), so a busy key never waits. A key that nobody asked for during its stale window (as
/// long as it was fresh, or ``Configuration/staleFor``) makes its next caller wait for a new load: a client that asks
/// rarely always gets a fresh answer — while storage keeps up: when ``Configuration/saturatedAt`` loads that callers wait
/// for are already running, such a key is served stale as well (refreshed in the background like a busy one), so that
/// under overload answers grow older instead of every request queueing for storage (which would slow the answers
/// further, make every key "rarely asked" and never recover). No value older than ``Configuration/maxStale`` is ever
/// returned.
///
/// Background refreshes are bounded: at most ``Configuration/maxConcurrentRefreshes`` run at once, so many expiring
/// keys cannot queue more work on storage than it can do (which would slow every answer, fresh or not). A busy stale
/// key that finds no free slot is served stale and refreshed by a later caller; a key whose refresh is running is served
/// stale until the refresh ends; no key is loaded twice at once.
///
/// Concurrent callers that miss on the same key share one load. Failed loads are never cached. The cache holds at most
/// ``Configuration/maxEntries`` values and at most ``Configuration/maxBytes`` bytes (each value's size as the `size`
/// function given at init estimates it), and evicts the least recently used values beyond either; a value larger than
/// the whole budget is returned but not kept. ``invalidateAll()`` forgets
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
        /// The most bytes kept (as estimated by the cache's `size` function).
        package var maxBytes: Int
        /// A value stays fresh for at least this many times its load's duration (0: for exactly `ttl`).
        package var loadCostFactor: Int
        /// How long past its freshness a value is still served while it is refreshed (`nil`: as long as it was fresh).
        package var staleFor: Duration?
        /// The most background refreshes running at once (loads that callers wait for are not limited).
        package var maxConcurrentRefreshes: Int
        /// With this many loads running that callers wait for, a stale value (younger than `maxStale`) is served at once
        /// even for a key nobody asked for lately: storage is saturated, another waiting caller would only queue.
        package var saturatedAt: Int

        package init(
            ttl: Duration, maxStale: Duration? = nil, maxEntries: Int = 4096, maxBytes: Int = 32 << 20, loadCostFactor: Int = 10,
            staleFor: Duration? = nil, maxConcurrentRefreshes: Int = 2, saturatedAt: Int = 2
        ) {
            self.ttl = ttl
            self.maxBytes = max(1, maxBytes)
            self.staleFor = staleFor
            self.maxStale = maxStale ?? .seconds(60)
            self.maxEntries = max(1, maxEntries)
            self.loadCostFactor = max(0, loadCostFactor)
            self.maxConcurrentRefreshes = max(1, maxConcurrentRefreshes)
            self.saturatedAt = max(1, saturatedAt)
        }

        /// Every call loads.
        package static var disabled: Configuration { Configuration(ttl: .zero, maxStale: .zero) }
    }

    private struct Entry {
        var value: Value
        /// Distinct for every value stored (see ``isCurrent(_:version:)``).
        var version: UInt64
        var loadedAt: ContinuousClock.Instant
        var freshFor: Duration
        var lastUsed: ContinuousClock.Instant
        /// The value's estimated size (``ReadCache/init(_:size:now:)``) plus its key.
        var bytes: Int
        /// How the value was loaded: a refresh started without a caller (``isCurrent(_:version:)``) uses it again.
        var load: @Sendable () async throws -> Value
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// The sum of the entries' ``Entry/bytes``.
        var bytes = 0
        /// The load running for a key, background refresh or not; every caller that must wait for a key waits for it.
        var loading: [String: Task<(Value, UInt64), any Error>] = [:]
        /// Background refreshes running (also those started before an ``invalidateAll()``: they still load storage).
        var refreshes = 0
        /// Loads running that callers wait for (also those started before an ``invalidateAll()``).
        var waitedLoads = 0
        /// Raised by ``invalidateAll()``; a load started under an older generation does not store its result.
        var generation: UInt64 = 0
        var loads: UInt64 = 0
        /// The version the next stored value gets (0 means "not cached" and is never given).
        var nextVersion: UInt64 = 1
    }

    private enum Step {
        case value(Value, UInt64)
        case wait(Task<(Value, UInt64), any Error>)
    }

    package let configuration: Configuration
    private let state = Mutex(State())
    /// The time source (``ContinuousClock`` unless a test drives time itself).
    private let now: @Sendable () -> ContinuousClock.Instant
    /// The estimated bytes a value holds.
    private let size: @Sendable (Value) -> Int

    /// - Parameters:
    ///   - size: The bytes a value holds (see ``CacheCost``); the byte bound is only as honest as this estimate.
    ///   - now: Where the cache reads the time; tests pass a clock they advance by hand, so that what they
    ///     check does not depend on how promptly a loaded machine resumes a sleeping task.
    package init(
        _ configuration: Configuration, size: @escaping @Sendable (Value) -> Int = { _ in 64 },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.configuration = configuration
        self.size = size
        self.now = now
    }

    /// How many bytes the values held take (as estimated).
    package var bytes: Int { state.withLock { $0.bytes } }

    /// How many loads ran so far (for tests and statistics).
    package var loadCount: UInt64 { state.withLock { $0.loads } }

    /// How many values are held.
    package var count: Int { state.withLock { $0.entries.count } }

    /// The value for `key`: cached when fresh (or stale while it is refreshed), otherwise loaded with `load`.
    package func value(for key: String, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await versionedValue(for: key, load: load).value
    }

    /// ``value(for:load:)`` with the version of the value returned (0 when it was not cached: the cache is off).
    package func versionedValue(for key: String, load: @escaping @Sendable () async throws -> Value) async throws -> (value: Value, version: UInt64) {
        guard configuration.ttl > .zero else {
            state.withLock { $0.loads += 1 }
            return (try await load(), 0)
        }
        let now = self.now()
        let step = state.withLock { state -> Step in
            if let entry = servable(key, in: &state, now: now) { return .value(entry.value, entry.version) }
            if let running = state.loading[key] { return .wait(running) }
            let task = startLoad(key, in: &state, refresh: false, load: load)
            state.loading[key] = task
            return .wait(task)
        }
        switch step {
        case .value(let value, let version): return (value, version)
        case .wait(let task): return try await task.value
        }
    }

    /// Whether the value with `version` is what ``value(for:load:)`` would return for `key` now, without waiting: then a
    /// result derived from it would be derived again from the same value. Counts as a use of the key, and starts its
    /// refresh when one is due, exactly like ``value(for:load:)`` (a refreshed value gets a new version).
    package func isCurrent(_ key: String, version: UInt64) -> Bool {
        guard version != 0, configuration.ttl > .zero else { return false }
        let now = self.now()
        return state.withLock { state in servable(key, in: &state, now: now)?.version == version }
    }

    /// Forgets every value and every running load.
    package func invalidateAll() {
        var dropped: [String: Entry] = [:]
        state.withLock { state in
            state.generation &+= 1
            swap(&dropped, &state.entries)
            state.bytes = 0
            state.loading.removeAll()
        }
        dropped.removeAll()  // released outside the lock
    }

    /// Under the lock: the value held for `key` if a caller may be given it now, starting its background refresh when
    /// it is stale and a slot is free. `nil`: the caller must wait for a load.
    private func servable(_ key: String, in state: inout State, now: ContinuousClock.Instant) -> Entry? {
        guard var entry = state.entries[key] else { return nil }
        let running = state.loading[key] != nil
        let age = now - entry.loadedAt
        // A key asked for within its stale window is busy: it keeps being served (up to maxStale) while its refresh
        // waits for a free slot. Only a key left alone that long makes its next caller wait.
        let staleWindow = min(entry.freshFor + (configuration.staleFor ?? entry.freshFor), configuration.maxStale)
        let busy = now - entry.lastUsed < staleWindow
        let saturated = state.waitedLoads >= configuration.saturatedAt
        guard age < entry.freshFor || (age < configuration.maxStale && (running || busy || saturated)) else { return nil }
        entry.lastUsed = now
        state.entries[key] = entry
        if age >= entry.freshFor, !running, state.refreshes < configuration.maxConcurrentRefreshes {
            state.refreshes += 1
            state.loading[key] = startLoad(key, in: &state, refresh: true, load: entry.load)
        }
        return entry
    }

    /// A task that loads `key` and stores the result (unless ``invalidateAll()`` ran meanwhile). Called under the lock.
    private func startLoad(
        _ key: String, in state: inout State, refresh: Bool,
        load: @escaping @Sendable () async throws -> Value
    ) -> Task<(Value, UInt64), any Error> {
        state.loads += 1
        if !refresh { state.waitedLoads += 1 }
        let generation = state.generation
        // A refresh (nobody waits for it) decodes and sorts on the low-priority refresh thread; a load a caller waits
        // for runs at normal priority (see ``BackgroundExecutor``).
        return Task(executorPreference: refresh ? BackgroundExecutor.refreshes : nil) { [self] in
            let started = self.now()
            do {
                // A refresh's reads wait behind every request's reads at the API's admission gate (``ReadPriority``).
                let value = try await ReadPriority.$current.withValue(refresh ? .refresh : .caller) { try await load() }
                let version = finish(key, generation: generation, refresh: refresh, loaded: (value, load), loadTime: self.now() - started)
                return (value, version)
            } catch {
                // A failed refresh keeps the stale value until it is too old; the next caller after that waits for a load.
                finish(key, generation: generation, refresh: refresh, loaded: nil, loadTime: .zero)
                throw error
            }
        }
    }

    /// Records the end of a load; returns the stored value's version (0: not stored, `invalidateAll()` ran meanwhile).
    @discardableResult
    private func finish(
        _ key: String, generation: UInt64, refresh: Bool, loaded: (Value, @Sendable () async throws -> Value)?,
        loadTime: Duration
    ) -> UInt64 {
        let now = self.now()
        let freshFor = min(max(configuration.ttl, loadTime * configuration.loadCostFactor), configuration.maxStale / 2)
        let bytes = loaded.map { size($0.0) + key.utf8.count + 96 } ?? 0
        // What is replaced is released after the lock: freeing a large value (the sorted catalog of 100k keys is about a
        // million strings) takes milliseconds, and every request needs this lock.
        var replaced: [Entry] = []
        let version = state.withLock { state -> UInt64 in
            if refresh { state.refreshes -= 1 } else { state.waitedLoads -= 1 }
            guard state.generation == generation else { return 0 }
            state.loading[key] = nil
            guard let (value, load) = loaded else { return 0 }
            let version = state.nextVersion
            state.nextVersion &+= 1
            if let old = state.entries.removeValue(forKey: key) {
                state.bytes -= old.bytes
                replaced.append(old)
            }
            // Too large for the whole budget: returned to the callers, not kept.
            guard bytes <= configuration.maxBytes else { return version }
            state.entries[key] = Entry(value: value, version: version, loadedAt: now, freshFor: freshFor, lastUsed: now, bytes: bytes, load: load)
            state.bytes += bytes
            if state.entries.count > configuration.maxEntries || state.bytes > configuration.maxBytes {
                replaced += Self.evict(&state, entries: configuration.maxEntries, bytes: configuration.maxBytes)
            }
            return version
        }
        replaced.removeAll()
        return version
    }

    /// Drops the least recently used entries until at most 90 % of both limits are used (so eviction runs rarely, not on
    /// every store), and returns them (for the caller to release outside the lock).
    private static func evict(_ state: inout State, entries maxEntries: Int, bytes maxBytes: Int) -> [Entry] {
        let entryTarget = max(1, maxEntries * 9 / 10)
        let byteTarget = maxBytes / 10 * 9
        var victims: [Entry] = []
        for (key, _) in state.entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            guard state.entries.count > entryTarget || state.bytes > byteTarget else { break }
            if let entry = state.entries.removeValue(forKey: key) {
                state.bytes -= entry.bytes
                victims.append(entry)
            }
        }
        return victims
    }
}
