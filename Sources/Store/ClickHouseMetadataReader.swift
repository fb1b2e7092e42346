import Logging

/// ``MetadataReading`` over ClickHouse: every call runs a small fixed number of SELECTs (no N+1).
///
/// A list page runs: (1) the page of names with their merged signal-level facts, (2) the distinct-name total,
/// (3) key statistics of the page's names, (4) per-service counts of the page's names, and for logs (5) their body
/// templates. (1) and (2) run concurrently, then (3)–(5) concurrently. Everything is merged over services and days.
/// Names, keys and services come back in byte order; samples (the non-empty merged sample slots, distinct), bounds, scales
/// and event names sorted.
package struct ClickHouseMetadataReader: MetadataReading {
    /// The database read.
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection (its retry policy applies to reads).
    ///   - schema: Which database (default `census`).
    ///   - logger: Used for every query.
    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    // MARK: - MetadataReading

    package func metrics(service: String?, limit: Int, offset: Int) async throws -> Page<MetricSummary> {
        let page = try await signalPage(.metric, service: service, limit: limit, offset: offset)
        return Page(items: page.data.rows.map { Self.metric($0, page.data) }, total: page.total, sampleCount: page.samples)
    }

    package func metric(named name: String) async throws -> MetricSummary? {
        let data = try await signalData(.metric, selection: .exact(name))
        return data.rows.first.map { Self.metric($0, data) }
    }

    package func spans(service: String?, limit: Int, offset: Int) async throws -> Page<SpanSummary> {
        let page = try await signalPage(.span, service: service, limit: limit, offset: offset)
        return Page(items: page.data.rows.map { Self.span($0, page.data) }, total: page.total, sampleCount: page.samples)
    }

    package func span(named name: String) async throws -> SpanSummary? {
        let data = try await signalData(.span, selection: .exact(name))
        return data.rows.first.map { Self.span($0, data) }
    }

    package func logs(service: String?, limit: Int, offset: Int) async throws -> Page<LogSummary> {
        let page = try await signalPage(.log, service: service, limit: limit, offset: offset)
        return Page(items: page.data.rows.map { Self.log($0, page.data) }, total: page.total, sampleCount: page.samples)
    }

    package func log(severity: String) async throws -> LogSummary? {
        let data = try await signalData(.log, selection: .exact(severity))
        return data.rows.first.map { Self.log($0, data) }
    }

    package func attributes(_ query: AttributeQuery) async throws -> Page<AttributeSummary> {
        async let itemsBytes = fetch(MetadataQueries.attributes(schema, query: query))
        async let totalBytes = fetch(MetadataQueries.attributeCount(schema, query: query))
        let items = try Self.decodeAttributes(try await itemsBytes)
        var totalDecoder = RowBinaryDecoder(try await totalBytes)
        let total = totalDecoder.isAtEnd ? 0 : try totalDecoder.uint64()
        return Page(items: items, total: Int(clamping: total))
    }

    package func attribute(key: String) async throws -> AttributeSummary? {
        try Self.decodeAttributes(try await fetch(MetadataQueries.attribute(schema, key: key))).first
    }

    // MARK: - Fetching

    /// Everything needed to build summaries for a set of names.
    struct SignalData {
        var rows: [SignalRow] = []
        var keys: [String: [KeyRow]] = [:]
        var services: [String: [ServiceCount]] = [:]
        var templates: [String: [TemplateStats]] = [:]
    }

    private func signalPage(_ signal: Signal, service: String?, limit: Int, offset: Int) async throws -> (
        data: SignalData, total: Int, samples: UInt64
    ) {
        async let totalBytes = fetch(MetadataQueries.signalNameCount(schema, signal: signal, service: service))
        let data: SignalData
        if limit > 0 {
            data = try await signalData(signal, selection: .page(service: service, limit: limit, offset: offset))
        } else {
            data = SignalData()
        }
        var decoder = RowBinaryDecoder(try await totalBytes)
        let total = decoder.isAtEnd ? 0 : try decoder.uint64()
        let samples = decoder.isAtEnd ? 0 : try decoder.uint64()
        return (data, Int(clamping: total), samples)
    }

    private func signalData(_ signal: Signal, selection: MetadataQueries.NameSelection) async throws -> SignalData {
        var data = SignalData()
        data.rows = try Self.decodeSignalRows(try await fetch(MetadataQueries.signalSummaries(schema, signal: signal, selection: selection)))
        guard !data.rows.isEmpty else { return data }
        let names = data.rows.map(\.name)
        async let keyBytes = fetch(MetadataQueries.keyStats(schema, signal: signal, names: names))
        async let serviceBytes = fetch(MetadataQueries.serviceCounts(schema, signal: signal, names: names))
        async let templateBytes = signal == .log ? fetch(MetadataQueries.templates(schema, severities: names)) : []
        data.keys = try Self.decodeKeyRows(try await keyBytes)
        data.services = try Self.decodeServiceCounts(try await serviceBytes)
        data.templates = try Self.decodeTemplates(try await templateBytes)
        return data
    }

    func fetch(_ sql: String) async throws -> [UInt8] {
        try await client.execute(sql, logger: logger)
    }
}

