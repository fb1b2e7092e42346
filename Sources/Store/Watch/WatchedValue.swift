/// One collected value of a watched key, merged over services and days.
package struct WatchedValue: Sendable, Hashable {
    package var value: String
    /// Observations (items carrying the key with this value).
    package var count: UInt64
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds

    package init(value: String, count: UInt64, firstSeen: EpochSeconds, lastSeen: EpochSeconds) {
        self.value = value
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}
