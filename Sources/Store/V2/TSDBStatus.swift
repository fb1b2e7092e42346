/// The metric store's shape in a time range, as Prometheus' `/api/v1/status/tsdb` (with VictoriaMetrics' extensions)
/// reports it. Labels are the metrics' attribute and resource keys; every list is the top N, largest first, ties by name.
package struct TSDBStatus: Sendable, Hashable {
    /// Prometheus series summed over metrics (``ActiveSeries/prometheus``).
    package var numSeries: UInt64
    /// Distinct `label=value` pairs: cardinality summed over label names.
    package var numLabelPairs: UInt64
    /// Earliest first-seen and latest last-seen second of a metric data point in the range (0 when none).
    package var minTime: EpochSeconds
    package var maxTime: EpochSeconds
    /// Prometheus series per metric.
    package var seriesCountByMetricName: [NamedValue]
    /// Distinct values per label name, over every metric.
    package var labelValueCountByLabelName: [NamedValue]
    /// Estimated series per `label=value` pair: Σ over the metrics of ``seriesCountByMetricName`` (the N with the most
    /// series) of the metric's series × the pair's share of its data points, from the heavy hitters (pairs that are not
    /// heavy hitters there are missing).
    package var seriesCountByLabelValuePair: [NamedValue]
    /// Estimated bytes of a label's values: cardinality × the average length of its samples.
    package var memoryInBytesByLabelName: [NamedValue]
    /// For a focus label: estimated series per value over the same metrics, as ``seriesCountByLabelValuePair`` (names
    /// are the values).
    package var seriesCountByFocusLabelValue: [NamedValue]?

    package init(
        numSeries: UInt64 = 0, numLabelPairs: UInt64 = 0, minTime: EpochSeconds = 0, maxTime: EpochSeconds = 0,
        seriesCountByMetricName: [NamedValue] = [], labelValueCountByLabelName: [NamedValue] = [],
        seriesCountByLabelValuePair: [NamedValue] = [], memoryInBytesByLabelName: [NamedValue] = [],
        seriesCountByFocusLabelValue: [NamedValue]? = nil
    ) {
        self.numSeries = numSeries
        self.numLabelPairs = numLabelPairs
        self.minTime = minTime
        self.maxTime = maxTime
        self.seriesCountByMetricName = seriesCountByMetricName
        self.labelValueCountByLabelName = labelValueCountByLabelName
        self.seriesCountByLabelValuePair = seriesCountByLabelValuePair
        self.memoryInBytesByLabelName = memoryInBytesByLabelName
        self.seriesCountByFocusLabelValue = seriesCountByFocusLabelValue
    }
}