// MARK: - Rows

extension ClickHouseMetadataReader {
    /// One row of ``MetadataQueries/signalSummaries(_:signal:selection:)``.
    struct SignalRow {
        var name: String
        var count: UInt64
        var firstSeen: EpochSeconds
        var lastSeen: EpochSeconds
        var description: String
        var unit: String
        var metricType: UInt8
        var temporality: UInt8
        var bounds: [Double]
        var scales: [Int32]
        var spanKind: UInt8
        var flags: SignalFlags
        var statusCodes: StatusCodeSet
        var severityNumber: UInt8
        var eventNames: [String]
        var scopeName: String
        var scopeVersion: String
        var droppedAttributes: DroppedStats
        var droppedEvents: DroppedStats
        var droppedLinks: DroppedStats
        /// Distinct series fingerprints (metrics; 0 when none were tracked).
        var trackedSeries: UInt64
    }

    /// One row of ``MetadataQueries/keyStats(_:signal:names:)``.
    struct KeyRow {
        var scope: KeyScope
        var eventName: String
        var stats: KeyStats
    }

    static func decodeSignalRows(_ bytes: [UInt8]) throws(StoreError) -> [SignalRow] {
        var decoder = RowBinaryDecoder(bytes)
        var rows: [SignalRow] = []
        while !decoder.isAtEnd {
            let name = try decoder.string()
            let count = try decoder.uint64()
            let firstSeen = try decoder.uint32()
            let lastSeen = try decoder.uint32()
            let description = try decoder.string()
            let unit = try decoder.string()
            let metricType = try decoder.uint8()
            let temporality = try decoder.uint8()
            let bounds = try decoder.float64Array()
            let scales = try decoder.int32Array()
            let spanKind = try decoder.uint8()
            let flags = try decoder.uint8()
            let statusCodes = try decoder.uint8()
            let severityNumber = try decoder.uint8()
            let eventNames = try decoder.stringArray()
            let scope = InstrumentationScope.decode(try decoder.string())
            var dropped: [DroppedStats] = []
            for _ in 0..<3 {
                dropped.append(DroppedStats(total: try decoder.uint64(), itemsWithDropped: try decoder.uint64(), max: try decoder.uint32()))
            }
            let trackedSeries = try decoder.uint64()
            rows.append(
                SignalRow(
                    name: name, count: count, firstSeen: firstSeen, lastSeen: lastSeen, description: description, unit: unit,
                    metricType: metricType, temporality: temporality, bounds: bounds, scales: scales, spanKind: spanKind,
                    flags: SignalFlags(rawValue: flags), statusCodes: StatusCodeSet(rawValue: statusCodes),
                    severityNumber: severityNumber, eventNames: eventNames, scopeName: scope.name, scopeVersion: scope.version,
                    droppedAttributes: dropped[0], droppedEvents: dropped[1], droppedLinks: dropped[2], trackedSeries: trackedSeries))
        }
        return rows
    }

