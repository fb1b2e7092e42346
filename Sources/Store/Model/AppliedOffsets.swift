/// The offsets of one Kafka partition whose records the store already holds, read back from the progress rows.
///
/// Progress rows are keyed by `(topic, partition, incarnation, segment start)` and keep the maximum last offset, so a
/// partition's applied offsets are a union of segments `start...last`. Writers keep the rule that makes this exact:
/// a consumer session writes a segment that starts at the first offset it read, or continues the stored segment that
/// holds the offset just before it (``segmentStart(continuingAt:)``), and it never applies an offset that is already
/// in the union (``contains(_:)``). Hence every offset in a segment was applied exactly once, whichever process or
/// replay applied it, and re-reading any range changes nothing.
///
/// Only the newest incarnation counts: after a topic was deleted and re-created census can be told to start a new
/// incarnation (`--on-offset-regression reset`), which makes the old topic's offsets irrelevant.
package struct AppliedOffsets: Sendable, Hashable {
    /// One stored segment: every offset in `start...last` is applied (empty when `last < start`).
    package struct Segment: Sendable, Hashable, Comparable {
        package var start: Int64
        package var last: Int64

        package init(start: Int64, last: Int64) {
            self.start = start
            self.last = last
        }

        package static func < (lhs: Segment, rhs: Segment) -> Bool {
            (lhs.start, lhs.last) < (rhs.start, rhs.last)
        }
    }

    /// The incarnation these segments belong to (0 unless a reset happened).
    package var incarnation: UInt32
    /// The stored segments, sorted by start (they may overlap or touch).
    package private(set) var segments: [Segment]
    /// The union of ``segments`` as disjoint, non-adjacent ranges, sorted.
    package private(set) var ranges: [ClosedRange<Int64>]

    package init(incarnation: UInt32 = 0, segments: [Segment] = []) {
        self.incarnation = incarnation
        self.segments = segments.sorted()
        self.ranges = Self.union(self.segments)
    }

    /// No applied offsets.
    package var isEmpty: Bool { ranges.isEmpty }

    /// The highest applied offset, if any.
    package var highest: Int64? { ranges.last?.upperBound }

    /// The lowest applied offset, if any.
    package var lowest: Int64? { ranges.first?.lowerBound }

    /// Whether the record at `offset` is already applied.
    package func contains(_ offset: Int64) -> Bool {
        // Binary search over the disjoint ranges.
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if offset < range.lowerBound {
                high = middle - 1
            } else if offset > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// The start of a stored segment that a session whose first record is at `offset` may extend: one that holds
    /// `offset - 1` (so the extended segment stays gap-free). `nil` means the session starts a segment at `offset`.
    package func segmentStart(continuingAt offset: Int64) -> Int64? {
        segments.filter { $0.start <= offset - 1 && offset - 1 <= $0.last }.map(\.start).min()
    }

    /// Adds a segment (what a session has applied since), keeping ``ranges`` up to date.
    package mutating func add(_ segment: Segment) {
        guard segment.last >= segment.start else { return }
        if let index = segments.firstIndex(where: { $0.start == segment.start }) {
            segments[index].last = max(segments[index].last, segment.last)
        } else {
            segments.append(segment)
            segments.sort()
        }
        ranges = Self.union(segments)
    }

    private static func union(_ sorted: [Segment]) -> [ClosedRange<Int64>] {
        var result: [ClosedRange<Int64>] = []
        for segment in sorted where segment.last >= segment.start {
            if let last = result.last, segment.start <= last.upperBound &+ 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, segment.last)
            } else {
                result.append(segment.start...segment.last)
            }
        }
        return result
    }

    /// Builds the applied offsets per partition from stored rows `(partition, incarnation, segment start, last)`,
    /// keeping for each partition only its newest incarnation.
    package static func fromRows(_ rows: [(partition: Int32, incarnation: UInt32, start: Int64, last: Int64)]) -> [Int32: AppliedOffsets] {
        var newest: [Int32: UInt32] = [:]
        for row in rows { newest[row.partition] = max(newest[row.partition] ?? 0, row.incarnation) }
        var segments: [Int32: [Segment]] = [:]
        for row in rows where row.incarnation == newest[row.partition] {
            segments[row.partition, default: []].append(Segment(start: row.start, last: row.last))
        }
        var result: [Int32: AppliedOffsets] = [:]
        for (partition, list) in segments {
            result[partition] = AppliedOffsets(incarnation: newest[partition] ?? 0, segments: list)
        }
        return result
    }
}

extension AppliedOffsets {
    /// The first offset at or after `offset` that is not applied.
    package func firstUnapplied(atOrAfter offset: Int64) -> Int64 {
        for range in ranges where range.contains(offset) { return range.upperBound + 1 }
        return offset
    }
}
