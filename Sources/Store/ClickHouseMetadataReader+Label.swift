/// ``LabelReading`` over ClickHouse. Each read runs a small fixed number of SELECTs whose rows are per (name, service,
/// key, day) in the range: label detail (1) the name's signal row and (2) its keys, then (3) the heavy hitters of the
/// page's keys; active series (1) a page of names and the total, then (2) their facts per name and per service; TSDB
/// status (1) every metric's series and every label name's figures (ranked here), (2) the bounds and scales of the
/// histograms among them, then (3) the heavy hitters of the labels of the N metrics with the most series (and of the
/// focus label there).
extension ClickHouseMetadataReader: LabelReading {
    package func labels(signal: Signal, name: String, range: DayRange, service: String?, limit: Int, offset: Int) async throws -> LabelDetail? {
        async let signalBytes = fetch(V2Queries.labelSignal(schema, signal: signal, name: name, range: range, service: service))
        async let keyBytes = fetch(V2Queries.labelKeys(schema, signal: signal, name: name, range: range, service: service))
        guard let facts = try Self.decodeMetricSeriesFacts(try await signalBytes).first, facts.count > 0 else { return nil }
        var keys = try Self.decodeLabelKeys(try await keyBytes)
        keys.sort { a, b in
            if a.estimatedCardinality != b.estimatedCardinality { return a.estimatedCardinality > b.estimatedCardinality }
            return (a.scope.rawValue, a.eventName, a.key) < (b.scope.rawValue, b.eventName, b.key)
        }
        let logSum = keys.reduce(0.0) { $0 + LabelDetail.logCardinality($1.estimatedCardinality) }
        let start = min(max(0, offset), keys.count)
        var page = Array(keys[start..<min(keys.count, start + max(0, limit))])
        if !page.isEmpty {
            let keyNames = Array(Set(page.map(\.key))).sorted()
            let heavy = try Self.decodeHeavyHitters(
                try await fetch(
                    V2Queries.labelHeavyHitters(
                        schema, signal: signal, name: name, range: range, service: service, keys: keyNames)))
            for index in page.indices {
                let id = HeavyKey(scope: page[index].scope.rawValue, eventName: page[index].eventName, key: page[index].key)
                page[index].topValues = heavy[id] ?? []
            }
        }
        return LabelDetail(
            signal: signal, name: name, count: facts.count, series: signal == .metric ? facts.series : .zero,
            keys: page, totalKeys: keys.count, logCardinalitySum: logSum)
    }

    package func metricSeries(_ query: MetricSeriesQuery) async throws -> Page<MetricSeries> {
        async let totalBytes = fetch(V2Queries.activeSeriesNameCount(schema, query: query))
        var names: [String] = []
        if query.limit > 0 {
            var decoder = RowBinaryDecoder(try await fetch(V2Queries.activeSeriesNames(schema, query: query)))
            while !decoder.isAtEnd { names.append(try decoder.string()) }
        }
        var items: [MetricSeries] = []
        if !names.isEmpty {
            async let totalsBytes = fetch(V2Queries.activeSeriesFacts(schema, names: names, range: query.range, perService: false))
            async let servicesBytes = fetch(V2Queries.activeSeriesFacts(schema, names: names, range: query.range, perService: true))
            var totals: [String: MetricSeriesFacts] = [:]
            for facts in try Self.decodeMetricSeriesFacts(try await totalsBytes, named: true) { totals[facts.name] = facts }
            var services: [String: [ServiceSeries]] = [:]
            for facts in try Self.decodeMetricSeriesFacts(try await servicesBytes, named: true) {
                services[facts.name, default: []].append(ServiceSeries(service: facts.service, count: facts.count, series: facts.series))
            }
            for name in names {
                guard let facts = totals[name] else { continue }
                items.append(MetricSeries(name: name, type: facts.type, count: facts.count, series: facts.series, services: services[name] ?? []))
            }
        }
        var decoder = RowBinaryDecoder(try await totalBytes)
        let total = decoder.isAtEnd ? 0 : try decoder.uint64()
        return Page(items: items, total: Int(clamping: total))
    }

