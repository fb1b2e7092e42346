import Synchronization
import Testing

@testable import Store

/// A load that counts its calls and can be held until released.
private final class CountingLoad: Sendable {
    let calls = Atomic<Int>(0)
    let value = Mutex("v0")
    let failing = Atomic<Bool>(false)
    /// How long each load takes, in milliseconds (changeable: a refresh reuses the load that stored the value).
    let delayMilliseconds: Atomic<Int>
    /// While set, loads wait (at most 60 s) before they finish: a refresh that runs "as long as the test needs".
    let held = Atomic<Bool>(false)

    init(delay: Duration = .zero) { delayMilliseconds = Atomic(Int(delay / .milliseconds(1))) }

    @Sendable func load() async throws -> String {
        calls.add(1, ordering: .relaxed)
        let delay = delayMilliseconds.load(ordering: .relaxed)
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        let deadline = ContinuousClock.now + .seconds(60)
        while held.load(ordering: .relaxed), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        if failing.load(ordering: .relaxed) { throw CancellationError() }
        return value.withLock { $0 }
    }
}

/// A clock the test advances by hand: what a test checks then does not depend on how promptly a loaded machine resumes
/// a sleeping task (CI runs suites in parallel on two cores, and sleeps there have overrun by seconds).
private final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let elapsedMilliseconds = Atomic<Int64>(0)

    @Sendable func now() -> ContinuousClock.Instant { start + .milliseconds(elapsedMilliseconds.load(ordering: .relaxed)) }

    func advance(_ duration: Duration) { elapsedMilliseconds.add(Int64(duration / .milliseconds(1)), ordering: .relaxed) }
}

@Suite("ReadCache")
struct ReadCacheTests {
    @Test("a fresh value is returned without loading again")
    func freshHit() async throws {
        let cache = ReadCache<String>(.init(ttl: .seconds(60)))
        let load = CountingLoad()
        let first = try await cache.value(for: "k", load: load.load)
        load.value.withLock { $0 = "v1" }
        let second = try await cache.value(for: "k", load: load.load)
        #expect(first == "v0")
        #expect(second == "v0")
        #expect(load.calls.load(ordering: .relaxed) == 1)
    }

    @Test("a stale value is returned at once and replaced by one background load")
    func staleWhileRevalidate() async throws {
        let clock = ManualClock()
        let cache = ReadCache<String>(.init(ttl: .seconds(1), maxStale: .seconds(120), loadCostFactor: 0, staleFor: .seconds(60)), now: clock.now)
        let load = CountingLoad()
        _ = try await cache.value(for: "k", load: load.load)
        load.held.store(true, ordering: .relaxed)  // the refresh runs until released
        load.value.withLock { $0 = "v1" }
        clock.advance(.milliseconds(1_300))  // stale (past 1 s), still usable (before 61 s)
        // Several callers see the stale value; exactly one refresh starts.
        var seen: [String] = []
        for _ in 0..<5 { seen.append(try await cache.value(for: "k", load: load.load)) }
        #expect(seen == Array(repeating: "v0", count: 5))
        #expect(cache.loadCount == 2)  // the first load and one refresh, however many callers saw the stale value
        load.held.store(false, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(20)
        var latest = try await cache.value(for: "k", load: load.load)
        while latest != "v1", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            latest = try await cache.value(for: "k", load: load.load)
        }
        #expect(latest == "v1")
        #expect(cache.loadCount == 2)
    }

    @Test("a caller's load runs at ReadPriority.caller, a background refresh's at .refresh (the admission gate's order)")
    func refreshPriority() async throws {
        let clock = ManualClock()
        let cache = ReadCache<String>(.init(ttl: .seconds(1), maxStale: .seconds(120), loadCostFactor: 0, staleFor: .seconds(60)), now: clock.now)
        let seen = Mutex<[ReadPriority]>([])
        let load: @Sendable () async throws -> String = {
            seen.withLock { $0.append(ReadPriority.current) }
            return "v"
        }
        _ = try await cache.value(for: "k", load: load)
        clock.advance(.milliseconds(1_500))  // stale and busy: served at once, refreshed in the background
        _ = try await cache.value(for: "k", load: load)
        let deadline = ContinuousClock.now + .seconds(20)
        while seen.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(seen.withLock { $0 } == [.caller, .refresh])
    }

    @Test("concurrent misses on one key share one load")
    func singleFlight() async throws {
        let cache = ReadCache<String>(.init(ttl: .seconds(60)))
        let load = CountingLoad(delay: .milliseconds(100))
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.value(for: "k", load: load.load) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(values == Array(repeating: "v0", count: 20))
        #expect(load.calls.load(ordering: .relaxed) == 1)
    }

