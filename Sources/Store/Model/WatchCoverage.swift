/// A claim that the values of a deep-watched key are stored for every applied record of one Kafka partition in
/// `segmentStart...lastOffset`: collected live (the window's watch list held the key) or filled by `census replay
/// --fill-watched`.
///
/// Written as a ``Schema/RowKind/watchCoverage`` row in the same INSERT as the values it vouches for, and merged like a
/// progress row (the maximum last offset per segment), so a key's covered offsets per partition are a union of segments
/// (``AppliedOffsets``) that grows exactly when the values land. A fill adds values only for applied offsets outside it,
/// and covers them in the INSERT that adds them: every observation is stored once, however often a fill runs or stops.
package struct WatchCoverage: Sendable, Hashable {
    /// The watched attribute key.
    package var key: String
    package var topic: String
    package var partition: Int32
    /// The partition's incarnation (see ``PartitionProgress/incarnation``): coverage of an older one does not count.
    package var incarnation: UInt32
    /// The first offset of the covered segment this row extends.
    package var segmentStart: Int64
    /// The last covered offset.
    package var lastOffset: Int64

    package init(key: String, topic: String, partition: Int32, incarnation: UInt32, segmentStart: Int64, lastOffset: Int64) {
        self.key = key
        self.topic = topic
        self.partition = partition
        self.incarnation = incarnation
        self.segmentStart = segmentStart
        self.lastOffset = lastOffset
    }

    /// The `sub` column of the row: `<incarnation>:<segment start>`.
    package var storedSub: String { "\(incarnation):\(segmentStart)" }

    /// Parses ``storedSub``.
    package static func parseSub(_ text: String) -> (incarnation: UInt32, segmentStart: Int64)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let incarnation = UInt32(parts[0]), let start = Int64(parts[1]) else { return nil }
        return (incarnation, start)
    }
}
