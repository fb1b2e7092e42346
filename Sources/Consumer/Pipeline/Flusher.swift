import Foundation
import Logging
import Store
import Synchronization

/// Writes one batch at a time to a ``MetadataSink``, retrying until it succeeds or is abandoned.
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
        let sink = self.sink
        let logger = self.logger
        let submitted = ContinuousClock.now
        // Where the batch comes from, for error logs: topic/partition@last offset of every partition it covers.
        let covers = batch.progress.map { "\($0.topic)/\($0.partition)@\($0.lastOffset)" }.joined(separator: ",")
        Task.detached { [self] in
            var backoff = Duration.milliseconds(100)
            var attempt = 0
            while true {
                attempt += 1
                if self.state.withLock({ $0.abandoned || $0.generation != generation }) { break }
                let started = ContinuousClock.now
                do {
                    try await sink.write(batch)
                    let elapsed = ContinuousClock.now - started
                    logger.debug("batch written", metadata: ["batch.rows": "\(batch.rowCount)", "elapsed": "\(elapsed)", "attempt": "\(attempt)"])
                    self.metrics?.flushSucceeded(rows: batch.rowCount, duration: .now - submitted)
                    self.finish(generation: generation, offsets: offsets, rows: batch.rowCount)
                    return
                } catch {
                    let text = String(describing: error)
                    self.state.withLock { $0.failures &+= 1; $0.lastError = text }
                    self.metrics?.flushFailed()
                    if attempt == 1 || attempt % 10 == 0 {
                        logger.error("batch write failed; retrying (offsets stay uncommitted)",
                                     metadata: ["batch.rows": "\(batch.rowCount)", "attempt": "\(attempt)", "error": "\(text)", "kafka.offsets": "\(covers)"])
                    }
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
            self.finish(generation: generation, offsets: nil, rows: 0)
        }
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

    /// Counters for statistics.
    package var counters: (flushes: UInt64, rows: UInt64, failures: UInt64, lastError: String?) {
        state.withLock { ($0.flushes, $0.rows, $0.failures, $0.lastError) }
    }
}
