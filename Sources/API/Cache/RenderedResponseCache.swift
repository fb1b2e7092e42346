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
/// answer is never rendered by many requests at once. Holds at most ``maxEntries`` answers; ``invalidateAll()``
/// forgets them.
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
    }

    /// How long an answer is reused unconditionally; zero turns the cache off.
    package let ttl: Duration
    /// The most answers kept.
    package let maxEntries: Int
    /// Whether the reads an answer was rendered from are all still the values held.
    private let isCurrent: @Sendable ([ReadDependencies.Dependency]) -> Bool
    /// The oldest rendering given to a request while another request renders the same URI again.
    package let maxStale: Duration
    private let state = Mutex(State())

    private struct State {
        var entries: [String: Entry] = [:]
        /// URIs a request is rendering again right now.
        var rendering: Set<String> = []
    }
    private let clock = ContinuousClock()

    package init(ttl: Duration, maxEntries: Int = 2048, maxStale: Duration = .seconds(10),
                 isCurrent: @escaping @Sendable ([ReadDependencies.Dependency]) -> Bool = { _ in false }) {
        self.ttl = ttl
        self.maxStale = maxStale
        self.maxEntries = max(1, maxEntries)
        self.isCurrent = isCurrent
    }

    var isEnabled: Bool { ttl > .zero }

    /// How many answers are held.
    var count: Int { state.withLock { $0.entries.count } }

    /// The answer to give for `key`, or `nil` when the caller must render it, and then call ``finishRendering(_:)``
    /// whatever happens (after ``store(_:status:headers:body:dependencies:)`` when the answer may be kept).
    func lookup(_ key: String) -> Entry? {
        let now = clock.now
        let held = state.withLock { $0.entries[key] }
        if let held, now - held.storedAt < ttl || isCurrent(held.dependencies) { return held }
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
    func store(_ key: String, status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer,
               dependencies: [ReadDependencies.Dependency] = []) -> Entry {
        let now = clock.now
        let ttl = self.ttl
        let entry = Entry(status: status, headers: headers, body: body, storedAt: now, dependencies: dependencies)
        state.withLock { state in
            if state.entries.count >= maxEntries {
                // Expired answers go first; if none are, an arbitrary tenth makes room.
                state.entries = state.entries.filter { now - $0.value.storedAt < ttl }
                if state.entries.count >= maxEntries {
                    for key in state.entries.keys.prefix(max(1, maxEntries / 10)) { state.entries[key] = nil }
                }
            }
            state.entries[key] = entry
        }
        return entry
    }

    /// The gzip form of `entry`'s body, compressed once per rendering and kept with it. `nil` when compressing fails
    /// (the caller sends the body as it is).
    func gzipped(_ entry: Entry, for key: String) -> ByteBuffer? {
        if let ready = entry.gzipBody { return ready }
        var body = entry.body
        guard let compressed = try? body.compress(with: .gzip(configuration: .init(compressionLevel: 1))) else { return nil }
        state.withLock { state in
            if state.entries[key]?.storedAt == entry.storedAt { state.entries[key]?.gzipBody = compressed }
        }
        return compressed
    }

    /// Forgets every answer.
    package func invalidateAll() {
        state.withLock { $0.entries.removeAll() }
    }
}