    /// Key rows per name, in (scope, event name, key) order; rows with an unknown scope are skipped.
    static func decodeKeyRows(_ bytes: [UInt8]) throws(StoreError) -> [String: [KeyRow]] {
        var decoder = RowBinaryDecoder(bytes)
        var rows: [String: [KeyRow]] = [:]
        while !decoder.isAtEnd {
            let name = try decoder.string()
            let scope = try decoder.uint8()
            let eventName = try decoder.string()
            let key = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            let samples = try decodeSamples(&decoder, cardinality: cardinality)
            guard let keyScope = KeyScope(rawValue: scope) else { continue }
            rows[name, default: []].append(
                KeyRow(
                    scope: keyScope, eventName: eventName,
                    stats: KeyStats(key: key, count: count, estimatedCardinality: cardinality, samples: samples)))
        }
        return rows
    }

    /// The merged `samples` and `small_set` columns of a key or catalog row: when `cardinality` is at most
    /// ``KeyAggregate/maxSamples`` and the small set holds that many distinct texts, the small set
    /// (``KeyAggregate/smallValues``: every distinct value text); otherwise the sample slots (``SampleSlots``) with empty
    /// slots (the single byte 0xFF, recognised before any UTF-8 decoding) dropped. Either way distinct and sorted by UTF-8
    /// bytes. (The count check matters only for a set that filled its bounded state with repeats before a late value
    /// came, ``Schema/smallSet``: the set is then incomplete, and the slots are the better answer.)
    static func decodeSamples(_ decoder: inout RowBinaryDecoder, cardinality: UInt64) throws(StoreError) -> [String] {
        let slots = try decoder.array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.bytesValue() }
        let small = try decoder.array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.bytesValue() }
        var texts =
            cardinality <= UInt64(KeyAggregate.maxSamples) && !small.isEmpty && UInt64(small.count) >= cardinality
            ? small : slots.filter { !($0.count == 1 && $0.first == IngestRow.emptySlot) }
        texts.sort { $0.lexicographicallyPrecedes($1) }
        var samples: [String] = []
        samples.reserveCapacity(texts.count)
        var previous: ArraySlice<UInt8>?
        for text in texts where text != previous {
            samples.append(String(decoding: text, as: UTF8.self))
            previous = text
        }
        return samples
    }

    static func decodeServiceCounts(_ bytes: [UInt8]) throws(StoreError) -> [String: [ServiceCount]] {
        var decoder = RowBinaryDecoder(bytes)
        var services: [String: [ServiceCount]] = [:]
        while !decoder.isAtEnd {
            let name = try decoder.string()
            let service = try decoder.string()
            let count = try decoder.uint64()
            services[name, default: []].append(ServiceCount(service: service, count: count))
        }
        return services
    }

    static func decodeTemplates(_ bytes: [UInt8]) throws(StoreError) -> [String: [TemplateStats]] {
        var decoder = RowBinaryDecoder(bytes)
        var templates: [String: [TemplateStats]] = [:]
        while !decoder.isAtEnd {
            let severity = try decoder.string()
            let template = try decoder.string()
            let count = try decoder.uint64()
            let example = try decoder.string()
            templates[severity, default: []].append(TemplateStats(template: template, count: count, example: example))
        }
        return templates
    }

    static func decodeAttributes(_ bytes: [UInt8]) throws(StoreError) -> [AttributeSummary] {
        var decoder = RowBinaryDecoder(bytes)
        var attributes: [AttributeSummary] = []
        while !decoder.isAtEnd {
            let key = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            let samples = try decodeSamples(&decoder, cardinality: cardinality)
            let signals = try decoder.uint8Array().compactMap(Signal.init(rawValue:))
            let resource = try decoder.uint8() != 0
            let attribute = try decoder.uint8() != 0
            let firstSeen = try decoder.uint32()
            let lastSeen = try decoder.uint32()
            attributes.append(
                AttributeSummary(
                    key: key, count: count, estimatedCardinality: cardinality, samples: samples, signals: signals,
                    seenAsResource: resource, seenAsAttribute: attribute, firstSeen: firstSeen, lastSeen: lastSeen))
        }
        return attributes
    }
}

