import Kafka
import Store

/// The poll thread's books about its partitions: what the current window holds, what the store holds, where each
/// session's progress segment starts, which partitions wait for their stored progress or stopped on a regression.
///
/// A value type without I/O: the ``IngestService`` asks it what to do with each record and tells it what happened
/// (assignment, acknowledgement, revocation, a cleared store), so every rule of the skip/segment bookkeeping that makes
/// re-reading exact (see ``AppliedOffsets``) lives here and is tested without a broker.
package struct PartitionLedger: Sendable {
    /// What to do with a record.
    package enum Admission: Sendable, Hashable {
        /// Analyze it: its offset is booked in the window.
        case analyze
        /// Skip it: the store already holds its offset (the offset is still booked, so it is committed with the window).
        case alreadyApplied
        /// Ignore it entirely: its partition is not read now (regressed, or waiting for its stored progress).
        case ignore
    }

    /// Partitions this member reads.
    package private(set) var assigned: Set<TopicPartition> = []
    /// Next offset to read per partition, for records booked into the current window.
    package private(set) var pending: [TopicPartition: Int64] = [:]
    /// Per partition: the offsets the store holds (read on assignment, extended as batches are acknowledged).
    private var applied: [TopicPartition: AppliedOffsets] = [:]
    /// Per partition read in this session: the start of the progress segment its batches extend.
    private var segmentStarts: [TopicPartition: Int64] = [:]
    /// Partitions whose stored progress is beyond their end while the action is `fail`: nothing is read from them.
    package private(set) var regressed: Set<TopicPartition> = []
    /// Partitions whose records are ignored until their stored progress is read (again) and they are positioned after it.
    package private(set) var awaitingReload: Set<TopicPartition> = []
    /// Offsets known to be applied (or cleared) but not committed yet: committed with the next commit.
    package private(set) var appliedNotCommitted: [TopicPartition: Int64] = [:]

    // Deep-watch coverage (see ``WatchCoverage``).
    /// The watched keys of the current window (the analyzer's pinned list, or a fill's keys), by index.
    package private(set) var watchKeys: [String] = []
    /// Which of ``watchKeys`` the record last admitted for analysis is collected for (bit `i` = key `i`).
    package private(set) var watchMask: UInt64 = 0
    /// Per partition and key index: the open run of offsets analyzed with the key collected, continuing across windows
    /// while every record in between was analyzed for the key.
    private var runs: [TopicPartition: [Int: Int64]] = [:]
    /// The current window's coverage claims: (partition, key index, run start) → last offset.
    private var claims: [CoverageSlot: Int64] = [:]
    /// Set for a fill (``startFill(keys:covered:)``).
    private var fill: [TopicPartition: [AppliedOffsets]]? = nil

    private struct CoverageSlot: Hashable {
        var tp: TopicPartition
        var key: Int
        var start: Int64
    }

    package init() {}

    /// Whether this ledger books a fill (``startFill(keys:covered:)``).
    package var isFill: Bool { fill != nil }

    // MARK: - Records

    /// Books a record at `offset` of `tp` into the current window and says what to do with it.
    ///
    /// In a fill, only records the store already holds are read, and each only for the watched keys whose values of it
    /// are not stored (``watchMask``); records it does not hold are ignored (the live group or a replay applies them).
    package mutating func admit(_ tp: TopicPartition, offset: Int64) -> Admission {
        guard !regressed.contains(tp), !awaitingReload.contains(tp) else {
            breakRuns(tp)
            return .ignore
        }
        let stored = applied[tp]
        if let fill {
            guard stored?.contains(offset) == true else {
                breakRuns(tp)
                return .ignore
            }
            pending[tp] = offset + 1
            var mask: UInt64 = 0
            let covered = fill[tp] ?? []
            for index in watchKeys.indices where index >= covered.count || !covered[index].contains(offset) {
                mask |= 1 << UInt64(index)
            }
            guard mask != 0 else {
                breakRuns(tp)
                return .alreadyApplied
            }
            collected(tp, offset: offset, mask: mask)
            return .analyze
        }
        pending[tp] = offset + 1
        if segmentStarts[tp] == nil { segmentStarts[tp] = stored?.segmentStart(continuingAt: offset) ?? offset }
        if stored?.contains(offset) == true {
            breakRuns(tp)
            return .alreadyApplied
        }
        collected(tp, offset: offset, mask: watchKeys.isEmpty ? 0 : UInt64.max >> UInt64(64 - watchKeys.count))
        return .analyze
    }

    /// The record at `offset` of `tp` is analyzed for the keys in `mask`: their runs go on (or start), the others' end.
    private mutating func collected(_ tp: TopicPartition, offset: Int64, mask: UInt64) {
        watchMask = mask
        guard !watchKeys.isEmpty else { return }
        var open = runs[tp] ?? [:]
        for index in watchKeys.indices {
            if mask & (1 << UInt64(index)) != 0 {
                let start = open[index] ?? offset
                open[index] = start
                claims[CoverageSlot(tp: tp, key: index, start: start)] = offset
            } else {
                open[index] = nil
            }
        }
        runs[tp] = open
    }

    private mutating func breakRuns(_ tp: TopicPartition) {
        runs[tp] = nil
    }

    /// Whether the current window holds coverage claims (the watch list may change only when it does not).
    package var hasCoverageClaims: Bool { !claims.isEmpty }

    /// The window's watch list is `keys` (set only between windows): runs of another list end.
    package mutating func setWatchKeys(_ keys: [String]) {
        guard keys != watchKeys else { return }
        precondition(claims.isEmpty, "the watch list changes only between windows")
        watchKeys = keys
        runs = [:]
    }

    /// Starts a fill of `keys`: per partition and key (in `keys` order) the offsets whose values are stored already.
    package mutating func startFill(keys: [String], covered: [TopicPartition: [AppliedOffsets]]) {
        setWatchKeys(keys)
        fill = covered
    }

    /// The current window's coverage rows (see ``WatchCoverage``), then forgotten; open runs go on in the next window.
    package mutating func takeCoverage() -> [WatchCoverage] {
        defer { claims = [:] }
        return claims.map { slot, last in
            WatchCoverage(
                key: watchKeys[slot.key], topic: slot.tp.topic, partition: slot.tp.partition, incarnation: applied[slot.tp]?.incarnation ?? 0,
                segmentStart: slot.start, lastOffset: last)
        }.sorted { ($0.key, $0.topic, $0.partition, $0.segmentStart) < ($1.key, $1.topic, $1.partition, $1.segmentStart) }
    }

    /// The window (and any batch in flight) was dropped: its claims go, and no run continues past it.
    package mutating func dropCoverage() {
        claims = [:]
        runs = [:]
    }

    /// The progress rows of the current window: one per partition booked, extending that partition's segment (none in a fill).
    package func progressRows() -> [PartitionProgress] {
        guard fill == nil else { return [] }  // a fill applies nothing
        return pending.map { tp, next in
            PartitionProgress(
                topic: tp.topic, partition: tp.partition, lastOffset: next - 1, segmentStart: segmentStarts[tp] ?? (next - 1),
                incarnation: applied[tp]?.incarnation ?? 0)
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Hands the window's offsets to a flush (or a drop) and starts an empty window.
    package mutating func takePending() -> [TopicPartition: Int64] {
        defer { pending = [:] }
        return pending
    }

    /// The store acknowledged the batch that covered `offsets` (next offset per partition): those offsets are applied,
    /// and a re-read (after a seek) must skip them.
    package mutating func acknowledged(_ offsets: [TopicPartition: Int64]) {
        for (tp, next) in offsets {
            guard let start = segmentStarts[tp] else { continue }
            applied[tp, default: AppliedOffsets()].add(.init(start: start, last: next - 1))
        }
    }

    /// Offsets to commit with the next commit besides acknowledged ones (then forgotten).
    package mutating func takeAppliedNotCommitted() -> [TopicPartition: Int64] {
        defer { appliedNotCommitted = [:] }
        return appliedNotCommitted
    }

    // MARK: - Assignment

    /// Partitions are assigned (their progress is loaded separately, see ``loaded(_:)``).
    package mutating func assign(_ partitions: some Sequence<TopicPartition>) {
        assigned.formUnion(partitions)
    }

    /// The stored progress of `tp` was read: the store holds `stored`; the next record starts a new session segment.
    package mutating func loaded(_ tp: TopicPartition, _ stored: AppliedOffsets) {
        breakRuns(tp)
        applied[tp] = stored
        segmentStarts[tp] = nil
        awaitingReload.remove(tp)
    }

    /// The applied offsets of `tp`, as last loaded or acknowledged.
    package func appliedOffsets(_ tp: TopicPartition) -> AppliedOffsets? { applied[tp] }

    /// A partition must start at `start` (after what the store holds): commit it there too, if that is ahead of the commit.
    package mutating func startsAfterStored(_ tp: TopicPartition, at start: Int64) {
        appliedNotCommitted[tp] = start
    }

    /// A partition starts as a new incarnation (``OffsetRegressionAction/reset``).
    package mutating func reset(_ tp: TopicPartition, incarnation: UInt32) {
        breakRuns(tp)
        applied[tp] = AppliedOffsets(incarnation: incarnation)
        segmentStarts[tp] = nil
        appliedNotCommitted[tp] = nil
    }

    /// Stored progress lies beyond the partition's end and the action is `fail`: nothing is read from it.
    package mutating func markRegressed(_ tp: TopicPartition) {
        regressed.insert(tp)
    }

    /// These partitions' records are ignored until their stored progress is read again (``loaded(_:_:)``).
    package mutating func awaitReload(_ partitions: some Sequence<TopicPartition>) {
        awaitingReload.formUnion(partitions)
    }

    /// Partitions are revoked or lost: forget everything about them.
    package mutating func revoke(_ partitions: some Sequence<TopicPartition>) {
        for tp in partitions {
            assigned.remove(tp)
            breakRuns(tp)
            claims = claims.filter { $0.key.tp != tp }
            applied[tp] = nil
            segmentStarts[tp] = nil
            regressed.remove(tp)
            awaitingReload.remove(tp)
            pending[tp] = nil
            appliedNotCommitted[tp] = nil
        }
    }

    // MARK: - Clear

    /// The store was emptied (progress included) while the window's records were discarded: the window's offsets are
    /// committed as they are (those records are cleared, not to be read again), and nothing is applied any more — the
    /// next record of each partition starts a new segment of incarnation 0, so the progress rows written after the clear
    /// claim only offsets applied after it, and a later replay fills in everything before.
    package mutating func storeCleared() {
        appliedNotCommitted.merge(pending) { max($0, $1) }
        pending = [:]
        for tp in applied.keys { applied[tp] = AppliedOffsets() }
        segmentStarts = [:]
        dropCoverage()
    }
}
