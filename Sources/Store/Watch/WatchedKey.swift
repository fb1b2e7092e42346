/// An entry of the watch list (the `watches` table, migration 7): a key that is or was deep-watched.
package struct WatchedKey: Sendable, Hashable {
    /// The attribute key.
    package var key: String
    /// When the key was first watched (server seconds; kept when it is unwatched and watched again).
    package var since: EpochSeconds
    /// Whether values are being collected now (`false` after an unwatch: the collected values stay readable).
    package var active: Bool

    package init(key: String, since: EpochSeconds, active: Bool) {
        self.key = key
        self.since = since
        self.active = active
    }
}
