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

    package init(topics: [String], from: Position, until: Position = .now) {
        self.topics = topics
        self.from = from
        self.until = until
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
