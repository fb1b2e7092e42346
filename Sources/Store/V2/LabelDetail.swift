import Foundation

/// Every key of one metric, span or log severity in a time range, with the name's own count and series
/// (`/api/v2/metrics/{name}/labels`, `/api/v2/spans/{name}/attributes`, `/api/v2/logs/{severity}/attributes`).
package struct LabelDetail: Sendable, Hashable {
    package var signal: Signal
    package var name: String
    /// Items (data points, spans, log records) of the name in the range.
    package var count: UInt64
    /// The metric's active series in the range (``ActiveSeries/zero`` for spans and logs).
    package var series: ActiveSeries
    /// One page of keys, highest cardinality first (ties by scope, event name, key).
    package var keys: [LabelStats]
    /// Keys of the name in the range (paging ignored).
    package var totalKeys: Int
    /// `Σ ln(cardinality)` over every key of the name with cardinality ≥ 2 (paging ignored), the denominator of
    /// ``seriesContribution(of:)``.
    package var logCardinalitySum: Double

    package init(signal: Signal, name: String, count: UInt64, series: ActiveSeries, keys: [LabelStats], totalKeys: Int, logCardinalitySum: Double) {
        self.signal = signal
        self.name = name
        self.count = count
        self.series = series
        self.keys = keys
        self.totalKeys = totalKeys
        self.logCardinalitySum = logCardinalitySum
    }

    /// The part of the metric's OTLP series attributed to `stats`: `series × ln(card) / Σ ln(card_j)` over the keys with
    /// cardinality ≥ 2 (a log-share attribution: series ≤ Π card_j, so each key gets the share of its factor in the
    /// product's logarithm); 0 for keys with a single value and when no key has two.
    package func seriesContribution(of stats: LabelStats) -> Double {
        guard stats.estimatedCardinality >= 2, logCardinalitySum > 0 else { return 0 }
        return Double(series.otlp) * Self.logCardinality(stats.estimatedCardinality) / logCardinalitySum
    }

    /// `ln(cardinality)` for cardinality ≥ 2, else 0 (the term of ``logCardinalitySum``).
    package static func logCardinality(_ cardinality: UInt64) -> Double {
        cardinality >= 2 ? log(Double(cardinality)) : 0
    }
}
