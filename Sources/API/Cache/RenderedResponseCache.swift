import CompressNIO
import HTTPTypes
import NIOCore
import Store
import Synchronization

/// Rendered V1 answers (status, headers, body bytes) by request URI.
///
/// It sits above the reader's own cache (`CachingMetadataReader`, which keeps answers fresh in the background): that
/// one saves the ClickHouse round trips, this one saves rendering the JSON again — for a page of 100 metrics with
/// their keys, or a service overview, that is most of a request's CPU. An answer is reused for ``ttl``, and after that
/// for as long as every cached read it was rendered from (its ``ReadDependencies``) is unchanged, as ``isCurrent``
/// tells: then rendering it again would give the same bytes. When they did change, one request renders the answer
/// again while the others for the same URI are given the previous rendering (at most ``maxStale`` old), so a large
/// answer is never rendered by many requests at once. Holds at most ``maxEntries`` answers and at most ``maxBytes``
/// bytes (bodies, their gzip forms, headers and keys), evicting the least recently used answers beyond either;
/// ``invalidateAll()`` forgets them.
package final class RenderedResponseCache: Sendable {
    /// One rendered answer.
    struct Entry: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        var storedAt: ContinuousClock.Instant
        /// The cached reads it was rendered from (empty: reused for ``ttl`` only).
        var dependencies: [ReadDependencies.Dependency]
        /// `body` gzip-compressed, made when a client that accepts gzip first asks for it (see ``gzipped(_:for:)``).
        var gzipBody: ByteBuffer? = nil
        var lastUsed: ContinuousClock.Instant

        /// What the entry holds: body, gzip body, headers (estimated) and its key.
        func bytes(key: String) -> Int {
            body.readableBytes + (gzipBody?.readableBytes ?? 0) + headers.reduce(64) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 32 }
                + key.utf8.count + 128
        }
    }

    /// How long an answer is reused unconditionally; zero turns the cache off.
    package let ttl: Duration
    /// The most answers kept.
    package let maxEntries: Int
    /// The most bytes kept (see ``Entry/bytes(key:)``).
    package let maxBytes: Int
    /// Whether the reads an answer was rendered from are all still the values held.
    private let isCurrent: @Sendable ([ReadDependencies.Dependency]) -> Bool
    /// The oldest rendering given to a request while another request renders the same URI again.
    package let maxStale: Duration
    private let state = Mutex(State())

    private struct State {
        var entries: [String: Entry] = [:]
        /// The sum of the entries' bytes.
        var bytes = 0
        /// URIs a request is rendering again right now.
        var rendering: Set<String> = []
    }
    private let clock = ContinuousClock()

    package init(
        ttl: Duration, maxEntries: Int = 2048, maxBytes: Int = 32 << 20, maxStale: Duration = .seconds(10),
        isCurrent: @escaping @Sendable ([ReadDependencies.Dependency]) -> Bool = { _ in false }
    ) {
        self.ttl = ttl
        self.maxBytes = max(1, maxBytes)
        self.maxStale = maxStale
        self.maxEntries = max(1, maxEntries)
        self.isCurrent = isCurrent
    }

    var isEnabled: Bool { ttl > .zero }

    /// How many answers are held.
    var count: Int { state.withLock { $0.entries.count } }

    /// How many bytes the answers held take.
    package var bytes: Int { state.withLock { $0.bytes } }

    /// The answer to give for `key`, or `nil` when the caller must render it, and then call ``finishRendering(_:)``
    /// whatever happens (after ``store(_:status:headers:body:dependencies:)`` when the answer may be kept).
    func lookup(_ key: String) -> Entry? {
        let now = clock.now
        let held = state.withLock { $0.entries[key] }
        if let held, now - held.storedAt < ttl || isCurrent(held.dependencies) {
            state.withLock { state in
                if state.entries[key]?.storedAt == held.storedAt { state.entries[key]?.lastUsed = now }
            }
            return held
        }
        return state.withLock { state -> Entry? in
            if let entry = state.entries[key], state.rendering.contains(key), now - entry.storedAt < maxStale { return entry }
            state.rendering.insert(key)
            return nil
        }
    }

    /// Ends the rendering that a `nil` ``lookup(_:)`` asked for.
    func finishRendering(_ key: String) {
        state.withLock { _ = $0.rendering.remove(key) }
    }

    @discardableResult
    func store(
        _ key: String, status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer,
        dependencies: [ReadDependencies.Dependency] = []
    ) -> Entry {
        let now = clock.now
        let entry = Entry(status: status, headers: headers, body: body, storedAt: now, dependencies: dependencies, lastUsed: now)
        let bytes = entry.bytes(key: key) + body.readableBytes / 3  // room for its gzip form, made later
        var released: [Entry] = []
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) {
                state.bytes -= old.bytes(key: key)
                released.append(old)
            }
            guard bytes <= maxBytes else { return }  // larger than the whole budget: answered, not kept
            if state.entries.count >= maxEntries || state.bytes + bytes > maxBytes {
                released += Self.evict(&state, entries: maxEntries, bytes: maxBytes - bytes)
            }
            state.entries[key] = entry
            state.bytes += entry.bytes(key: key)
        }
        released.removeAll()  // freed outside the lock
        return entry
    }

    /// Drops the least recently used answers until fewer than 90 % of `maxEntries` are held and at most 90 % of
    /// `maxBytes` are used, and returns them (released by the caller outside the lock).
    private static func evict(_ state: inout State, entries maxEntries: Int, bytes maxBytes: Int) -> [Entry] {
        let entryTarget = max(0, maxEntries * 9 / 10)
        let byteTarget = max(0, maxBytes / 10 * 9)
        var victims: [Entry] = []
        for (key, _) in state.entries.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            guard state.entries.count > entryTarget || state.bytes > byteTarget else { break }
            if let entry = state.entries.removeValue(forKey: key) {
                state.bytes -= entry.bytes(key: key)
                victims.append(entry)
            }
        }
        return victims
    }

    /// The gzip form of `entry`'s body, compressed once per rendering and kept with it. `nil` when compressing fails
    /// (the caller sends the body as it is).
    func gzipped(_ entry: Entry, for key: String) -> ByteBuffer? {
        if let ready = entry.gzipBody { return ready }
        var body = entry.body
        guard let compressed = try? body.compress(with: .gzip(configuration: .init(compressionLevel: 1))) else { return nil }
        state.withLock { state in
            if state.entries[key]?.storedAt == entry.storedAt, state.entries[key]?.gzipBody == nil {
                state.entries[key]?.gzipBody = compressed
                state.bytes += compressed.readableBytes
            }
        }
        return compressed
    }

    /// Forgets every answer.
    package func invalidateAll() {
        var dropped: [String: Entry] = [:]
        state.withLock { state in
            swap(&dropped, &state.entries)
            state.bytes = 0
        }
        dropped.removeAll()
    }
}