    @Test("failures are not cached, and a value past twice its freshness is loaded again (not served stale)")
    func failuresAndMaxStale() async throws {
        let cache = ReadCache<String>(.init(ttl: .milliseconds(20), maxStale: .seconds(60), loadCostFactor: 0))
        let load = CountingLoad()
        load.failing.store(true, ordering: .relaxed)
        await #expect(throws: CancellationError.self) { try await cache.value(for: "k", load: load.load) }
        load.failing.store(false, ordering: .relaxed)
        #expect(try await cache.value(for: "k", load: load.load) == "v0")
        load.value.withLock { $0 = "v1" }
        try await Task.sleep(for: .milliseconds(60))
        #expect(try await cache.value(for: "k", load: load.load) == "v1")
    }

    @Test("invalidateAll forgets values and loads that were running")
    func invalidate() async throws {
        let cache = ReadCache<String>(.init(ttl: .seconds(60)))
        let load = CountingLoad()
        _ = try await cache.value(for: "k", load: load.load)
        load.value.withLock { $0 = "v1" }
        cache.invalidateAll()
        #expect(try await cache.value(for: "k", load: load.load) == "v1")

        let slow = CountingLoad(delay: .milliseconds(200))
        slow.value.withLock { $0 = "old" }
        async let pending = cache.value(for: "s", load: slow.load)
        try await Task.sleep(for: .milliseconds(50))
        cache.invalidateAll()
        #expect(try await pending == "old")  // the caller gets what it asked for…
        slow.value.withLock { $0 = "new" }
        #expect(try await cache.value(for: "s", load: slow.load) == "new")  // …but it was not kept
    }

    @Test("an expensive load stays fresh for loadCostFactor times its duration")
    func loadCost() async throws {
        let cache = ReadCache<String>(.init(ttl: .milliseconds(10), maxStale: .seconds(60), loadCostFactor: 200))
        let slow = CountingLoad(delay: .milliseconds(100))
        _ = try await cache.value(for: "k", load: slow.load)
        try await Task.sleep(for: .milliseconds(50))  // past the ttl, well inside 200 × 100 ms
        _ = try await cache.value(for: "k", load: slow.load)
        #expect(cache.loadCount == 1)
    }

