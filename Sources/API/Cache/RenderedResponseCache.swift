import HTTPTypes
import NIOCore
import Synchronization

/// Rendered V1 answers (status, headers, body bytes) by request URI, each reused for ``ttl``.
///
/// It sits above the reader's own cache (`CachingMetadataReader`, which keeps answers fresh in the background): that
/// one saves the ClickHouse round trips, this one saves rendering the JSON again — for a page of 100 metrics with
/// their keys that is most of a request's CPU. Holds at most ``maxEntries`` answers; ``invalidateAll()`` forgets them.
package final class RenderedResponseCache: Sendable {
    /// One rendered answer.
    struct Entry: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        var storedAt: ContinuousClock.Instant
    }

    /// How long an answer is reused; zero turns the cache off.
    package let ttl: Duration
    /// The most answers kept.
    package let maxEntries: Int
    private let entries = Mutex<[String: Entry]>([:])
    private let clock = ContinuousClock()

    package init(ttl: Duration, maxEntries: Int = 2048) {
        self.ttl = ttl
        self.maxEntries = max(1, maxEntries)
    }

    var isEnabled: Bool { ttl > .zero }

    /// How many answers are held.
    var count: Int { entries.withLock { $0.count } }

    func lookup(_ key: String) -> Entry? {
        let now = clock.now
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if now - entry.storedAt < ttl { return entry }
            entries[key] = nil
            return nil
        }
    }

    func store(_ key: String, status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        let now = clock.now
        let ttl = self.ttl
        entries.withLock { entries in
            if entries.count >= maxEntries {
                // Expired answers go first; if none are, an arbitrary tenth makes room (entries live ≤ ttl anyway).
                entries = entries.filter { now - $0.value.storedAt < ttl }
                if entries.count >= maxEntries {
                    for key in entries.keys.prefix(max(1, maxEntries / 10)) { entries[key] = nil }
                }
            }
            entries[key] = Entry(status: status, headers: headers, body: body, storedAt: now)
        }
    }

    /// Forgets every answer.
    package func invalidateAll() {
        entries.withLock { $0.removeAll() }
    }
}
