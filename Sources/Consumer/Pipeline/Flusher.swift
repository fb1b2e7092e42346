import Foundation
import Kafka
import Logging
import Store
import Synchronization

/// Writes one batch at a time to a ``MetadataSink``, retrying until the store holds it exactly once or it is abandoned.
///
/// The poll thread submits a batch together with the offsets it covers, keeps consuming, and later collects the
/// completed offsets to commit them — so offsets are committed only after the store acknowledged the data.
///
/// Every attempt carries a write fence (``WriteFence``): the store refuses it once its clock is past the fence. The fence
/// is at most ``attemptTimeLimit`` after the attempt starts and never after the member's ownership lease ends
/// (``OwnershipLease``; confirmed first when it is about to end). The batch is encoded once, before the first fence is
/// taken (``MetadataSink/prepare(_:)``), so a fence bounds only the sending. The time when an attempt may still land is
/// bounded:
/// - a resend after an ambiguous failure waits until the store's clock is past the failed attempt's fence, then until the
///   store no longer runs it, then reads the stored progress — an attempt still queued in a socket can no longer land;
/// - a member paused past its session (SIGSTOP, a VM pause) finds its lease lapsed and cannot confirm it, and whatever it
///   had sent before the pause is refused once it arrives after the lease;
/// - ``abandon()`` tells the caller until when an abandoned attempt may still land, so a rebalance or shutdown can wait
///   it out before the partitions go to another member.
/// - Note: All methods are thread-safe. `waitUntilIdle` blocks the calling thread; call it only from the
///   dedicated poll thread, never from the cooperative pool.
package final class Flusher: Sendable {
    private let sink: any MetadataSink
    private let logger: Logger
    private let metrics: PipelineMetrics?
    private let ownership: Ownership?
    private let state = Mutex(State())
    private let idle = NSCondition()

    /// Who vouches for the right to write: the lease and how to confirm it (a blocking call, run off the task pool).
    package struct Ownership: Sendable {
        package var lease: OwnershipLease
        package var confirm: @Sendable () -> Bool
        package init(lease: OwnershipLease, confirm: @escaping @Sendable () -> Bool) {
            self.lease = lease
            self.confirm = confirm
        }
    }

    /// Longest time an attempt may take to reach the store's INSERT pipeline before its fence refuses it.
    package static let attemptTimeLimit: Duration = .seconds(20)
    /// After this many attempts of one batch in a row refused by their fence, the flusher says so as an error (and again
    /// after as many more): the store is too slow for the lease, not briefly stalled.
    static let fencedAttemptsBeforeError = 3
    /// An attempt is sent only while the lease holds at least this long; otherwise the lease is confirmed first.
    package static let minimumLease: Duration = .seconds(1)

    /// How long the lease should still hold when an attempt is sent: twice the last attempt's duration (a large INSERT
    /// into a busy store takes seconds before ClickHouse checks its fence), at least ``minimumLease``, at most the lease's
    /// length less ``OwnershipLease/margin`` (a fresh confirmation always satisfies it). Below it, the flusher confirms the
    /// lease first — one commit round trip — so the attempt starts with the whole lease instead of being refused.
    static func wantedLease(lastAttempt: Duration?, leaseLength: Duration) -> Duration {
        let wanted = (lastAttempt ?? .zero) * 2
        return max(minimumLease, min(wanted, leaseLength - OwnershipLease.margin))
    }

    private struct State {
        var generation: UInt64 = 0
        var busy = false
        /// Bytes the batch in flight holds: its window's bytes until it is encoded, then its prepared INSERT
        /// (``PreparedInsert/heldBytes``).
        var held = 0
        var abandoned = false
        /// The latest deadline (local clock) of any attempt sent for the current generation.
        var latestDeadline: ContinuousClock.Instant? = nil
        /// Offsets of the last batch that was written and not yet collected.
        var completed: [TopicPartition: Int64]? = nil
        var failures: UInt64 = 0
        var flushes: UInt64 = 0
        var rows: UInt64 = 0
        var lastError: String? = nil
        /// Batches found applied after an INSERT whose answer was lost (not sent again).
        var appliedDespiteFailure: UInt64 = 0
        /// Attempts the store refused because their fence had passed.
        var fenced: UInt64 = 0
        /// How long the last attempt that reached the store took (written or refused by its fence).
        var lastAttempt: Duration? = nil
        /// Why the last batch can never be written (refused before sending: too large for one INSERT).
        var unwritable: String? = nil
    }

    /// - Parameter ownership: The member's lease; `nil` writes with ``attemptTimeLimit`` fences only (no group).
    package init(sink: any MetadataSink, logger: Logger, metrics: PipelineMetrics? = nil, ownership: Ownership? = nil) {
        self.sink = sink
        self.logger = logger
        self.metrics = metrics
        self.ownership = ownership
    }

    /// Whether a batch is being written.
    package var isBusy: Bool { state.withLock { $0.busy } }

    /// Bytes the batch in flight holds, `nil` when none is: what it was submitted with until it is encoded, then its
    /// prepared INSERT (``PreparedInsert/heldBytes``) — the drained window is released then. The poll loop lets its
    /// next window fill into what this leaves of the budget (``BatchPolicy/fillLimit(writing:)``).
    package var heldBytes: Int? { state.withLock { $0.busy ? $0.held : nil } }

    /// Starts writing `batch`; `offsets` (next offset to read, per partition) become available through
    /// ``takeCompleted()`` once the store acknowledged the batch.
    /// - Parameter bytes: What the batch's window held (``heldBytes`` until it is encoded).
    /// - Important: Only one batch at a time: the caller checks ``isBusy`` first.
    package func submit(_ batch: MetadataBatch, bytes: Int, offsets: [TopicPartition: Int64]) {
        let generation: UInt64 = state.withLock { state in
            precondition(!state.busy, "Flusher.submit while a flush is in flight")
            state.busy = true
            state.held = bytes
            state.abandoned = false
            state.latestDeadline = nil
            state.generation &+= 1
            return state.generation
        }
        let submitted = ContinuousClock.now
        let rows = batch.rowCount
        let handoff = Handoff(batch)
        Task.detached { [self] in
            let outcome = await self.writeUntilApplied(handoff.take(), rows: rows, generation: generation)
            if outcome { self.metrics?.flushSucceeded(rows: rows, duration: .now - submitted) }
            self.finish(generation: generation, offsets: outcome ? offsets : nil, rows: outcome ? rows : 0)
        }
    }

    /// Passes a batch to the task that writes it without keeping a reference, so that once it is encoded only its
    /// per-attempt part (``MetadataBatch/perAttempt``) stays in memory while it is sent.
    private final class Handoff: Sendable {
        private let slot: Mutex<MetadataBatch?>
        init(_ batch: MetadataBatch) { slot = Mutex(batch) }
        func take() -> MetadataBatch { slot.withLock { $0.take() } ?? MetadataBatch() }
    }

    /// Writes `batch` until the store holds it exactly once, or the batch is abandoned (returns `false`).
    ///
    /// Each attempt is ONE INSERT (no client-level retries) carrying the batch's query id and a fresh fence. After a
    /// failure that may have been applied (``SinkWriteError/Outcome/mayHaveBeenApplied``) the next step is not a resend
    /// but a check: wait until the store's clock is past that attempt's fence (from then on it cannot start any more), then
    /// until the store no longer runs that query id, then read the stored progress; when every partition's last offset of
    /// the batch is applied, the batch landed and is done. Only otherwise is it sent again. So a retry never applies a
    /// batch twice, even when the first attempt was still queued in the store's socket.
    private func writeUntilApplied(_ drained: consuming MetadataBatch, rows: Int, generation: UInt64) async -> Bool {
        let queryID = "census-\(UUID().uuidString.lowercased())"
        // Encoded once, before any fence is taken: an attempt's fence bounds only its sending, so a batch that takes
        // longer to encode than the lease lasts still lands, and no retry encodes it again.
        let prepared: PreparedInsert
        do {
            prepared = try sink.prepare(drained)
        } catch {
            giveUp(rows: rows, error: error)
            return false
        }
        // From here on the aggregates live only in their encoded form: the drained window is released.
        let batch = (consume drained).perAttempt
        release(to: prepared.heldBytes, generation: generation)
        var backoff = Duration.milliseconds(100)
        var attempt = 0
        var fencedInARow = 0
        var unsettled: WriteFence? = nil  // the fence of an attempt that may have been applied
        func isCurrent() -> Bool { state.withLock { !$0.abandoned && $0.generation == generation } }
        func pause() async {
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
        while isCurrent() {
            if let fence = unsettled {
                do {
                    guard try await sink.hasPassed(fence) else {
                        logger.info(
                            "waiting until the store's clock passes the fence of an INSERT whose answer was lost",
                            metadata: ["query_id": "\(queryID)", "fence": "\(fence)"])
                        await pause()
                        continue
                    }
                    if try await sink.isRunning(queryID: queryID) {
                        logger.info("waiting for an INSERT whose answer was lost to finish", metadata: ["query_id": "\(queryID)"])
                        await pause()
                        continue
                    }
                    if try await Self.isApplied(batch, sink: sink) {
                        state.withLock { $0.appliedDespiteFailure &+= 1 }
                        logger.notice(
                            "batch was applied although its INSERT failed; not sending it again",
                            metadata: ["query_id": "\(queryID)", "batch.rows": "\(rows)"])
                        return true
                    }
                    unsettled = nil
                } catch {
                    logger.warning(
                        "cannot check whether a failed INSERT was applied; checking again",
                        metadata: ["query_id": "\(queryID)", "error": "\(error)"])
                    await pause()
                    continue
                }
            }
            guard let deadline = await attemptDeadline(generation: generation) else {
                if isCurrent() { await pause() }
                continue
            }
            let fence: WriteFence
            do {
                fence = try await sink.fence(until: deadline)
            } catch {
                logger.warning("cannot read the store's clock for the write fence; retrying", metadata: ["error": "\(error)"])
                await pause()
                continue
            }
            attempt += 1
            let started = ContinuousClock.now
            do {
                try await sink.write(prepared, queryID: queryID, fence: fence)
                state.withLock { $0.lastAttempt = ContinuousClock.now - started }
                logger.debug(
                    "batch written",
                    metadata: ["batch.rows": "\(rows)", "elapsed": "\(ContinuousClock.now - started)", "attempt": "\(attempt)"])
                return true
            } catch let error as SinkWriteError where error.outcome == .refusedForever {
                giveUp(rows: rows, error: error)
                return false
            } catch {
                let text = String(describing: error)
                let ambiguous = SinkWriteError.mayHaveBeenApplied(error)
                let fenced = (error as? SinkWriteError)?.outcome == .fenced
                if ambiguous { unsettled = fence }
                state.withLock {
                    $0.failures &+= 1
                    $0.lastError = text
                    if fenced {
                        $0.fenced &+= 1
                        $0.lastAttempt = ContinuousClock.now - started
                    }
                }
                metrics?.flushFailed()
                fencedInARow = fenced ? fencedInARow + 1 : 0
                if fenced {
                    metrics?.flushFenced()
                    let elapsed = ContinuousClock.now - started
                    logger.warning(
                        "the store refused an INSERT that reached it after its write fence (member or store stalled); not applied",
                        metadata: ["query_id": "\(queryID)", "fence": "\(fence)", "elapsed": "\(elapsed)"])
                    if fencedInARow % Self.fencedAttemptsBeforeError == 0 {
                        // Not a stall but a pace: every attempt takes longer than the lease, so none can ever land.
                        logger.error(
                            "every INSERT of this batch reaches the store after its write fence: sending it takes longer than the member's lease; nothing is committed until the store answers faster (or lower the flush size, or raise session.timeout.ms)",
                            metadata: [
                                "query_id": "\(queryID)", "fenced_attempts": "\(fencedInARow)", "elapsed": "\(elapsed)",
                                "lease": "\(ownership.map { "\($0.lease.length)" } ?? "\(Self.attemptTimeLimit)")", "batch.rows": "\(rows)",
                            ])
                    }
                } else if attempt == 1 || attempt % 10 == 0 {
                    // Where the batch comes from: topic/partition@last offset of every partition it covers.
                    let covers = batch.progress.map { "\($0.topic)/\($0.partition)@\($0.lastOffset)" }.joined(separator: ",")
                    logger.error(
                        "batch write failed; retrying (offsets stay uncommitted)",
                        metadata: [
                            "batch.rows": "\(rows)", "attempt": "\(attempt)", "may_have_been_applied": "\(ambiguous)",
                            "error": "\(text)", "kafka.offsets": "\(covers)",
                        ])
                }
                await pause()
            }
        }
        return false
    }

    /// The same bytes would be refused forever: gives the batch up (uncommitted) and says so.
    private func giveUp(rows: Int, error: any Error) {
        logger.critical(
            "batch can never be written; giving it up uncommitted", metadata: ["batch.rows": "\(rows)", "error": "\(error)"])
        state.withLock {
            $0.failures &+= 1; $0.lastError = "\(error)"; $0.unwritable = "\(error)"
        }
        metrics?.flushFailed()
    }

    /// The deadline of the next attempt — ``attemptTimeLimit`` from now, cut at the end of the ownership lease (confirmed
    /// first when it is about to end) — registered for ``abandon()``; `nil` when the batch was abandoned or ownership
    /// cannot be confirmed now.
    private func attemptDeadline(generation: UInt64) async -> ContinuousClock.Instant? {
        let lastAttempt = state.withLock { $0.lastAttempt }
        if let ownership, !ownership.lease.holds(for: Self.wantedLease(lastAttempt: lastAttempt, leaseLength: ownership.lease.length)) {
            let confirm = ownership.confirm
            let confirmed = await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: confirm()) }
            }
            guard confirmed, ownership.lease.holds(for: Self.minimumLease) else {
                logger.warning("ownership of the partitions cannot be confirmed; the batch waits (it is dropped if the partitions are lost)")
                return nil
            }
        }
        var deadline = ContinuousClock.now + Self.attemptTimeLimit
        if let ownership {
            guard let expiry = ownership.lease.expiry else { return nil }
            deadline = min(deadline, expiry)
        }
        return state.withLock { state -> ContinuousClock.Instant? in
            guard !state.abandoned, state.generation == generation else { return nil }
            state.latestDeadline = max(state.latestDeadline ?? deadline, deadline)
            return deadline
        }
    }

    /// Whether the store's progress rows already cover every partition of `batch` up to the batch's last offset.
    static func isApplied(_ batch: MetadataBatch, sink: any MetadataSink) async throws -> Bool {
        guard !batch.progress.isEmpty else {
            // A fill's batch: its coverage rows landed with it (the values of offsets nobody else covers).
            guard !batch.watchCoverage.isEmpty else { return false }
            for row in batch.watchCoverage {
                let stored = try await sink.watchCoverage(keys: [row.key], topic: row.topic, incarnations: [row.partition: row.incarnation])
                guard stored[row.key]?[row.partition]?.contains(row.lastOffset) == true else { return false }
            }
            return true
        }
        var byTopic: [String: [Int32: AppliedOffsets]] = [:]
        for progress in batch.progress {
            if byTopic[progress.topic] == nil { byTopic[progress.topic] = try await sink.appliedOffsets(topic: progress.topic) }
            guard let applied = byTopic[progress.topic]?[progress.partition], applied.incarnation == progress.incarnation,
                applied.contains(progress.lastOffset)
            else { return false }
        }
        return true
    }

    /// The batch in flight now holds only `bytes` (its window was released): wakes a poll thread waiting for room.
    private func release(to bytes: Int, generation: UInt64) {
        idle.lock()
        state.withLock { state in
            guard state.generation == generation, state.busy else { return }
            state.held = bytes
        }
        idle.broadcast()
        idle.unlock()
    }

    private func finish(generation: UInt64, offsets: [TopicPartition: Int64]?, rows: Int) {
        idle.lock()
        state.withLock { state in
            guard state.generation == generation else { return }
            state.busy = false
            state.held = 0
            if let offsets, !state.abandoned {
                state.completed = (state.completed ?? [:]).merging(offsets) { max($0, $1) }
                state.flushes &+= 1
                state.rows &+= UInt64(rows)
                state.lastError = nil
            }
        }
        idle.broadcast()
        idle.unlock()
    }

    /// Offsets of batches written since the last call (to commit now), or `nil`.
    package func takeCompleted() -> [TopicPartition: Int64]? {
        state.withLock { state in
            defer { state.completed = nil }
            return state.completed
        }
    }

    /// Blocks until no batch is in flight or `timeout` passes. Returns whether the flusher is idle.
    package func waitUntilIdle(timeout: Duration) -> Bool {
        wait(timeout: timeout) { $0 == nil }
    }

    /// Blocks until `ready` holds for ``heldBytes`` (`nil`: no batch in flight) — checked now, whenever the batch in
    /// flight releases memory or ends — or `timeout` passes. Returns the last answer of `ready`.
    package func wait(timeout: Duration, until ready: (_ heldBytes: Int?) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout.inSeconds)
        idle.lock()
        defer { idle.unlock() }
        while !ready(heldBytes) {
            if !idle.wait(until: deadline) { return ready(heldBytes) }
        }
        return true
    }

    /// Gives up on the batch in flight: it stops retrying and its offsets are never reported as completed.
    /// Data it may still have written is covered by the progress rows written in the same INSERT.
    /// - Returns: Until when (this process's clock) an attempt already sent may still be applied by the store; `nil`
    ///   when none was in flight. Wait until then before the partitions can go to another member.
    @discardableResult
    package func abandon() -> ContinuousClock.Instant? {
        idle.lock()
        let latest = state.withLock { state -> ContinuousClock.Instant? in
            var latest: ContinuousClock.Instant? = nil
            if state.busy {
                state.abandoned = true
                state.busy = false
                state.held = 0
                state.generation &+= 1
                latest = state.latestDeadline
            }
            state.completed = nil
            return latest
        }
        idle.broadcast()
        idle.unlock()
        return latest
    }

    /// Why a batch was given up because it can never be written (``InsertOutcome/refusedForever``), or `nil`.
    package var unwritable: String? { state.withLock { $0.unwritable } }

    /// Attempts the store refused because they reached it after their write fence.
    package var fencedAttempts: UInt64 { state.withLock { $0.fenced } }

    /// Batches whose INSERT failed ambiguously and that were found applied (so not sent again).
    package var appliedDespiteFailure: UInt64 { state.withLock { $0.appliedDespiteFailure } }

    /// Counters for statistics.
    package var counters: (flushes: UInt64, rows: UInt64, failures: UInt64, lastError: String?) {
        state.withLock { ($0.flushes, $0.rows, $0.failures, $0.lastError) }
    }
}
