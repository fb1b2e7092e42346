/// A ``MetadataReading`` that answers repeated reads from a ``ReadCache`` in front of another reader (ClickHouse).
///
/// Every call is cached under a key made of the method and its arguments, so two requests that mean the same thing share
/// one entry. Every attribute-catalog page, whatever its filters, order and paging, is cut from one cached copy of the
/// whole catalog (``AttributeCatalog``): the catalog must be merged whole to sort it by cardinality or count anyway, so
/// any page of it costs the same as all of it, and distinct filters do not each hold a copy.
/// Answers are at most ``ReadCache/Configuration/ttl`` old (a stale answer is served while it is refreshed, up to
/// ``ReadCache/Configuration/maxStale``); ``invalidate()`` drops everything (after `admin/clear`).
package struct CachingMetadataReader: MetadataReading {
    /// The reader that does the work on a miss.
    package let base: any MetadataReading
    private let cache: ReadCache<any Sendable>

    package init(base: any MetadataReading, configuration: ReadCache<any Sendable>.Configuration) {
        self.base = base
        self.cache = ReadCache(configuration, size: { CacheBytes.of(any: $0) })
    }

    /// How many bytes the cached reads hold (estimated, see ``CacheCost``).
    package var cachedBytes: Int { cache.bytes }

    /// Forgets every cached answer.
    package func invalidate() { cache.invalidateAll() }

    /// Whether every value a result was derived from (see ``ReadDependencies``) is what a new read would return now
    /// (see ``ReadCache/isCurrent(_:version:)``, which also starts the refreshes that are due).
    package func isCurrent(_ dependencies: [ReadDependencies.Dependency]) -> Bool {
        !dependencies.isEmpty && dependencies.allSatisfy { cache.isCurrent($0.key, version: $0.version) }
    }

    /// The cached value under `key`, loaded by `load` on a miss (and recorded as a dependency of the answer being
    /// rendered); ``CachingV2Reader`` shares this cache, with keys of its own.
    func cached<Value: Sendable>(_ key: String, _ load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let (value, version) = try await cache.versionedValue(for: key) { try await load() }
        ReadDependencies.current?.record(key: key, version: version)
        guard let typed = value as? Value else { return try await load() }  // keys are unique per method: unreachable
        return typed
    }

    /// An unambiguous key: every part length-prefixed, `nil` spelled apart from every string.
    static func key(_ parts: Any?...) -> String {
        key(parts)
    }

    static func key(_ parts: [Any?]) -> String {
        parts.map { part -> String in
            guard let part else { return "-" }
            let text = "\(part)"
            return "\(text.utf8.count):\(text)"
        }.joined(separator: ",")
    }

    package func metrics(service: String?, limit: Int, offset: Int) async throws -> Page<MetricSummary> {
        try await cached(Self.key("metrics", service, limit, offset)) { try await base.metrics(service: service, limit: limit, offset: offset) }
    }

    package func metric(named name: String) async throws -> MetricSummary? {
        try await cached(Self.key("metric", name)) { try await base.metric(named: name) }
    }

    package func spans(service: String?, limit: Int, offset: Int) async throws -> Page<SpanSummary> {
        try await cached(Self.key("spans", service, limit, offset)) { try await base.spans(service: service, limit: limit, offset: offset) }
    }

    package func span(named name: String) async throws -> SpanSummary? {
        try await cached(Self.key("span", name)) { try await base.span(named: name) }
    }

    package func logs(service: String?, limit: Int, offset: Int) async throws -> Page<LogSummary> {
        try await cached(Self.key("logs", service, limit, offset)) { try await base.logs(service: service, limit: limit, offset: offset) }
    }

    package func log(severity: String) async throws -> LogSummary? {
        try await cached(Self.key("log", severity)) { try await base.log(severity: severity) }
    }

    package func attributes(_ query: AttributeQuery) async throws -> Page<AttributeSummary> {
        let catalog: AttributeCatalog = try await cached(Self.key("attribute-catalog")) {
            AttributeCatalog(orderedByKey: try await base.attributes(AttributeQuery(sortBy: .key, descending: false, limit: nil)).items)
        }
        return catalog.page(query)
    }

    package func attribute(key: String) async throws -> AttributeSummary? {
        try await cached(Self.key("attribute", key)) { try await base.attribute(key: key) }
    }

    // MARK: - InsightReading

    package func spanNames(limit: Int) async throws -> Page<SpanNameUsage> {
        try await cached(Self.key("span-names", limit)) { try await base.spanNames(limit: limit) }
    }

    package func serviceKeys(service: String, limit: Int, offset: Int) async throws -> Page<String> {
        try await cached(Self.key("service-keys", service, limit, offset)) {
            try await base.serviceKeys(service: service, limit: limit, offset: offset)
        }
    }

    package func keyServices(key: String, limit: Int, offset: Int) async throws -> Page<KeyServiceUsage> {
        try await cached(Self.key("key-services", key, limit, offset)) { try await base.keyServices(key: key, limit: limit, offset: offset) }
    }

    package func keyTelemetry(key: String, limit: Int) async throws -> KeyTelemetry {
        try await cached(Self.key("key-telemetry", key, limit)) { try await base.keyTelemetry(key: key, limit: limit) }
    }

    package func logTemplateCount() async throws -> Int {
        try await cached(Self.key("log-template-count")) { try await base.logTemplateCount() }
    }

    package func services() async throws -> [String] {
        try await cached(Self.key("services")) { try await base.services() }
    }

    package func highCardinalityKeys(threshold: UInt64, limit: Int) async throws -> [HighCardinalityKey] {
        try await cached(Self.key("high", threshold, limit)) { try await base.highCardinalityKeys(threshold: threshold, limit: limit) }
    }

    package func complexity(threshold: UInt64, limit: Int) async throws -> [SignalComplexity] {
        try await cached(Self.key("complexity", threshold, limit)) { try await base.complexity(threshold: threshold, limit: limit) }
    }

    package func logPatterns(minCount: UInt64, minServices: Int, limit: Int) async throws -> [LogPattern] {
        try await cached(Self.key("patterns", minCount, minServices, limit)) {
            try await base.logPatterns(minCount: minCount, minServices: minServices, limit: limit)
        }
    }

    package func logPattern(severity: String, template: String) async throws -> LogPattern? {
        try await cached(Self.key("pattern", severity, template)) { try await base.logPattern(severity: severity, template: template) }
    }

    package func logCountsByService(limit: Int, offset: Int) async throws -> Page<ServiceSeverityCount> {
        try await cached(Self.key("by-service", limit, offset)) { try await base.logCountsByService(limit: limit, offset: offset) }
    }

    package func log(service: String, severity: String) async throws -> ServiceLogSummary? {
        try await cached(Self.key("service-log", service, severity)) { try await base.log(service: service, severity: severity) }
    }
}