    /// Waits (at most 20 s) until `condition` holds; timings here are lower bounds only, as CI runs on loaded cores.
    private static func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try condition()
    }

    @Test("at most maxConcurrentRefreshes background refreshes run at once; the other stale keys are served stale")
    func boundedRefreshes() async throws {
        let cache = ReadCache<String>(
            .init(
                ttl: .milliseconds(300), maxStale: .seconds(60), loadCostFactor: 0, staleFor: .seconds(50),
                maxConcurrentRefreshes: 2))
        let load = CountingLoad()
        for i in 0..<6 { _ = try await cache.value(for: "k\(i)", load: load.load) }
        load.delayMilliseconds.store(3_000, ordering: .relaxed)  // refreshes now take 3 s
        try await Task.sleep(for: .milliseconds(400))  // every key stale
        load.value.withLock { $0 = "v1" }
        for i in 0..<6 { #expect(try await cache.value(for: "k\(i)", load: load.load) == "v0") }  // nobody waited for a load
        #expect(try await Self.eventually { load.calls.load(ordering: .relaxed) == 6 + 2 })  // two refreshes started…
        for i in 0..<6 { _ = try await cache.value(for: "k\(i)", load: load.load) }
        #expect(load.calls.load(ordering: .relaxed) == 6 + 2)  // …and no more while both run
        // Once both finished (after 3 s or more), the next stale callers get the two slots, and no more start while
        // those run: callers keep asking until the count reaches 10.
        let deadline = ContinuousClock.now + .seconds(30)
        while load.calls.load(ordering: .relaxed) < 6 + 4, ContinuousClock.now < deadline {
            for i in 0..<6 { _ = try await cache.value(for: "k\(i)", load: load.load) }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(load.calls.load(ordering: .relaxed) == 6 + 4)
    }

    @Test("a key whose refresh is still running is served stale past its stale window, and never loaded twice at once")
    func slowRefreshServesStale() async throws {
        let clock = ManualClock()
        let cache = ReadCache<String>(
            .init(
                ttl: .milliseconds(300), maxStale: .seconds(60), loadCostFactor: 0, staleFor: .seconds(1),
                maxConcurrentRefreshes: 1), now: clock.now)
        let load = CountingLoad()
        _ = try await cache.value(for: "k", load: load.load)
        clock.advance(.milliseconds(400))  // stale, inside the stale window (until 1.3 s)
        load.held.store(true, ordering: .relaxed)  // the refresh runs until released
        load.value.withLock { $0 = "v1" }
        #expect(try await cache.value(for: "k", load: load.load) == "v0")  // starts the refresh
        clock.advance(.milliseconds(1_600))  // past freshness + stale window since the last use; the refresh still runs
        #expect(try await cache.value(for: "k", load: load.load) == "v0")
        #expect(try await Self.eventually { load.calls.load(ordering: .relaxed) == 2 })  // the refresh called the load…
        #expect(try await cache.value(for: "k", load: load.load) == "v0")
        #expect(load.calls.load(ordering: .relaxed) == 2)  // …and nothing else did
        load.held.store(false, ordering: .relaxed)
        #expect(try await Self.eventually { !cache.isCurrent("k", version: 1) })  // the refresh stored a new value
        #expect(try await cache.value(for: "k", load: load.load) == "v1")
        clock.advance(.seconds(61))  // past maxStale, nobody asked meanwhile: the next caller waits for a load
        load.value.withLock { $0 = "v2" }
        #expect(try await cache.value(for: "k", load: load.load) == "v2")
    }

    @Test("the cache keeps at most maxEntries values; a zero ttl disables it")
    func boundsAndDisabled() async throws {
        let cache = ReadCache<String>(.init(ttl: .seconds(60), maxEntries: 100))
        let load = CountingLoad()
        for i in 0..<1_000 { _ = try await cache.value(for: "k\(i)", load: load.load) }
        #expect(cache.count <= 100)

        let off = ReadCache<String>(.disabled)
        for _ in 0..<3 { _ = try await off.value(for: "k", load: load.load) }
        #expect(off.count == 0)
        #expect(off.loadCount == 3)
    }

    @Test("isCurrent holds for the version served, starts a due refresh, and fails once a new value is stored")
    func currentVersions() async throws {
        // A hand-driven clock: on a loaded machine real time could pass the 500 ms ttl between two checks.
        let clock = ManualClock()
        let cache = ReadCache<String>(
            .init(ttl: .milliseconds(500), maxStale: .seconds(60), loadCostFactor: 0, staleFor: .seconds(30)), now: clock.now)
        let load = CountingLoad()
        let (value, version) = try await cache.versionedValue(for: "k", load: load.load)
        #expect(value == "v0")
        load.value.withLock { $0 = "v1" }
        #expect(cache.isCurrent("k", version: version))
        #expect(!cache.isCurrent("k", version: version + 1))
        #expect(!cache.isCurrent("other", version: version))
        clock.advance(.milliseconds(600))  // stale, still servable: a refresh starts from isCurrent alone
        _ = cache.isCurrent("k", version: version)
        #expect(try await Self.eventually { !cache.isCurrent("k", version: version) })
        #expect(try await cache.value(for: "k", load: load.load) == "v1")
        #expect(load.calls.load(ordering: .relaxed) >= 2)
        let off = ReadCache<String>(.disabled)
        let (_, none) = try await off.versionedValue(for: "k", load: load.load)
        #expect(none == 0 && !off.isCurrent("k", version: none))
    }

    @Test("under saturation (saturatedAt loads callers wait for) a key nobody asked for lately is served stale, not queued")
    func saturatedServesStale() async throws {
        let clock = ManualClock()
        let cache = ReadCache<String>(
            .init(ttl: .seconds(1), maxStale: .seconds(60), loadCostFactor: 0, staleFor: .seconds(1), saturatedAt: 1), now: clock.now)
        let load = CountingLoad()
        _ = try await cache.value(for: "quiet", load: load.load)
        clock.advance(.seconds(5))  // stale and outside its stale window: its next caller would wait for a load…
        load.value.withLock { $0 = "v1" }
        let slow = CountingLoad()
        slow.held.store(true, ordering: .relaxed)
        async let waiting = cache.value(for: "slow", load: slow.load)  // …but a caller already waits for storage
        #expect(try await Self.eventually { slow.calls.load(ordering: .relaxed) == 1 })
        #expect(try await cache.value(for: "quiet", load: load.load) == "v0")  // served stale at once
        #expect(try await Self.eventually { load.calls.load(ordering: .relaxed) == 2 })  // and refreshed behind it
        slow.held.store(false, ordering: .relaxed)
        #expect(try await waiting == "v0")
        #expect(try await Self.eventually { !cache.isCurrent("quiet", version: 1) })
        // Storage keeps up again: a key left alone past its stale window makes its caller wait for a fresh value.
        clock.advance(.seconds(5))
        load.value.withLock { $0 = "v2" }
        #expect(try await cache.value(for: "quiet", load: load.load) == "v2")
        clock.advance(.seconds(61))  // and nothing older than maxStale is served, saturated or not
        load.value.withLock { $0 = "v3" }
        slow.held.store(true, ordering: .relaxed)
        async let again = cache.value(for: "slow2", load: slow.load)
        #expect(try await Self.eventually { slow.calls.load(ordering: .relaxed) == 2 })
        #expect(try await cache.value(for: "quiet", load: load.load) == "v3")
        slow.held.store(false, ordering: .relaxed)
        _ = try await again
    }
}
