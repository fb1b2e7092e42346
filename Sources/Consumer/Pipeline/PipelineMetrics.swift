import Foundation
import Kafka
import Metrics
import Synchronization

/// The ingest pipeline's metrics (swift-metrics handlers; census exports them on `GET /metrics`).
///
/// The hot path does not touch them: the poll loop hands its running totals (``IngestStatistics``) to
/// ``observe(_:windowRows:windowBytes:policy:)`` once per loop turn, which adds the differences to the counters.
/// Lag comes from librdkafka's statistics (``observe(kafka:)``), flush figures from the ``Flusher``.
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `census_ingest_records_total` | counter | — (Kafka records consumed) |
/// | `census_ingest_bytes_total` | counter | — (record payload bytes) |
/// | `census_ingest_data_points_total` | counter | — (data points, spans and log records decoded) |
/// | `census_ingest_invalid_records_total` | counter | — |
/// | `census_quarantined_records_total` | counter | — (records stored in the quarantine table) |
/// | `census_flushes_total` / `census_flush_failures_total` | counter | — |
/// | `census_flush_fenced_total` | counter | — (failed attempts the store refused because they reached it after their write fence) |
/// | `census_flush_duration_seconds` | histogram | — (submit to acknowledgement, retries included) |
/// | `census_flush_batch_rows` | histogram | — |
/// | `census_last_flush_timestamp_seconds` | gauge | — (Unix time of the last acknowledged batch) |
/// | `census_kafka_commits_total` | counter | `outcome` (`ok`/`error`) |
/// | `census_kafka_commit_duration_seconds` | histogram | — |
/// | `census_kafka_consumer_lag` | gauge | `topic`, `partition` |
/// | `census_kafka_assigned_partitions` / `census_kafka_paused_partitions` | gauge | — |
/// | `census_kafka_brokers_up` | gauge | — |
/// | `census_buffer_rows` / `census_buffer_bytes` / `census_buffer_fill_ratio` | gauge | — |
/// | `census_dropped_windows_total` | counter | — |
/// | `census_window_dropped_observations_total` | counter | `limit` (`keys_per_aggregate`, `event_names_per_aggregate`, `templates_per_aggregate`): observations a window limit left out |
package final class PipelineMetrics: Sendable {
    private let factory: any MetricsFactory
    private let records: Counter
    private let bytes: Counter
    private let items: Counter
    private let invalid: Counter
    private let quarantined: Counter
    private let flushes: Counter
    private let flushFailures: Counter
    private let fencedAttempts: Counter
    private let flushDuration: Timer
    private let batchRows: Recorder
    private let lastFlush: Gauge
    private let commitsOK: Counter
    private let commitsFailed: Counter
    private let commitDuration: Timer
    private let assigned: Gauge
    private let pausedPartitions: Gauge
    private let brokersUp: Gauge
    private let bufferRows: Gauge
    private let bufferBytes: Gauge
    private let bufferFill: Gauge
    private let flushBytes: Gauge
    private let droppedWindows: Counter
    private let droppedKeyObservations: Counter
    private let droppedEventNames: Counter
    private let droppedTemplateObservations: Counter
    /// Totals already added to the counters, and the lag gauges of the partitions last reported.
    private let state = Mutex(State())

    private struct State {
        var reported = IngestStatistics()
        var lagGauges: [TopicPartition: Gauge] = [:]
    }

    /// - Parameter factory: where the handlers come from; the process-wide `MetricsSystem.factory` by default.
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        records = Counter(label: "census_ingest_records_total", factory: factory)
        bytes = Counter(label: "census_ingest_bytes_total", factory: factory)
        items = Counter(label: "census_ingest_data_points_total", factory: factory)
        invalid = Counter(label: "census_ingest_invalid_records_total", factory: factory)
        quarantined = Counter(label: "census_quarantined_records_total", factory: factory)
        flushes = Counter(label: "census_flushes_total", factory: factory)
        flushFailures = Counter(label: "census_flush_failures_total", factory: factory)
        fencedAttempts = Counter(label: "census_flush_fenced_total", factory: factory)
        flushDuration = Timer(label: "census_flush_duration_seconds", factory: factory)
        batchRows = Recorder(label: "census_flush_batch_rows", aggregate: true, factory: factory)
        lastFlush = Gauge(label: "census_last_flush_timestamp_seconds", factory: factory)
        commitsOK = Counter(label: "census_kafka_commits_total", dimensions: [("outcome", "ok")], factory: factory)
        commitsFailed = Counter(label: "census_kafka_commits_total", dimensions: [("outcome", "error")], factory: factory)
        commitDuration = Timer(label: "census_kafka_commit_duration_seconds", factory: factory)
        assigned = Gauge(label: "census_kafka_assigned_partitions", factory: factory)
        pausedPartitions = Gauge(label: "census_kafka_paused_partitions", factory: factory)
        brokersUp = Gauge(label: "census_kafka_brokers_up", factory: factory)
        bufferRows = Gauge(label: "census_buffer_rows", factory: factory)
        bufferBytes = Gauge(label: "census_buffer_bytes", factory: factory)
        bufferFill = Gauge(label: "census_buffer_fill_ratio", factory: factory)
        flushBytes = Gauge(label: "census_flush_bytes", factory: factory)
        droppedWindows = Counter(label: "census_dropped_windows_total", factory: factory)
        let dropped = "census_window_dropped_observations_total"
        droppedKeyObservations = Counter(label: dropped, dimensions: [("limit", "keys_per_aggregate")], factory: factory)
        droppedEventNames = Counter(label: dropped, dimensions: [("limit", "event_names_per_aggregate")], factory: factory)
        droppedTemplateObservations = Counter(label: dropped, dimensions: [("limit", "templates_per_aggregate")], factory: factory)
    }

    /// Adds what the poll loop counted since the last call and sets the buffer and partition gauges.
    package func observe(_ statistics: IngestStatistics, windowRows: Int, windowBytes: Int, policy: BatchPolicy) {
        let previous = state.withLock { state in
            defer { state.reported = statistics }
            return state.reported
        }
        add(statistics.records, previous.records, to: records)
        add(statistics.bytes, previous.bytes, to: bytes)
        add(statistics.items, previous.items, to: items)
        add(statistics.invalidRecords, previous.invalidRecords, to: invalid)
        add(statistics.quarantinedRecords, previous.quarantinedRecords, to: quarantined)
        add(statistics.droppedWindows, previous.droppedWindows, to: droppedWindows)
        add(statistics.windowOverflow.droppedKeyObservations, previous.windowOverflow.droppedKeyObservations, to: droppedKeyObservations)
        add(statistics.windowOverflow.droppedEventNames, previous.windowOverflow.droppedEventNames, to: droppedEventNames)
        add(
            statistics.windowOverflow.droppedTemplateObservations, previous.windowOverflow.droppedTemplateObservations,
            to: droppedTemplateObservations)
        assigned.record(statistics.assignedPartitions)
        pausedPartitions.record(statistics.paused ? statistics.assignedPartitions : 0)
        bufferRows.record(windowRows)
        bufferBytes.record(windowBytes)
        bufferFill.record(max(Double(windowRows) / Double(policy.maxRows), Double(windowBytes) / Double(policy.maxBytes)))
        flushBytes.record(statistics.flushBytes)
    }

    /// Sets the lag gauge of every partition in `kafka` and removes those of partitions no longer consumed.
    package func observe(kafka: KafkaStatistics) {
        brokersUp.record(kafka.brokersUp)
        let stale: [Gauge] = state.withLock { state in
            // A partition's gauge appears with its first known lag (an unknown lag is not exported as 0).
            for (tp, partition) in kafka.partitions {
                guard let lag = partition.lag else { continue }
                let gauge =
                    state.lagGauges[tp]
                    ?? Gauge(
                        label: "census_kafka_consumer_lag",
                        dimensions: [("topic", tp.topic), ("partition", String(tp.partition))], factory: factory)
                state.lagGauges[tp] = gauge
                gauge.record(lag)
            }
            let gone = state.lagGauges.keys.filter { kafka.partitions[$0] == nil }
            return gone.compactMap { state.lagGauges.removeValue(forKey: $0) }
        }
        for gauge in stale { gauge.destroy() }
    }

    /// One batch was acknowledged by the store after `duration` (retries included).
    package func flushSucceeded(rows: Int, duration: Duration) {
        flushes.increment()
        batchRows.record(rows)
        flushDuration.record(duration: duration)
        lastFlush.record(Date().timeIntervalSince1970)
    }

    /// One attempt to write a batch failed (it is retried).
    package func flushFailed() {
        flushFailures.increment()
    }

    /// A failed write attempt reached the store after its write fence (counted in ``flushFailed()`` too).
    package func flushFenced() {
        fencedAttempts.increment()
    }

    /// An offset commit finished after `duration`.
    package func commitFinished(duration: Duration, succeeded: Bool) {
        (succeeded ? commitsOK : commitsFailed).increment()
        commitDuration.record(duration: duration)
    }

    private func add(_ now: UInt64, _ before: UInt64, to counter: Counter) {
        if now > before { counter.increment(by: Int(clamping: now - before)) }
    }
}
