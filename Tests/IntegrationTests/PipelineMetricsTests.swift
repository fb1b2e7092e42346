import Prometheus
import Testing
@testable import Consumer

@Suite("Pipeline metrics: what the poll loop counts reaches /metrics")
struct PipelineMetricsTests {
    @Test("what the window limits drop reaches /metrics as census_window_dropped_observations_total, by limit")
    func windowOverflowIsExported() {
        let registry = PrometheusCollectorRegistry()
        let metrics = PipelineMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var statistics = IngestStatistics()
        var overflow = WindowOverflow()
        overflow.droppedKeyObservations = 7
        overflow.droppedTemplateObservations = 2
        statistics.windowOverflow.add(overflow)
        metrics.observe(statistics, windowRows: 0, windowBytes: 0, policy: BatchPolicy())
        overflow.droppedEventNames = 1
        statistics.windowOverflow.add(overflow)
        metrics.observe(statistics, windowRows: 0, windowBytes: 0, policy: BatchPolicy())
        let exposition = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(exposition.contains(#"census_window_dropped_observations_total{limit="keys_per_aggregate"} 14"#), "\(exposition)")
        #expect(exposition.contains(#"census_window_dropped_observations_total{limit="event_names_per_aggregate"} 1"#), "\(exposition)")
        #expect(exposition.contains(#"census_window_dropped_observations_total{limit="templates_per_aggregate"} 4"#), "\(exposition)")
    }
}
