import Foundation
import Logging
import Store
import Synchronization

/// Writes one batch at a time to a ``MetadataSink``, retrying until the store holds it exactly once or it is abandoned.
///
/// The poll thread submits a batch together with the offsets it covers, keeps consuming, and later collects the
/// completed offsets to commit them — so offsets are committed only after the store acknowledged the data.
/// - Note: All methods are thread-safe. `waitUntilIdle` blocks the calling thread; call it only from the
///   dedicated poll thread, never from the cooperative pool.
package final class Flusher: Sendable {
    private let sink: any MetadataSink
    private let logger: Logger
    private let metrics: PipelineMetrics?
    private let state = Mutex(State())
    private let idle = NSCondition()

    private struct State {
        var generation: UInt64 = 0
        var busy = false
        var abandoned = false
        /// Offsets of the last batch that was written and not yet collected.
        var completed: [TopicPartition: Int64]? = nil
        var failures: UInt64 = 0
        var flushes: UInt64 = 0
        var rows: UInt64 = 0
        var lastError: String? = nil
        /// Batches found applied after an INSERT whose answer was lost (not sent again).
        var appliedDespiteFailure: UInt64 = 0
        /// Why the last batch can never be written (the store refused it before sending: too large for one INSERT).
        var unwritable: String? = nil
    }

    package init(sink: any MetadataSink, logger: Logger, metrics: PipelineMetrics? = nil) {
        self.sink = sink
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether a batch is being written.
    package var isBusy: Bool { state.withLock { $0.busy } }

    /// Starts writing `batch`; `offsets` (next offset to read, per partition) become available through
    /// ``takeCompleted()`` once the store acknowledged the batch.
    /// - Important: Only one batch at a time: the caller checks ``isBusy`` first.
    package func submit(_ batch: MetadataBatch, offsets: [TopicPartition: Int64]) {
        let generation: UInt64 = state.withLock { state in
            precondition(!state.busy, "Flusher.submit while a flush is in flight")
            state.busy = true
            state.abandoned = false
            state.generation &+= 1
            return state.generation
        }
        let submitted = ContinuousClock.now
        Task.detached { [self] in
            let outcome = await self.writeUntilApplied(batch, generation: generation)
            if outcome { self.metrics?.flushSucceeded(rows: batch.rowCount, duration: .now - submitted) }
            self.finish(generation: generation, offsets: outcome ? offsets : nil, rows: outcome ? batch.rowCount : 0)
        }
    }

    /// Writes `batch` until the store holds it exactly once, or the batch is abandoned (returns `false`).
    ///
    /// Each attempt is ONE INSERT (no client-level retries) carrying the batch's query id. After a failure that may have
    /// been applied (``ClickHouseError/mayHaveBeenApplied``: timeout, connection reset after sending, 5xx without a
    /// definite answer, …) the next step is not a resend but a check: wait until the server no longer runs that query
    /// id, then read the stored progress; when every partition's last offset of the batch is already applied, the
    /// batch landed and is done. Only otherwise is it sent again. So a retry never applies a batch twice.
    private func writeUntilApplied(_ batch: MetadataBatch, generation: UInt64) async -> Bool {
        let queryID = "census-\(UUID().uuidString.lowercased())"
        var backoff = Duration.milliseconds(100)
        var attempt = 0
        var mustVerify = false
        func isCurrent() -> Bool { state.withLock { !$0.abandoned && $0.generation == generation } }
        func pause() async {
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
        while isCurrent() {
            if mustVerify {
                do {
                    if try await sink.isRunning(queryID: queryID) {
                        logger.info("waiting for an INSERT whose answer was lost to finish", metadata: ["query_id": "\(queryID)"])
                        await pause()
                        continue
                    }
                    if try await Self.isApplied(batch, sink: sink) {
                        state.withLock { $0.appliedDespiteFailure &+= 1 }
                        logger.notice("batch was applied although its INSERT failed; not sending it again",
                                      metadata: ["query_id": "\(queryID)", "batch.rows": "\(batch.rowCount)"])
                        return true
                    }
                    mustVerify = false
                } catch {
                    logger.warning("cannot check whether a failed INSERT was applied; checking again",
                                   metadata: ["query_id": "\(queryID)", "error": "\(error)"])
                    await pause()
                    continue
                }
            }
            attempt += 1
            let started = ContinuousClock.now
            do {
                try await sink.write(batch, queryID: queryID)
                logger.debug("batch written", metadata: ["batch.rows": "\(batch.rowCount)", "elapsed": "\(ContinuousClock.now - started)", "attempt": "\(attempt)"])
                return true
            } catch let error as StoreError where error.kind == .batchTooLarge {
                // The same bytes would be refused forever: give the batch up (uncommitted) and say so.
                logger.critical("batch can never be written; giving it up uncommitted", metadata: ["batch.rows": "\(batch.rowCount)", "error": "\(error)"])
                state.withLock { $0.failures &+= 1; $0.lastError = "\(error)"; $0.unwritable = "\(error)" }
                metrics?.flushFailed()
                return false
            } catch {
                let text = String(describing: error)
                let ambiguous = Self.mayHaveBeenApplied(error)
                mustVerify = mustVerify || ambiguous
                state.withLock { $0.failures &+= 1; $0.lastError = text }
                metrics?.flushFailed()
                if attempt == 1 || attempt % 10 == 0 {
                    // Where the batch comes from: topic/partition@last offset of every partition it covers.
                    let covers = batch.progress.map { "\($0.topic)/\($0.partition)@\($0.lastOffset)" }.joined(separator: ",")
                    logger.error("batch write failed; retrying (offsets stay uncommitted)",
                                 metadata: ["batch.rows": "\(batch.rowCount)", "attempt": "\(attempt)", "may_have_been_applied": "\(ambiguous)",
                                            "error": "\(text)", "kafka.offsets": "\(covers)"])
                }
                await pause()
            }
        }
        return false
    }

    /// Whether a failed write may nevertheless have been applied. Errors that are not ClickHouse's (the store's own
    /// checks, which fail before sending) were not; an unknown failure is assumed to maybe have been.
    static func mayHaveBeenApplied(_ error: any Error) -> Bool {
        if let error = error as? ClickHouseError {
            // 216: an earlier attempt with the same query id still runs.
            return error.mayHaveBeenApplied || error.serverCode?.rawValue == 216
        }
        return !(error is StoreError)
    }

    /// Whether the store's progress rows already cover every partition of `batch` up to the batch's last offset.
    static func isApplied(_ batch: MetadataBatch, sink: any MetadataSink) async throws -> Bool {
        guard !batch.progress.isEmpty else { return false }
        var byTopic: [String: [Int32: AppliedOffsets]] = [:]
        for progress in batch.progress {
            if byTopic[progress.topic] == nil { byTopic[progress.topic] = try await sink.appliedOffsets(topic: progress.topic) }
            guard let applied = byTopic[progress.topic]?[progress.partition], applied.incarnation == progress.incarnation,
                  applied.contains(progress.lastOffset)
            else { return false }
        }
        return true
    }

    private func finish(generation: UInt64, offsets: [TopicPartition: Int64]?, rows: Int) {
        idle.lock()
        state.withLock { state in
            guard state.generation == generation else { return }
            state.busy = false
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
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        idle.lock()
        defer { idle.unlock() }
        while isBusy {
            if !idle.wait(until: deadline) { return !isBusy }
        }
        return true
    }

    /// Gives up on the batch in flight: it stops retrying and its offsets are never reported as completed.
    /// Data it may still have written is covered by the progress rows written in the same INSERT.
    package func abandon() {
        idle.lock()
        state.withLock { state in
            if state.busy {
                state.abandoned = true
                state.busy = false
                state.generation &+= 1
            }
            state.completed = nil
        }
        idle.broadcast()
        idle.unlock()
    }

    /// Why a batch was given up because it can never be written (``StoreError/Kind/batchTooLarge``), or `nil`.
    package var unwritable: String? { state.withLock { $0.unwritable } }

    /// Batches whose INSERT failed ambiguously and that were found applied (so not sent again).
    package var appliedDespiteFailure: UInt64 { state.withLock { $0.appliedDespiteFailure } }

    /// Counters for statistics.
    package var counters: (flushes: UInt64, rows: UInt64, failures: UInt64, lastError: String?) {
        state.withLock { ($0.flushes, $0.rows, $0.failures, $0.lastError) }
    }
}
