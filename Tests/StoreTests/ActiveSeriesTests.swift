import Testing

@testable import Store

/// The Prometheus series estimate, on the reference's own cases (`TestEstimatePrometheusActiveSeries`).
@Suite("ActiveSeries")
struct ActiveSeriesTests {
    @Test("Prometheus estimate: histograms per bucket plus _sum and _count, others unchanged")
    func prometheus() {
        #expect(ActiveSeries.prometheus(otlp: 7, type: .gauge, bounds: 0, maxScale: nil) == 7)
        #expect(ActiveSeries.prometheus(otlp: 5, type: .unknown, bounds: 0, maxScale: nil) == 5)
        #expect(ActiveSeries.prometheus(otlp: 8, type: .histogram, bounds: 5, maxScale: nil) == 64)
        #expect(ActiveSeries.prometheus(otlp: 4, type: .histogram, bounds: 0, maxScale: nil) == 12)
        #expect(ActiveSeries.prometheus(otlp: 3, type: .exponentialHistogram, bounds: 0, maxScale: 2) == 30)
        #expect(ActiveSeries.prometheus(otlp: 2, type: .exponentialHistogram, bounds: 0, maxScale: 20) == 2 * 162)
        #expect(ActiveSeries.prometheus(otlp: 2, type: .exponentialHistogram, bounds: 0, maxScale: 6) == 2 * 130)
        #expect(ActiveSeries.prometheus(otlp: 2, type: .exponentialHistogram, bounds: 0, maxScale: 0) == 2 * 3)
        #expect(ActiveSeries.prometheus(otlp: 2, type: .exponentialHistogram, bounds: 0, maxScale: -3) == 2 * 3)
        #expect(ActiveSeries.prometheus(otlp: 2, type: .exponentialHistogram, bounds: 0, maxScale: nil) == 2 * 3)
        #expect(ActiveSeries.prometheus(otlp: .max, type: .histogram, bounds: 3, maxScale: nil) == .max)
    }

    @Test("at least one series for a metric with data points, none without")
    func atLeastOne() {
        #expect(ActiveSeries(count: 3, tracked: 0, type: .gauge, bounds: 0, maxScale: nil) == ActiveSeries(otlp: 1, prometheus: 1))
        #expect(ActiveSeries(count: 0, tracked: 0, type: .histogram, bounds: 2, maxScale: nil) == .zero)
        #expect(ActiveSeries(count: 9, tracked: 4, type: .histogram, bounds: 2, maxScale: nil) == ActiveSeries(otlp: 4, prometheus: 20))
    }

    @Test("heavy-hitter texts join their counts by hash; malformed entries and values without a text are dropped")
    func heavyTexts() {
        let texts = ["000000ff:GET", "00000001:a:b", "xyz", "0000000Z:bad", "00000002:"]
        let values = HeavyHitterTexts.topValues(keys: [1, 255, 2, 3], counts: [5, 9, 5, 100], texts: texts, limit: 10)
        #expect(values == [ValueFrequency(value: "GET", count: 9), ValueFrequency(value: "", count: 5), ValueFrequency(value: "a:b", count: 5)])
        #expect(HeavyHitterTexts.topValues(keys: [1, 255], counts: [5, 9], texts: texts, limit: 1) == [ValueFrequency(value: "GET", count: 9)])
    }
}