    package func tsdbStatus(range: DayRange, topN: Int, focusLabel: String?) async throws -> TSDBStatus {
        let topN = max(1, topN)
        async let metricBytes = fetch(V2Queries.tsdbMetrics(schema, range: range))
        async let labelBytes = fetch(V2Queries.tsdbLabels(schema, range: range))
        var status = TSDBStatus()
        // Per metric: Prometheus series and data points (the denominators of the pair shares).
        var metrics: [String: (series: UInt64, count: UInt64)] = [:]
        var firstSeen = EpochSeconds.max
        let rows = try Self.decodeTSDBMetrics(try await metricBytes)
        // Histograms' Prometheus series need their bounds and scales: read for those names only.
        let histograms = rows.filter { $0.facts.type == .histogram || $0.facts.type == .exponentialHistogram }.map(\.facts.name)
        var histogramFacts: [String: MetricSeriesFacts] = [:]
        if !histograms.isEmpty {
            let bytes = try await fetch(V2Queries.activeSeriesFacts(schema, names: histograms, range: range, perService: false))
            for facts in try Self.decodeMetricSeriesFacts(bytes, named: true) { histogramFacts[facts.name] = facts }
        }
        for row in rows {
            let facts = histogramFacts[row.facts.name] ?? row.facts
            metrics[facts.name] = (facts.series.prometheus, facts.count)
            status.numSeries = status.numSeries.addingSaturating(facts.series.prometheus)
            firstSeen = min(firstSeen, row.firstSeen)
            status.maxTime = max(status.maxTime, row.lastSeen)
        }
        status.minTime = metrics.isEmpty ? 0 : firstSeen
        status.seriesCountByMetricName = Self.topNamedValues(metrics.map { NamedValue(name: $0.key, value: $0.value.series) }, topN)
        // Pairs are estimated over the listed metrics (the N with the most series), so the cost stays that of N metrics.
        let listed = status.seriesCountByMetricName.map(\.name)
        async let heavyBytes = listed.isEmpty ? [] : fetch(V2Queries.tsdbHeavyHitters(schema, metrics: listed, range: range, key: nil))
        async let focusBytes =
            listed.isEmpty || focusLabel == nil
            ? []
            : fetch(V2Queries.tsdbHeavyHitters(schema, metrics: listed, range: range, key: focusLabel))

        let labels = try Self.labelFigures(try await labelBytes, top: topN)
        status.numLabelPairs = labels.pairs
        status.labelValueCountByLabelName = labels.byCardinality
        status.memoryInBytesByLabelName = labels.byMemory

        let pairs = try Self.decodeLabelHeavyHitters(try await heavyBytes)
        status.seriesCountByLabelValuePair = Self.topNamedValues(Self.pairSeries(pairs, metrics: metrics) { "\($0)=\($1)" }, topN)
        let focused = try Self.decodeLabelHeavyHitters(try await focusBytes)
        if focusLabel != nil {
            status.seriesCountByFocusLabelValue = Self.topNamedValues(Self.pairSeries(focused, metrics: metrics) { $1 }, topN)
        }
        return status
    }
}

// MARK: - Rows

extension ClickHouseMetadataReader {
    /// Series facts of one name (and service) in a range (``V2Queries/activeSeriesColumns``).
    struct MetricSeriesFacts {
        var name = ""
        var service = ""
        var count: UInt64
        var type: MetricType
        var series: ActiveSeries
    }

    /// The identity of a key in heavy-hitter rows.
    struct HeavyKey: Hashable {
        var scope: UInt8
        var eventName: String
        var key: String
    }

    /// One (metric, label) of ``V2Queries/tsdbHeavyHitters(_:range:key:)``.
    struct LabelHeavyHitters {
        var metric: String
        var key: String
        var values: [ValueFrequency]
    }

    static func decodeMetricSeriesFacts(_ bytes: [UInt8], named: Bool = false) throws(StoreError) -> [MetricSeriesFacts] {
        var decoder = RowBinaryDecoder(bytes)
        var rows: [MetricSeriesFacts] = []
        while !decoder.isAtEnd {
            let name = named ? try decoder.string() : ""
            let service = named ? try decoder.string() : ""
            rows.append(try decodeMetricSeriesColumns(&decoder, name: name, service: service))
        }
        return rows
    }

    static func decodeMetricSeriesColumns(_ decoder: inout RowBinaryDecoder, name: String, service: String) throws(StoreError) -> MetricSeriesFacts {
        let count = try decoder.uint64()
        let tracked = try decoder.uint64()
        let type = MetricType(rawValue: try decoder.uint8()) ?? .unknown
        let bounds = try decoder.uint64()
        let maxScale = try decoder.int32()
        return MetricSeriesFacts(
            name: name, service: service, count: count, type: type,
            series: ActiveSeries(count: count, tracked: tracked, type: type, bounds: Int(clamping: bounds), maxScale: maxScale))
    }

    static func decodeTSDBMetrics(_ bytes: [UInt8]) throws(StoreError) -> [(
        facts: MetricSeriesFacts, firstSeen: EpochSeconds, lastSeen: EpochSeconds
    )] {
        var decoder = RowBinaryDecoder(bytes)
        var rows: [(facts: MetricSeriesFacts, firstSeen: EpochSeconds, lastSeen: EpochSeconds)] = []
        while !decoder.isAtEnd {
            let name = try decoder.string()
            let facts = try decodeMetricSeriesColumns(&decoder, name: name, service: "")
            rows.append((facts, try decoder.uint32(), try decoder.uint32()))
        }
        return rows
    }

