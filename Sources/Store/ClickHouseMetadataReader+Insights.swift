/// ``InsightReading`` over ClickHouse. Query counts per call: services 1, high-cardinality keys 1, complexity 1,
/// log patterns 4 (groups, then their services, counts and keys concurrently), one pattern 3, logs by service 2
/// (concurrently), one service's severity 3 (concurrently).
extension ClickHouseMetadataReader {
    package func services() async throws -> [String] {
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.services(schema)))
        var services: [String] = []
        while !decoder.isAtEnd { services.append(try decoder.string()) }
        return services
    }

    package func highCardinalityKeys(threshold: UInt64, limit: Int) async throws -> [HighCardinalityKey] {
        guard limit > 0 else { return [] }
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.highCardinalityKeys(schema, threshold: threshold, limit: limit)))
        var keys: [HighCardinalityKey] = []
        while !decoder.isAtEnd {
            let signal = try decoder.uint8()
            let name = try decoder.string()
            let scope = try decoder.uint8()
            let stats = try Self.decodeKeyStats(&decoder, key: try decoder.string())
            guard let signal = Signal(rawValue: signal), let scope = KeyScope(rawValue: scope) else { continue }
            keys.append(HighCardinalityKey(signal: signal, signalName: name, scope: scope, stats: stats))
        }
        return keys
    }

    package func complexity(threshold: UInt64, limit: Int) async throws -> [SignalComplexity] {
        guard limit > 0 else { return [] }
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.complexity(schema, threshold: threshold, limit: limit)))
        var signals: [SignalComplexity] = []
        while !decoder.isAtEnd {
            let signal = try decoder.uint8()
            let name = try decoder.string()
            var counts: [UInt64] = []
            for _ in 0..<7 { counts.append(try decoder.uint64()) }
            guard let signal = Signal(rawValue: signal) else { continue }
            signals.append(
                SignalComplexity(
                    signal: signal, signalName: name, totalKeys: counts[0], attributeKeyCount: counts[1],
                    resourceKeyCount: counts[2], eventKeyCount: counts[3], linkKeyCount: counts[4],
                    maxCardinality: counts[5], highCardinalityCount: counts[6]))
        }
        return signals
    }

    package func logPatterns(minCount: UInt64, minServices: Int, limit: Int) async throws -> [LogPattern] {
        guard limit > 0 else { return [] }
        var decoder = RowBinaryDecoder(
            try await fetch(MetadataQueries.logPatterns(schema, minCount: minCount, minServices: minServices, limit: limit)))
        var patterns: [LogPattern] = []
        while !decoder.isAtEnd {
            let template = try decoder.string()
            let severities = try decoder.stringArray()
            let counts = try decoder.array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.uint64() }
            let example = try decoder.string()
            _ = try decoder.uint64()
            let severityCounts = zip(severities, counts).map { SeverityCount(severity: $0, count: $1) }.sorted { $0.severity < $1.severity }
            patterns.append(LogPattern(template: template, example: example, severityCounts: severityCounts, services: []))
        }
        guard !patterns.isEmpty else { return [] }
        return try await attachServices(to: patterns, severity: nil)
    }

    package func logPattern(severity: String, template: String) async throws -> LogPattern? {
        let pattern = LogPattern(template: template, example: "", severityCounts: [], services: [])
        let attached = try await attachServices(to: [pattern], severity: severity)
        return attached.first.flatMap { $0.services.isEmpty ? nil : $0 }
    }

    package func logCountsByService(limit: Int, offset: Int) async throws -> Page<ServiceSeverityCount> {
        async let totalBytes = fetch(MetadataQueries.logServicePairCount(schema))
        async let pageBytes = limit > 0 ? fetch(MetadataQueries.logCountsByService(schema, limit: limit, offset: offset)) : []
        var decoder = RowBinaryDecoder(try await pageBytes)
        var items: [ServiceSeverityCount] = []
        while !decoder.isAtEnd {
            items.append(ServiceSeverityCount(service: try decoder.string(), severity: try decoder.string(), count: try decoder.uint64()))
        }
        var totalDecoder = RowBinaryDecoder(try await totalBytes)
        let total = totalDecoder.isAtEnd ? 0 : try totalDecoder.uint64()
        return Page(items: items, total: Int(clamping: total))
    }

    package func log(service: String, severity: String) async throws -> ServiceLogSummary? {
        async let countBytes = fetch(MetadataQueries.logServiceCounts(schema, severities: [severity]))
        async let keyBytes = fetch(MetadataQueries.logServiceKeys(schema, severities: [severity], services: [service]))
        async let templateBytes = fetch(MetadataQueries.serviceTemplates(schema, service: service, severity: severity))
        let counts = try Self.decodeLogServiceCounts(try await countBytes)
        let keys = try Self.decodeLogServiceKeys(try await keyBytes)[LogServiceKey(severity: severity, service: service)] ?? []
        var decoder = RowBinaryDecoder(try await templateBytes)
        var templates: [TemplateStats] = []
        while !decoder.isAtEnd {
            templates.append(TemplateStats(template: try decoder.string(), count: try decoder.uint64(), example: try decoder.string()))
        }
        guard let count = counts[LogServiceKey(severity: severity, service: service)] else { return nil }
        return ServiceLogSummary(
            service: service, severity: severity, sampleCount: count, bodyTemplates: templates,
            attributeKeys: keys.filter { $0.scope == .attribute }.map(\.stats),
            resourceKeys: keys.filter { $0.scope == .resource }.map(\.stats))
    }

    // MARK: - Pieces

    /// A (severity, service) pair of log rows.
    struct LogServiceKey: Hashable {
        var severity: String
        var service: String
    }

    /// Fills each pattern's services (and, for a single `severity`, its count and example) with three concurrent queries.
    private func attachServices(to patterns: [LogPattern], severity: String?) async throws -> [LogPattern] {
        let templateBytes = try await fetch(MetadataQueries.templateServices(schema, templates: patterns.map(\.template), severity: severity))
        var decoder = RowBinaryDecoder(templateBytes)
        var emitters: [String: [(severity: String, service: String, count: UInt64, example: String)]] = [:]
        while !decoder.isAtEnd {
            let template = try decoder.string()
            emitters[template, default: []].append((try decoder.string(), try decoder.string(), try decoder.uint64(), try decoder.string()))
        }
        var result = patterns
        for index in result.indices {
            let shown = Set(result[index].severityCounts.map(\.severity))
            var rows = emitters[result[index].template] ?? []
            if severity == nil { rows = rows.filter { shown.contains($0.severity) } }
            if let severity, !rows.isEmpty {
                result[index].severityCounts = [SeverityCount(severity: severity, count: rows.reduce(0) { $0 &+ $1.count })]
                result[index].example = rows.map(\.example).filter { !$0.isEmpty }.min() ?? ""
            }
            result[index].services = rows.map { PatternService(severity: $0.severity, service: $0.service, sampleCount: 0) }
        }
        let severities = Array(Set(result.flatMap { $0.services.map(\.severity) })).sorted()
        let services = Array(Set(result.flatMap { $0.services.map(\.service) })).sorted()
        guard !severities.isEmpty else { return result }
        async let countBytes = fetch(MetadataQueries.logServiceCounts(schema, severities: severities))
        async let keyBytes = fetch(MetadataQueries.logServiceKeys(schema, severities: severities, services: services))
        let counts = try Self.decodeLogServiceCounts(try await countBytes)
        let keys = try Self.decodeLogServiceKeys(try await keyBytes)
        for index in result.indices {
            for entry in result[index].services.indices {
                let pair = LogServiceKey(severity: result[index].services[entry].severity, service: result[index].services[entry].service)
                let pairKeys = keys[pair] ?? []
                result[index].services[entry].sampleCount = counts[pair] ?? 0
                result[index].services[entry].resourceKeys = pairKeys.filter { $0.scope == .resource }.map(\.stats)
                result[index].services[entry].attributeKeys = pairKeys.filter { $0.scope == .attribute }.map(\.stats)
            }
        }
        return result
    }

    /// The key statistic columns of ``MetadataQueries`` (count, cardinality, samples, small samples) for `key`.
    static func decodeKeyStats(_ decoder: inout RowBinaryDecoder, key: String) throws(StoreError) -> KeyStats {
        let count = try decoder.uint64()
        let cardinality = try decoder.uint64()
        let samples = try decodeSamples(&decoder, cardinality: cardinality)
        return KeyStats(key: key, count: count, estimatedCardinality: cardinality, samples: samples)
    }

    static func decodeLogServiceCounts(_ bytes: [UInt8]) throws(StoreError) -> [LogServiceKey: UInt64] {
        var decoder = RowBinaryDecoder(bytes)
        var counts: [LogServiceKey: UInt64] = [:]
        while !decoder.isAtEnd {
            let pair = LogServiceKey(severity: try decoder.string(), service: try decoder.string())
            counts[pair] = try decoder.uint64()
        }
        return counts
    }

    /// Key rows per (severity, service), in (scope, key) order; rows with an unknown scope are skipped.
    static func decodeLogServiceKeys(_ bytes: [UInt8]) throws(StoreError) -> [LogServiceKey: [KeyRow]] {
        var decoder = RowBinaryDecoder(bytes)
        var keys: [LogServiceKey: [KeyRow]] = [:]
        while !decoder.isAtEnd {
            let pair = LogServiceKey(severity: try decoder.string(), service: try decoder.string())
            let scope = try decoder.uint8()
            let stats = try decodeKeyStats(&decoder, key: try decoder.string())
            guard let keyScope = KeyScope(rawValue: scope) else { continue }
            keys[pair, default: []].append(KeyRow(scope: keyScope, eventName: "", stats: stats))
        }
        return keys
    }
}
