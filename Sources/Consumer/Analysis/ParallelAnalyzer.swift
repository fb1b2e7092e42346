import Foundation
import Kafka
import Store
import Synchronization

/// Aggregates records on several threads: one ``MetadataWindow`` per *lane*, drained together into one batch.
///
/// With one lane, ``enqueue(_:signal:timestamp:owner:)`` analyzes the record at once on the calling thread. With more,
/// each lane is a thread of its own with a short queue: `enqueue` hands the record to the lane with the least queued
/// work and returns (it waits only while every queue is full, which bounds the records held), so the calling thread —
/// the Kafka poll thread — keeps reading while the lanes decode and aggregate. ``finishQueued()`` waits until every
/// queued record is analyzed; only then may the windows be drained. Each record goes whole into one window and is
/// validated before it is applied, so a bad record leaves every window unchanged.
///
/// Splitting is exact because aggregation does not depend on which records share a window (see ``MetadataWindow``):
/// ``drain()`` concatenates the lanes' batches and merges the key aggregates several lanes hold for one key
/// (``KeyAggregate/merge(_:members:)``: the stored states are those the separate rows would give; with two lanes, measured:
/// 46 % fewer rows per INSERT on the sum shape, 44 % on mixed, 8 % on spread, where a record is one metric and service);
/// the other rows several lanes hold for one aggregate are merged by
/// ClickHouse in the INSERT itself (the materialized view groups by the aggregate's key), exactly as rows of consecutive
/// windows merge in the table.
///
/// - Note: All methods are for one thread (the poll thread); the lanes are internal.
package final class ParallelAnalyzer {
    /// A record that could not be decoded (its window is unchanged).
    package struct Failure {
        /// What was given to ``enqueue(_:signal:timestamp:owner:id:)`` with the record; `nil` when the analyzer releases
        /// failed payloads (``releasesFailedPayloads``): the record then lives on only as ``id``, ``size`` and ``firstBytes``.
        package var owner: AnyObject?
        /// What was given as `id` with the record.
        package var id: KafkaRecord.ID?
        package var timestamp: EpochSeconds
        package var error: OTLPDecodeError
        /// The payload's size in bytes.
        package var size: Int
        /// The payload's first ``QuarantinedRecord/maxStoredBytes`` bytes (what the quarantine keeps).
        package var firstBytes: [UInt8]
        /// Enqueue order.
        var sequence: UInt64

        /// Memory the failure holds until ``finishQueued()`` hands it over, approximately: its prefix and reason, and
        /// the whole payload when the owner is kept.
        var heldBytes: Int { 256 &+ firstBytes.count &+ error.reason.utf8.count &+ (owner == nil ? 0 : size) }
    }

    /// What the records analyzed since the last ``finishQueued()`` gave.
    package struct Outcome {
        /// Items (data points, spans, log records) of the records applied.
        package var items = 0
        /// The records that failed, in the order they were queued.
        package var failures: [Failure] = []
        /// ``Failure/heldBytes`` of `failures`.
        var failureBytes = 0
    }

    /// Threads that aggregate at once.
    package let lanes: Int
    /// The bounds each lane's window applies.
    package let limits: WindowLimits
    /// Records one lane's queue holds at most…
    package static let queuedPerLane = 4
    /// …and bytes, beyond a first record (large records then wait one at a time): the records held outside librdkafka's
    /// prefetch queue stay within lanes × (this + two records).
    package static let queuedBytesPerLane = 4 << 20
    /// Whether a failed record's owner (its payload) is let go as soon as the record failed, keeping only its
    /// ``Failure/firstBytes``: then garbage records cost a few hundred bytes each until the next drain, not their size.
    package let releasesFailedPayloads: Bool

    private let encoding: OTLPEncoding
    /// One lane: the calling thread analyzes it itself.
    private var inlineWindow: MetadataWindow
    private var inlineOutcome = Outcome()
    /// More lanes: one thread each.
    private let workers: [Lane]
    private var sequence: UInt64 = 0

    /// - Parameters:
    ///   - lanes: Threads to aggregate on (at least 1; 1 analyzes on the calling thread, in ``enqueue(_:signal:timestamp:owner:)``).
    ///   - encoding: How payloads are encoded (``OTLPEncoding/auto`` detects JSON per record).
    ///   - releasesFailedPayloads: See ``releasesFailedPayloads`` (keep them when the whole payload is still needed, e.g. for
    ///     a dead-letter topic; they then count toward ``approximateBytes`` with their full size).
    ///   - watch: The deep-watch list every lane's window collects values for (``MetadataWindow/init(limits:watch:)``).
    package init(
        lanes: Int, limits: WindowLimits = .init(), encoding: OTLPEncoding = .auto, releasesFailedPayloads: Bool = false,
        watch: WatchRegistry? = nil
    ) {
        self.lanes = max(1, lanes)
        self.limits = limits
        self.encoding = encoding
        self.releasesFailedPayloads = releasesFailedPayloads
        inlineWindow = MetadataWindow(limits: limits, watch: watch)
        workers =
            self.lanes == 1
            ? []
            : (0..<self.lanes).map {
                Lane(index: $0, limits: limits, encoding: encoding, releasesFailedPayloads: releasesFailedPayloads, watch: watch)
            }
        for lane in workers { lane.start() }
    }

    deinit {
        for lane in workers { lane.stop() }
    }

    /// The lane count to use when none is configured: one per core, at most 4, and 1 on a single core (the lanes then
    /// only add hand-over cost).
    package static var defaultLanes: Int { min(4, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    // MARK: - Size (of what was analyzed so far; with several lanes, as of each lane's last record)

    /// Rows a drain would produce at most (the lanes' rows added up: an aggregate held by two lanes counts twice, although
    /// ``drain()`` merges their key rows).
    package var rowCount: Int {
        workers.isEmpty ? inlineWindow.rowCount : workers.reduce(0) { $0 + $1.rows.load(ordering: .relaxed) }
    }

    /// Memory the lanes hold, approximately, in bytes: their windows and the failed records not yet handed over.
    package var approximateBytes: Int {
        workers.isEmpty
            ? inlineWindow.approximateBytes &+ inlineOutcome.failureBytes
            : workers.reduce(0) { $0 + $1.bytes.load(ordering: .relaxed) + $1.failureBytes.load(ordering: .relaxed) }
    }

    /// Whether some lane holds a key at ``WindowLimits/maxDistinctValuesPerKey`` distinct values (flush now).
    package var hasKeyAtValueLimit: Bool {
        workers.isEmpty ? inlineWindow.hasKeyAtValueLimit : workers.contains { $0.atValueLimit.load(ordering: .relaxed) }
    }

    // MARK: - Analysis

    /// Analyzes a record (one lane) or queues it on the lane with the least queued work, waiting while every queue is
    /// full. `payload` must stay valid while `owner` lives; the analyzer holds `owner` until the record is analyzed
    /// (and, when it fails, until ``finishQueued()`` returns it).
    /// - Parameter watchMask: Which of the pinned watched keys to collect for this record (``RecordContext/watchMask``).
    package func enqueue(
        _ payload: UnsafeRawBufferPointer, signal: Signal, timestamp: EpochSeconds, owner: AnyObject, id: KafkaRecord.ID? = nil,
        watchMask: UInt64 = .max
    ) {
        sequence &+= 1
        let record = Pending(
            payload: payload, signal: signal, context: RecordContext(timestamp: timestamp, watchMask: watchMask), owner: owner, id: id,
            sequence: sequence)
        guard !workers.isEmpty else {
            Self.analyze(record, in: &inlineWindow, encoding: encoding, releasesFailedPayloads: releasesFailedPayloads, outcome: &inlineOutcome)
            return
        }
        var target = workers[0]
        var least = Int.max
        for lane in workers {
            let queued = lane.queuedBytes.load(ordering: .relaxed)
            if queued < least {
                least = queued
                target = lane
            }
        }
        target.push(record)
    }

    /// Waits until every queued record is analyzed, and returns what the records analyzed since the last call gave.
    /// Afterwards, until the next ``enqueue(_:signal:timestamp:owner:)``, the windows are at rest: sizes are exact and
    /// ``drain()`` may run.
    package func finishQueued() -> Outcome {
        guard !workers.isEmpty else {
            defer { inlineOutcome = Outcome() }
            return inlineOutcome
        }
        var outcome = Outcome()
        for lane in workers {
            let part = lane.waitUntilIdle()
            outcome.items &+= part.items
            outcome.failures += part.failures
            outcome.failureBytes &+= part.failureBytes
        }
        if workers.count > 1 { outcome.failures.sort { $0.sequence < $1.sequence } }
        return outcome
    }

    /// What the window limits dropped in the window the last ``drain()`` handed over (summed over the lanes).
    package private(set) var lastDrainOverflow = WindowOverflow()

    /// Hands over everything the lanes aggregated and resets them. Call ``finishQueued()`` first. What the window limits
    /// dropped from it is in ``lastDrainOverflow`` afterwards.
    package func drain() -> MetadataBatch {
        guard !workers.isEmpty else {
            lastDrainOverflow = inlineWindow.overflow
            return inlineWindow.drain()
        }
        // The lanes are idle: each window is drained on a thread of its own (a drain sorts every key's hashes and makes
        // the batch's strings; on the spread shape ~14 % of the analysis), not one after another on the poll thread.
        let lanes = workers
        let parts = Mutex<[(MetadataBatch, WindowOverflow)?]>(Array(repeating: nil, count: lanes.count))
        DispatchQueue.concurrentPerform(iterations: lanes.count) { i in
            let part = lanes[i].drainWhenIdle()
            parts.withLock { $0[i] = part }
        }
        var batch = MetadataBatch()
        lastDrainOverflow = WindowOverflow()
        for part in parts.withLock({ $0 }) {
            guard let (part, overflow) = part else { continue }
            lastDrainOverflow.add(overflow)
            batch.signals += part.signals
            batch.keys += part.keys
            batch.templates += part.templates
            batch.watchedValues += part.watchedValues
        }
        batch.keys = KeyAggregate.mergingDuplicates(batch.keys)
        return batch
    }

    /// Pins every lane's window to the watch list `keys` (``MetadataWindow/pinWatch(keys:)``), so that one batch never
    /// mixes lists. Only while the windows are empty (right after a drain, before the next record).
    package func pinWatch(keys: [String]) {
        pinnedKeys = keys
        guard !workers.isEmpty else {
            inlineWindow.pinWatch(keys: keys)
            return
        }
        for lane in workers { lane.pinWatch(keys: keys) }
    }

    /// The watch list set by ``pinWatch(keys:)``; `nil` before.
    package private(set) var pinnedKeys: [String]? = nil

    /// Waits for the queued records and drops everything the lanes hold (a dropped or cleared window).
    /// - Returns: The rows dropped.
    @discardableResult
    package func discardAll() -> Int {
        _ = finishQueued()
        let rows = rowCount
        _ = drain()
        return rows
    }

    // MARK: - Lanes

    fileprivate struct Pending {
        var payload: UnsafeRawBufferPointer
        var signal: Signal
        var context: RecordContext
        /// Keeps `payload` valid until the record is analyzed.
        var owner: AnyObject
        var id: KafkaRecord.ID?
        var sequence: UInt64
    }

    fileprivate static func analyze(
        _ record: Pending, in window: inout MetadataWindow, encoding: OTLPEncoding, releasesFailedPayloads: Bool,
        outcome: inout Outcome
    ) {
        do {
            outcome.items &+= try window.ingest(record.payload, signal: record.signal, encoding: encoding, context: record.context)
        } catch {
            let failure = Failure(
                owner: releasesFailedPayloads ? nil : record.owner, id: record.id, timestamp: record.context.timestamp, error: error,
                size: record.payload.count, firstBytes: Array(record.payload.prefix(QuarantinedRecord.maxStoredBytes)),
                sequence: record.sequence)
            outcome.failureBytes &+= failure.heldBytes
            outcome.failures.append(failure)
        }
    }

    /// One analyzing thread with its queue and window.
    ///
    /// The queue, `busy`, `outcome` and `stopping` are guarded by `condition`. The window belongs to the lane's thread
    /// while it analyzes, and to the owner's thread once ``waitUntilIdle()`` saw the queue empty and the lane idle (the
    /// lock orders the two). The published sizes are atomics the owner reads at any time.
    private final class Lane: @unchecked Sendable {
        let index: Int
        let encoding: OTLPEncoding
        let releasesFailedPayloads: Bool
        let condition = NSCondition()
        var queue: [Pending] = []
        var busy = false
        var stopping = false
        var outcome = Outcome()
        var window: MetadataWindow
        let queuedBytes = Atomic<Int>(0)
        let rows = Atomic<Int>(0)
        let bytes = Atomic<Int>(0)
        let atValueLimit = Atomic<Bool>(false)
        /// ``Outcome/failureBytes`` of the failures not yet taken by ``waitUntilIdle()``.
        let failureBytes = Atomic<Int>(0)
        private var thread: Thread?

        init(index: Int, limits: WindowLimits, encoding: OTLPEncoding, releasesFailedPayloads: Bool, watch: WatchRegistry?) {
            self.index = index
            self.encoding = encoding
            self.releasesFailedPayloads = releasesFailedPayloads
            window = MetadataWindow(limits: limits, watch: watch)
            publishSizes()
        }

        func start() {
            let thread = Thread { [self] in run() }
            thread.name = "census-analyze-\(index)"
            thread.stackSize = 8 << 20
            self.thread = thread
            thread.start()
        }

        /// Ends the thread once its queue is empty (without waiting for it).
        func stop() {
            condition.lock()
            stopping = true
            condition.broadcast()
            condition.unlock()
        }

        /// Queues a record, waiting while the queue is full.
        func push(_ record: Pending) {
            condition.lock()
            while queue.count >= ParallelAnalyzer.queuedPerLane
                || (!queue.isEmpty && queuedBytes.load(ordering: .relaxed) >= ParallelAnalyzer.queuedBytesPerLane)
            { condition.wait() }
            queue.append(record)
            queuedBytes.add(record.payload.count, ordering: .relaxed)
            condition.broadcast()
            condition.unlock()
        }

        /// Waits until the queue is empty and nothing is being analyzed; takes the outcome.
        func waitUntilIdle() -> Outcome {
            condition.lock()
            defer { condition.unlock() }
            while !queue.isEmpty || busy { condition.wait() }
            defer {
                outcome = Outcome()
                failureBytes.store(0, ordering: .relaxed)
            }
            return outcome
        }

        /// Pins the window's watch list, once the lane is idle.
        func pinWatch(keys: [String]) {
            condition.lock()
            defer { condition.unlock() }
            while !queue.isEmpty || busy { condition.wait() }
            window.pinWatch(keys: keys)
            publishSizes()
        }

        /// Drains the window (the lane must be idle: after ``waitUntilIdle()``), with what its limits dropped.
        func drainWhenIdle() -> (MetadataBatch, WindowOverflow) {
            condition.lock()
            defer { condition.unlock() }
            precondition(queue.isEmpty && !busy, "finishQueued() before drain()")
            let overflow = window.overflow
            let batch = window.drain()
            publishSizes()
            return (batch, overflow)
        }

        private func publishSizes() {
            rows.store(window.rowCount, ordering: .relaxed)
            bytes.store(window.approximateBytes, ordering: .relaxed)
            atValueLimit.store(window.hasKeyAtValueLimit, ordering: .relaxed)
        }

        private func run() {
            var local = Outcome()
            condition.lock()
            while true {
                while queue.isEmpty && !stopping { condition.wait() }
                if queue.isEmpty { break }
                var record: Pending? = queue.removeFirst()
                busy = true
                condition.broadcast()  // a slot is free
                condition.unlock()

                ParallelAnalyzer.analyze(record!, in: &window, encoding: encoding, releasesFailedPayloads: releasesFailedPayloads, outcome: &local)
                publishSizes()
                queuedBytes.subtract(record!.payload.count, ordering: .relaxed)
                record = nil  // a failed record's payload goes now (unless kept), not when the next record arrives

                condition.lock()
                busy = false
                outcome.items &+= local.items
                outcome.failures += local.failures
                outcome.failureBytes &+= local.failureBytes
                failureBytes.add(local.failureBytes, ordering: .relaxed)
                local = Outcome()
                if queue.isEmpty { condition.broadcast() }  // someone may wait for the lane to be idle
            }
            condition.unlock()
        }
    }
}