// MARK: - Summaries

extension ClickHouseMetadataReader {
    private static func keys(_ rows: [KeyRow]?, _ scope: KeyScope) -> [KeyStats] {
        (rows ?? []).filter { $0.scope == scope }.map(\.stats)
    }

    static func metric(_ row: SignalRow, _ data: SignalData) -> MetricSummary {
        let keyRows = data.keys[row.name]
        let type = MetricType(rawValue: row.metricType) ?? .unknown
        let series = ActiveSeries(count: row.count, tracked: row.trackedSeries, type: type, bounds: row.bounds.count, maxScale: row.scales.max())
        return MetricSummary(
            name: row.name, description: row.description, unit: row.unit, type: type,
            temporality: row.temporality, isMonotonic: row.flags.contains(.monotonic), explicitBounds: row.bounds,
            scales: row.scales, sampleCount: row.count, labelKeys: keys(keyRows, .attribute), resourceKeys: keys(keyRows, .resource),
            scopeName: row.scopeName, scopeVersion: row.scopeVersion, services: data.services[row.name] ?? [],
            firstSeen: row.firstSeen, lastSeen: row.lastSeen, activeSeries: series)
    }

    static func span(_ row: SignalRow, _ data: SignalData) -> SpanSummary {
        let keyRows = data.keys[row.name]
        var events: [EventKeyStats] = []
        for keyRow in keyRows ?? [] where keyRow.scope == .event {
            // Rows arrive ordered by (scope, event name, key), so one event's keys are contiguous.
            if events.last?.eventName == keyRow.eventName {
                events[events.count - 1].keys.append(keyRow.stats)
            } else {
                events.append(EventKeyStats(eventName: keyRow.eventName, keys: [keyRow.stats]))
            }
        }
        return SpanSummary(
            name: row.name, kind: row.spanKind, attributeKeys: keys(keyRows, .attribute), eventNames: row.eventNames,
            eventAttributeKeys: events, linkAttributeKeys: keys(keyRows, .link), resourceKeys: keys(keyRows, .resource),
            hasTraceState: row.flags.contains(.traceState), hasParentSpanID: row.flags.contains(.parentSpanID),
            statusCodes: row.statusCodes, droppedAttributes: row.droppedAttributes, droppedEvents: row.droppedEvents,
            droppedLinks: row.droppedLinks, scopeName: row.scopeName, scopeVersion: row.scopeVersion, sampleCount: row.count,
            services: data.services[row.name] ?? [], firstSeen: row.firstSeen, lastSeen: row.lastSeen)
    }

    static func log(_ row: SignalRow, _ data: SignalData) -> LogSummary {
        let keyRows = data.keys[row.name]
        return LogSummary(
            severity: row.name, severityNumber: row.severityNumber, attributeKeys: keys(keyRows, .attribute),
            resourceKeys: keys(keyRows, .resource), bodyTemplates: data.templates[row.name] ?? [], eventNames: row.eventNames,
            hasTraceContext: row.flags.contains(.traceContext), hasSpanContext: row.flags.contains(.spanContext),
            droppedAttributes: row.droppedAttributes, scopeName: row.scopeName, scopeVersion: row.scopeVersion,
            sampleCount: row.count, services: data.services[row.name] ?? [], firstSeen: row.firstSeen, lastSeen: row.lastSeen)
    }
}
