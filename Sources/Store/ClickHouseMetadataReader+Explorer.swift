/// ``ExplorerReading`` over ClickHouse. A key runs two queries concurrently (overall statistics with the place count, one
/// page of places); a service two (totals and key counts per signal, one page of keys).
/// Rows with a signal or scope this build does not know are skipped.
extension ClickHouseMetadataReader: ExplorerReading {
    package func keyUsage(key: String, range: DayRange, limit: Int, offset: Int) async throws -> KeyUsage? {
        async let overallBytes = fetch(V2Queries.keyOverall(schema, key: key, range: range))
        async let placeBytes = limit > 0 ? fetch(V2Queries.keyPlaces(schema, key: key, range: range, limit: limit, offset: offset)) : []
        var decoder = RowBinaryDecoder(try await overallBytes)
        guard !decoder.isAtEnd else { return nil }
        let overall = try Self.decodeKeyStats(&decoder, key: key)
        let signals = try decoder.uint8Array().compactMap(Signal.init(rawValue:))
        let total = try decoder.uint64()
        let places = try Self.decodeKeyPlaces(try await placeBytes)
        return KeyUsage(overall: overall, signals: signals, places: places, totalPlaces: Int(clamping: total))
    }

    package func serviceUsage(service: String, signal: Signal?, range: DayRange, limit: Int, offset: Int) async throws -> ServiceUsage? {
        async let signalBytes = fetch(V2Queries.serviceSignals(schema, service: service, range: range))
        async let keyBytes =
            limit > 0
            ? fetch(V2Queries.serviceKeys(schema, service: service, signal: signal, range: range, limit: limit, offset: offset)) : []
        var signals: [ServiceSignalTotals] = []
        var decoder = RowBinaryDecoder(try await signalBytes)
        while !decoder.isAtEnd {
            let raw = try decoder.uint8()
            let names = try decoder.uint64()
            let items = try decoder.uint64()
            let keys = try decoder.uint64()
            guard let rowSignal = Signal(rawValue: raw) else { continue }
            signals.append(ServiceSignalTotals(signal: rowSignal, names: names, items: items, keys: keys))
        }
        let keys = try Self.decodeServiceKeys(try await keyBytes)
        guard !signals.isEmpty else { return nil }
        let total = signals.filter { signal == nil || $0.signal == signal }.reduce(0) { $0 &+ $1.keys }
        return ServiceUsage(signals: signals, keys: keys, totalKeys: Int(clamping: total))
    }

    static func decodeKeyPlaces(_ bytes: [UInt8]) throws(StoreError) -> [KeyPlace] {
        var decoder = RowBinaryDecoder(bytes)
        var places: [KeyPlace] = []
        while !decoder.isAtEnd {
            let signal = try decoder.uint8()
            let name = try decoder.string()
            let scope = try decoder.uint8()
            let service = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            guard let signal = Signal(rawValue: signal), let scope = KeyScope(rawValue: scope) else { continue }
            places.append(KeyPlace(signal: signal, name: name, scope: scope, service: service, count: count, estimatedCardinality: cardinality))
        }
        return places
    }

    static func decodeServiceKeys(_ bytes: [UInt8]) throws(StoreError) -> [ServiceKey] {
        var decoder = RowBinaryDecoder(bytes)
        var keys: [ServiceKey] = []
        while !decoder.isAtEnd {
            let signal = try decoder.uint8()
            let scope = try decoder.uint8()
            let key = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            guard let signal = Signal(rawValue: signal), let scope = KeyScope(rawValue: scope) else { continue }
            keys.append(ServiceKey(signal: signal, scope: scope, key: key, count: count, estimatedCardinality: cardinality))
        }
        return keys
    }
}
