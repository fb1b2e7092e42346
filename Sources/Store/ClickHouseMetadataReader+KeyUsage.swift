extension ClickHouseMetadataReader {
    package func spanNames(limit: Int) async throws -> Page<SpanNameUsage> {
        async let totalBytes = fetch(MetadataQueries.signalNameCount(schema, signal: .span, service: nil))
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.spanNames(schema, limit: limit)))
        var names: [SpanNameUsage] = []
        while !decoder.isAtEnd {
            names.append(
                SpanNameUsage(
                    name: try decoder.string(), kind: try decoder.uint8(), count: try decoder.uint64(),
                    services: try decoder.stringArray()))
        }
        return Page(items: names, total: try await Self.count(totalBytes))
    }

    package func serviceKeys(service: String, limit: Int, offset: Int) async throws -> Page<String> {
        async let totalBytes = fetch(MetadataQueries.serviceKeyCount(schema, service: service))
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.serviceKeys(schema, service: service, limit: limit, offset: offset)))
        var keys: [String] = []
        while !decoder.isAtEnd { keys.append(try decoder.string()) }
        return Page(items: keys, total: try await Self.count(totalBytes))
    }

    package func keyServices(key: String, limit: Int, offset: Int) async throws -> Page<KeyServiceUsage> {
        async let totalBytes = fetch(MetadataQueries.keyServiceCount(schema, key: key))
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.keyServices(schema, key: key, limit: limit, offset: offset)))
        var usages: [KeyServiceUsage] = []
        while !decoder.isAtEnd {
            let service = try decoder.string()
            let signal = try decoder.uint8()
            let count = try decoder.uint64()
            if let signal = Signal(rawValue: signal) { usages.append(KeyServiceUsage(service: service, signal: signal, count: count)) }
        }
        return Page(items: usages, total: try await Self.count(totalBytes))
    }

    package func keyTelemetry(key: String, limit: Int) async throws -> KeyTelemetry {
        async let countBytes = fetch(MetadataQueries.keyNameCounts(schema, key: key))
        async let serviceBytes = fetch(MetadataQueries.keyNameServices(schema, key: key, limit: limit))
        var decoder = RowBinaryDecoder(try await fetch(MetadataQueries.keyNames(schema, key: key, limit: limit)))
        var entries: [Signal: [KeyTelemetry.Entry]] = [:]
        while !decoder.isAtEnd {
            let signal = try decoder.uint8()
            let name = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            guard let signal = Signal(rawValue: signal) else { continue }
            entries[signal, default: []].append(KeyTelemetry.Entry(name: name, count: count, cardinality: cardinality))
        }
        var totals: [Signal: Int] = [:]
        var countDecoder = RowBinaryDecoder(try await countBytes)
        while !countDecoder.isAtEnd {
            let signal = try countDecoder.uint8()
            let names = try countDecoder.uint64()
            if let signal = Signal(rawValue: signal) { totals[signal] = Int(clamping: names) }
        }
        try Self.addServices(try await serviceBytes, to: &entries)
        return KeyTelemetry(
            metrics: entries[.metric] ?? [], spans: entries[.span] ?? [], logs: entries[.log] ?? [],
            metricTotal: totals[.metric] ?? 0, spanTotal: totals[.span] ?? 0, logTotal: totals[.log] ?? 0)
    }

    package func logTemplateCount() async throws -> Int {
        try Self.count(try await fetch(MetadataQueries.logTemplateCount(schema)))
    }

    /// Fills in the services, metric type and span kind of telemetry entries from ``MetadataQueries/keyNameServices(_:key:limit:)``.
    private static func addServices(_ bytes: [UInt8], to entries: inout [Signal: [KeyTelemetry.Entry]]) throws(StoreError) {
        var decoder = RowBinaryDecoder(bytes)
        var index: [Signal: [String: Int]] = [:]
        for (signal, list) in entries {
            index[signal] = Dictionary(list.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
        while !decoder.isAtEnd {
            let signal = try decoder.uint8()
            let name = try decoder.string()
            let service = try decoder.string()
            let count = try decoder.uint64()
            let metricType = try decoder.uint8()
            let spanKind = try decoder.uint8()
            guard let signal = Signal(rawValue: signal), let position = index[signal]?[name] else { continue }
            entries[signal]![position].services.append(ServiceCount(service: service, count: count))
            // The highest type and kind over services, as the signal summaries merge them (`maxMerge`).
            if let type = MetricType(rawValue: metricType), type.rawValue > entries[signal]![position].metricType.rawValue {
                entries[signal]![position].metricType = type
            }
            entries[signal]![position].spanKind = max(entries[signal]![position].spanKind, spanKind)
        }
    }

    /// A single `UInt64` answer as an `Int` (0 when there is no row).
    static func count(_ bytes: [UInt8]) throws(StoreError) -> Int {
        var decoder = RowBinaryDecoder(bytes)
        return decoder.isAtEnd ? 0 : Int(clamping: try decoder.uint64())
    }
}
