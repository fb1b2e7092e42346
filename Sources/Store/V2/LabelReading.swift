/// Per-label detail, active series and the Prometheus-style TSDB status (`/api/v2/{signal}/{name}/labels`, `/api/v2/status/tsdb`).
package protocol LabelReading: Sendable {
    /// The keys of one metric, span or log severity in `range` (of `service`'s items only, when given): one page of keys,
    /// highest cardinality first, with their top values. `nil` when the name has no item in the range.
    func labels(signal: Signal, name: String, range: DayRange, service: String?, limit: Int, offset: Int) async throws -> LabelDetail?

    /// One page of metrics with their data points and active series in the query's range.
    func metricSeries(_ query: MetricSeriesQuery) async throws -> Page<MetricSeries>

    /// The TSDB status of the metrics in `range`: lists of at most `topN` entries; label-value pairs (and the per-value
    /// series of `focusLabel`, when given) estimated over the `topN` metrics with the most series.
    func tsdbStatus(range: DayRange, topN: Int, focusLabel: String?) async throws -> TSDBStatus
}
