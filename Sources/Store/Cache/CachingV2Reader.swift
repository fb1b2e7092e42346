/// A ``V2Reading`` that answers repeated reads from the ``CachingMetadataReader``'s cache in front of another reader
/// (ClickHouse): the same freshness (the cache lifetime, or ten times the read's cost when longer), stale answers served
/// while one background read refreshes them, bounded refreshes, one invalidation after `admin/clear`, and dependencies
/// the rendered-answer cache can check. Every call is keyed by its method and arguments (keys start with `v2.`).
package struct CachingV2Reader: V2Reading {
    /// The reader that does the work on a miss.
    package let base: any V2Reading
    private let cache: CachingMetadataReader

    package init(base: any V2Reading, sharing cache: CachingMetadataReader) {
        self.base = base
        self.cache = cache
    }

    private func cached<Value: Sendable>(_ parts: Any?..., load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await cache.cached(CachingMetadataReader.key(parts), load)
    }

    package func history(_ query: HistoryQuery) async throws -> [HistoryPoint] {
        try await cached("v2.history", query) { try await base.history(query) }
    }

    package func changes(_ query: ChangeQuery) async throws -> ChangeReport {
        try await cached("v2.changes", query) { try await base.changes(query) }
    }

    package func keyUsage(key: String, range: DayRange, limit: Int, offset: Int) async throws -> KeyUsage? {
        try await cached("v2.key", key, range, limit, offset) { try await base.keyUsage(key: key, range: range, limit: limit, offset: offset) }
    }

    package func serviceUsage(service: String, signal: Signal?, range: DayRange, limit: Int, offset: Int) async throws -> ServiceUsage? {
        try await cached("v2.service", service, signal, range, limit, offset) {
            try await base.serviceUsage(service: service, signal: signal, range: range, limit: limit, offset: offset)
        }
    }

    package func labels(signal: Signal, name: String, range: DayRange, service: String?, limit: Int, offset: Int) async throws -> LabelDetail? {
        try await cached("v2.labels", signal, name, range, service, limit, offset) {
            try await base.labels(signal: signal, name: name, range: range, service: service, limit: limit, offset: offset)
        }
    }

    package func metricSeries(_ query: MetricSeriesQuery) async throws -> Page<MetricSeries> {
        try await cached("v2.metric-series", query) { try await base.metricSeries(query) }
    }

    package func tsdbStatus(range: DayRange, topN: Int, focusLabel: String?) async throws -> TSDBStatus {
        try await cached("v2.tsdb", range, topN, focusLabel) { try await base.tsdbStatus(range: range, topN: topN, focusLabel: focusLabel) }
    }

    // Store statistics describe the server now: never cached.

    package func clickHouseStatus() async throws -> ClickHouseStatus {
        try await base.clickHouseStatus()
    }

    package func tableStatistics() async throws -> [TableStatistics] {
        try await base.tableStatistics()
    }
}
