/// Field numbers of `metrics.proto` that the metric analyzer reads. The one declaration of each: ``OTLPSchema`` uses these names.
package enum MetricsRequestFields {
    /// `Metric`.
    package enum Metric {
        package static let name: UInt32 = 1
        package static let description: UInt32 = 2
        package static let unit: UInt32 = 3
        package static let gauge: UInt32 = 5
        package static let sum: UInt32 = 7
        package static let histogram: UInt32 = 9
        package static let exponentialHistogram: UInt32 = 10
        package static let summary: UInt32 = 11
    }

    /// `Gauge`, `Sum`, `Histogram`, `ExponentialHistogram` and `Summary` share these numbers.
    package enum Data {
        package static let dataPoints: UInt32 = 1
        package static let aggregationTemporality: UInt32 = 2
        /// `Sum.is_monotonic`.
        package static let isMonotonic: UInt32 = 3
    }

    /// `NumberDataPoint.attributes` and `SummaryDataPoint.attributes`.
    package static let numberAttributes: UInt32 = 7

    /// `HistogramDataPoint`.
    package enum HistogramDataPoint {
        package static let explicitBounds: UInt32 = 7
        package static let attributes: UInt32 = 9
    }

    /// `ExponentialHistogramDataPoint`.
    package enum ExponentialHistogramDataPoint {
        package static let attributes: UInt32 = 1
        package static let scale: UInt32 = 6
    }
}
