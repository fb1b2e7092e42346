import Store

extension UnavailableV2Reader {
    func labels(signal: Signal, name: String, range: DayRange, service: String?, limit: Int, offset: Int) async throws -> LabelDetail? {
        throw Unavailable()
    }

    func metricSeries(_ query: MetricSeriesQuery) async throws -> Page<MetricSeries> {
        throw Unavailable()
    }

    func tsdbStatus(range: DayRange, topN: Int, focusLabel: String?) async throws -> TSDBStatus {
        throw Unavailable()
    }
}