    /// Keys of ``V2Queries/labelKeys(_:signal:name:range:service:)``; rows with an unknown scope are skipped.
    static func decodeLabelKeys(_ bytes: [UInt8]) throws(StoreError) -> [LabelStats] {
        var decoder = RowBinaryDecoder(bytes)
        var keys: [LabelStats] = []
        while !decoder.isAtEnd {
            let scope = try decoder.uint8()
            let eventName = try decoder.string()
            let key = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            let samples = try decodeSamples(&decoder, cardinality: cardinality)
            guard let keyScope = KeyScope(rawValue: scope) else { continue }
            keys.append(
                LabelStats(scope: keyScope, eventName: eventName, key: key, count: count, estimatedCardinality: cardinality, samples: samples))
        }
        return keys
    }

    /// Top values per key of ``V2Queries/labelHeavyHitters(_:signal:name:range:service:keys:)``.
    static func decodeHeavyHitters(_ bytes: [UInt8]) throws(StoreError) -> [HeavyKey: [ValueFrequency]] {
        var decoder = RowBinaryDecoder(bytes)
        var values: [HeavyKey: [ValueFrequency]] = [:]
        while !decoder.isAtEnd {
            let id = HeavyKey(scope: try decoder.uint8(), eventName: try decoder.string(), key: try decoder.string())
            values[id] = try decodeTopValues(&decoder, limit: LabelStats.maxTopValues)
        }
        return values
    }

    static func decodeLabelHeavyHitters(_ bytes: [UInt8]) throws(StoreError) -> [LabelHeavyHitters] {
        var decoder = RowBinaryDecoder(bytes)
        var rows: [LabelHeavyHitters] = []
        while !decoder.isAtEnd {
            let metric = try decoder.string()
            let key = try decoder.string()
            rows.append(LabelHeavyHitters(metric: metric, key: key, values: try decodeTopValues(&decoder, limit: .max)))
        }
        return rows
    }

    /// The merged heavy hitters (hashes, counts, texts) of one key: the values that have a text, most frequent first
    /// (ties by value bytes), at most `limit`.
    static func decodeTopValues(_ decoder: inout RowBinaryDecoder, limit: Int) throws(StoreError) -> [ValueFrequency] {
        let keys = try decoder.uint32Array()
        let counts = try decoder.uint64Array()
        let texts = try decoder.stringArray()
        return HeavyHitterTexts.topValues(keys: keys, counts: counts, texts: texts, limit: limit)
    }

    /// The label rows of ``V2Queries/tsdbLabels(_:range:)``: label pairs (Σ cardinality, saturating) and the top `n`
    /// label names by cardinality and by memory, largest first, ties by name (byte order). One row per label name of
    /// the store (100,000 on the read benchmark): names stay in `bytes` until they make a top list.
    static func labelFigures(_ bytes: [UInt8], top n: Int) throws(StoreError) -> (
        pairs: UInt64, byCardinality: [NamedValue], byMemory: [NamedValue]
    ) {
        struct Row { var key: Range<Int>; var cardinality: UInt64; var memory: UInt64 }
        var rows: [Row] = []
        var pairs: UInt64 = 0
        var decoder = RowBinaryDecoder(bytes)
        while !decoder.isAtEnd {
            let row = Row(key: try decoder.stringRange(), cardinality: try decoder.uint64(), memory: try decoder.uint64())
            pairs = pairs.addingSaturating(row.cardinality)
            rows.append(row)
        }
        return bytes.withUnsafeBufferPointer { buffer in
            func top(_ figure: (Row) -> UInt64) -> [NamedValue] {
                rows.smallest(n) { a, b in figure(a) != figure(b) ? figure(a) > figure(b) : buffer.order(a.key, b.key) < 0 }
                    .map { NamedValue(name: String(decoding: buffer[$0.key], as: UTF8.self), value: figure($0)) }
            }
            return (pairs, top(\.cardinality), top(\.memory))
        }
    }

    /// Estimated series per pair: Σ over metrics of the metric's series × (items with the value / the metric's items),
    /// rounded to the nearest integer; `name(key, value)` names the pair.
    static func pairSeries(
        _ rows: [LabelHeavyHitters], metrics: [String: (series: UInt64, count: UInt64)],
        name: (String, String) -> String
    ) -> [NamedValue] {
        var series: [String: Double] = [:]
        for row in rows {
            guard let metric = metrics[row.metric], metric.count > 0 else { continue }
            for value in row.values {
                series[name(row.key, value.value), default: 0] += Double(metric.series) * Double(value.count) / Double(metric.count)
            }
        }
        return series.map { NamedValue(name: $0.key, value: UInt64(clamping: Int64($0.value.rounded()))) }
    }

    /// The `n` largest values, ties by name.
    static func topNamedValues(_ values: [NamedValue], _ n: Int) -> [NamedValue] {
        values.smallest(n) { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }
    }
}

private extension UInt64 {
    func addingSaturating(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
