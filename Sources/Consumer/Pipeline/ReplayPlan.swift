/// What `census replay` reads: per topic, a start and an end position for every partition.
package struct ReplayPlan: Sendable, Hashable {
    /// A position in every partition of the replayed topics.
    package enum Position: Sendable, Hashable {
        /// The low watermark (the oldest record still kept).
        case earliest
        /// The high watermark when the replay starts.
        case now
        /// The first record whose timestamp is at or after this time (milliseconds since the epoch).
        case time(milliseconds: Int64)
        /// Explicit offsets per partition number (the same for every replayed topic); partitions not listed are not
        /// replayed when used as a start, and read to ``now`` when used as an end.
        case offsets([Int32: Int64])
    }

    /// Topics to replay.
    package var topics: [String]
    /// Where to start (inclusive).
    package var from: Position
    /// Where to stop (exclusive: the record at the end offset is not read).
    package var until: Position
    /// The live consumer group that feeds the same store: the replay stops every partition at that group's committed
    /// offset, because the group applies everything from there on (``ProgressLoader``). `nil`: no live group.
    package var liveGroup: String?
    /// The consumer group that replays of the same store use as their lock (``ReplayLock``). `nil`: no lock.
    package var lockGroup: String?

    /// The lock group of replays into `database` next to the live group `group` (the same for `census replay` and for
    /// the live members that must not start a partition without committed offset while a replay runs).
    package static func lockGroup(liveGroup group: String, database: String) -> String {
        "\(group).replay-lock.\(database)"
    }

    package init(topics: [String], from: Position, until: Position = .now, liveGroup: String? = nil, lockGroup: String? = nil) {
        self.topics = topics
        self.from = from
        self.until = until
        self.liveGroup = liveGroup
        self.lockGroup = lockGroup
    }
}

/// The resolved range of one partition in a replay: offsets `start..<end`.
package struct ReplayRange: Sendable, Hashable {
    package var start: Int64
    package var end: Int64

    package init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// Records in the range (0 when empty).
    package var count: Int64 { max(0, end - start) }
}
