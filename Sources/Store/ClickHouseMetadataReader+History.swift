extension ClickHouseMetadataReader: HistoryReading {
    package func history(_ query: HistoryQuery) async throws -> [HistoryPoint] {
        var decoder = RowBinaryDecoder(try await fetch(V2Queries.history(schema, query)))
        var points: [HistoryPoint] = []
        while !decoder.isAtEnd {
            let day = try decoder.uint16()
            let count = try decoder.uint64()
            let cardinality = query.hasCardinality ? try decoder.uint64() : nil
            let services = try decoder.stringArray()
            points.append(HistoryPoint(day: day, count: count, estimatedCardinality: cardinality, services: services))
        }
        return points.reversed()
    }

    /// The days that hold rows first (the newest one is the default `until`), then three reads over the baseline and the
    /// window together, run concurrently: counts per (signal, name, service, day), log template counts per day, and the
    /// keys that changed (their daily cardinalities reduced in ClickHouse, over the days that hold key rows only);
    /// ``ChangeDetector`` does the rest.
    package func changes(_ query: ChangeQuery) async throws -> ChangeReport {
        try await changes(query, inlineDays: V2Queries.keyChangesInlineDays)
    }

    /// ``changes(_:)`` with the key query chosen by the number of days with key rows: a column per day up to
    /// `inlineDays` of them.
    func changes(_ query: ChangeQuery, inlineDays: Int) async throws -> ChangeReport {
        // With `until` given, the compared days are known before anything is read (the newest day does not matter).
        let known = query.until == nil ? nil : query.resolved(newestDay: nil)
        let stored = try Self.storedDays(try await fetch(V2Queries.storedDays(schema, range: known.map(Self.compared) ?? .all)))
        let (window, baseline) = known ?? query.resolved(newestDay: stored.last { $0.signalRows }?.day)
        let range = Self.compared(window: window, baseline: baseline)
        async let signalBytes = fetch(V2Queries.signalDays(schema, range: range, signal: query.signal, service: query.service))
        async let templateBytes =
            query.signal == nil || query.signal == .log
            ? fetch(V2Queries.templateDays(schema, range: range, service: query.service)) : []
        let keyDays = stored.filter { $0.keyRows && range.contains($0.day) }.map(\.day)
        let inline = keyDays.count <= inlineDays
        async let keyBytes =
            keyDays.isEmpty
            ? []
            : inline
                ? fetch(V2Queries.keyChangesByDay(schema, days: keyDays, since: window.lowerBound, signal: query.signal, service: query.service))
                : fetch(V2Queries.keyChanges(schema, range: range, since: window.lowerBound, signal: query.signal, service: query.service))
        let detector = ChangeDetector(window: window, baseline: baseline)
        var findings = ChangeFindings()
        try Self.signalChanges(try await signalBytes, detector, into: &findings.changes)
        try Self.templateChanges(try await templateBytes, detector, into: &findings.changes)
        let keys = try await keyBytes
        findings.setKeys(inline ? try Self.keyChangesByDay(keys, days: keyDays, detector) : try Self.keyChanges(keys, detector), in: keys)
        return detector.report(findings, minSeverity: query.minSeverity, order: query.order, page: query.page)
    }

    /// The baseline and the window together.
    private static func compared(window: ClosedRange<UInt16>, baseline: ClosedRange<UInt16>?) -> DayRange {
        DayRange(from: baseline?.lowerBound ?? window.lowerBound, to: window.upperBound)
    }

    /// Rows of ``V2Queries/storedDays(_:range:)``, ascending by day.
    private static func storedDays(_ bytes: [UInt8]) throws(StoreError) -> [(day: UInt16, signalRows: Bool, keyRows: Bool)] {
        var days: [(day: UInt16, signalRows: Bool, keyRows: Bool)] = []
        var decoder = RowBinaryDecoder(bytes)
        while !decoder.isAtEnd { days.append((try decoder.uint16(), try decoder.uint8() != 0, try decoder.uint8() != 0)) }
        return days
    }

    /// New and vanished metric and span names (merged over services) and services (per signal).
    private static func signalChanges(_ bytes: [UInt8], _ detector: ChangeDetector, into changes: inout [Change]) throws(StoreError) {
        struct Name: Hashable { var signal: Signal; var name: String }
        struct Service: Hashable { var signal: Signal; var service: String }
        var names: [Name: [UInt16: UInt64]] = [:]
        var services: [Service: [UInt16: UInt64]] = [:]
        var decoder = RowBinaryDecoder(bytes)
        while !decoder.isAtEnd {
            let rawSignal = try decoder.uint8()
            let name = try decoder.string()
            let service = try decoder.string()
            let day = try decoder.uint16()
            let count = try decoder.uint64()
            guard let signal = Signal(rawValue: rawSignal) else { continue }
            if signal != .log { names[Name(signal: signal, name: name), default: [:]][day, default: 0] &+= count }
            services[Service(signal: signal, service: service), default: [:]][day, default: 0] &+= count
        }
        for (item, days) in names {
            guard let finding = detector.presenceFinding(dayValues(days)) else { continue }
            changes.append(change(finding, item: item.signal == .metric ? .metric : .span, signal: item.signal, name: item.name))
        }
        for (item, days) in services {
            guard let finding = detector.presenceFinding(dayValues(days)) else { continue }
            changes.append(change(finding, item: .service, signal: item.signal, name: "", service: item.service))
        }
    }

    private static func templateChanges(_ bytes: [UInt8], _ detector: ChangeDetector, into changes: inout [Change]) throws(StoreError) {
        struct Template: Hashable { var severity: String; var template: String }
        var templates: [Template: [ChangeDetector.DayValue]] = [:]
        var decoder = RowBinaryDecoder(bytes)
        while !decoder.isAtEnd {
            let severity = try decoder.string()
            let template = try decoder.string()
            let day = try decoder.uint16()
            let count = try decoder.uint64()
            templates[Template(severity: severity, template: template), default: []].append(.init(day: day, value: count))
        }
        for (item, days) in templates {
            guard let finding = detector.presenceFinding(days) else { continue }
            changes.append(change(finding, item: .logTemplate, signal: .log, name: item.severity, template: item.template))
        }
    }

    /// Keys arrive reduced (``V2Queries/keyChanges(_:range:since:signal:service:)``): the baseline as its largest daily
    /// value on its last day, the window day by day, which is all ``ChangeDetector/keyFinding(_:)`` looks at.
    private static func keyChanges(_ bytes: [UInt8], _ detector: ChangeDetector) throws(StoreError) -> [ChangeFindings.KeyRow] {
        var rows: [ChangeFindings.KeyRow] = []
        var windowDays: [UInt16] = [], windowValues: [UInt64] = []
        var days: [ChangeDetector.DayValue] = []
        var decoder = RowBinaryDecoder(bytes)
        while !decoder.isAtEnd {
            let rawSignal = try decoder.uint8()
            let name = try decoder.stringRange()
            let rawScope = try decoder.uint8()
            let event = try decoder.stringRange()
            let key = try decoder.stringRange()
            let baselineMax = try decoder.uint64()
            _ = try decoder.uint64()
            let inBaseline = try decoder.uint8() != 0
            _ = try decoder.uint8()
            let lastBaselineDay = try decoder.uint16()
            let dayCount = try decoder.varint()
            windowDays.removeAll(keepingCapacity: true)
            for _ in 0..<dayCount { windowDays.append(try decoder.uint16()) }  // each read is bounds-checked
            try decoder.uint64Array(into: &windowValues)
            guard let signal = Signal(rawValue: rawSignal), let scope = KeyScope(rawValue: rawScope),
                windowDays.count == windowValues.count
            else { continue }
            days.removeAll(keepingCapacity: true)
            for (day, value) in zip(windowDays, windowValues) { days.append(ChangeDetector.DayValue(day: day, value: value)) }
            if inBaseline { days.append(ChangeDetector.DayValue(day: lastBaselineDay, value: baselineMax)) }
            guard let finding = detector.keyFinding(days) else { continue }
            rows.append(ChangeFindings.KeyRow(signal: signal, scope: scope, name: name, event: event, key: key, finding: finding))
        }
        return rows
    }

    /// Keys with a value per day of `days` (``V2Queries/keyChangesByDay(_:days:since:signal:service:)``).
    private static func keyChangesByDay(_ bytes: [UInt8], days: [UInt16], _ detector: ChangeDetector) throws(StoreError) -> [ChangeFindings.KeyRow] {
        // Every key of the range comes back when it is all new (100,000 keys and more): the key's strings stay in
        // `bytes` (see ``ChangeFindings``), and the day columns are read into buffers reused from row to row.
        var rows: [ChangeFindings.KeyRow] = []
        var values: [ChangeDetector.DayValue] = []
        var cardinalities: [UInt64] = [], counts: [UInt64] = []
        var decoder = RowBinaryDecoder(bytes)
        while !decoder.isAtEnd {
            let rawSignal = try decoder.uint8()
            let name = try decoder.stringRange()
            let rawScope = try decoder.uint8()
            let event = try decoder.stringRange()
            let key = try decoder.stringRange()
            try decoder.uint64Array(into: &cardinalities)
            try decoder.uint64Array(into: &counts)
            guard let signal = Signal(rawValue: rawSignal), let scope = KeyScope(rawValue: rawScope),
                cardinalities.count == days.count, counts.count == days.count
            else { continue }
            values.removeAll(keepingCapacity: true)
            for index in days.indices where counts[index] > 0 {
                values.append(ChangeDetector.DayValue(day: days[index], value: cardinalities[index]))
            }
            guard let finding = detector.keyFinding(values) else { continue }
            rows.append(ChangeFindings.KeyRow(signal: signal, scope: scope, name: name, event: event, key: key, finding: finding))
        }
        return rows
    }

    private static func dayValues(_ days: [UInt16: UInt64]) -> [ChangeDetector.DayValue] {
        days.map { ChangeDetector.DayValue(day: $0.key, value: $0.value) }
    }

    private static func change(
        _ finding: ChangeDetector.Finding, item: Change.Item, signal: Signal, name: String, service: String? = nil,
        template: String? = nil
    ) -> Change {
        Change(
            kind: finding.kind, item: item, signal: signal, name: name, service: service, template: template, severity: finding.severity,
            from: finding.from, to: finding.to, started: finding.started)
    }
}
