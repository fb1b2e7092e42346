/// One row of `metadata_ingest`, with every column (see ``Schema``); unused columns keep their zero values.
struct IngestRow: Sendable {
    var kind: Schema.RowKind
    var signal: UInt8 = 0
    var name = ""
    var service = ""
    var scope: UInt8 = 0
    var sub = ""
    var key = ""
    var day: UInt16 = 0
    var firstSeen: EpochSeconds = 0
    var lastSeen: EpochSeconds = 0
    var count: UInt64 = 0
    var valueHashes: [UInt64] = []
    /// Sample slots of key and catalog rows (see ``encodeSampleSlots(_:into:)``); other kinds write none.
    var sampleSlots: [String?] = []
    /// Small value set of key and catalog rows (``KeyAggregate/smallValues``); other kinds write none.
    var smallValues: [String] = []
    var description = ""
    var unit = ""
    var metricType: UInt8 = 0
    var temporality: UInt8 = 0
    var bounds: [Double] = []
    var scales: [Int32] = []
    var spanKind: UInt8 = 0
    var flags: UInt8 = 0
    var statusCodes: UInt8 = 0
    var severityNumber: UInt8 = 0
    var eventNames: [String] = []
    var instrumentationScope = ""
    var droppedAttributes = DroppedStats()
    var droppedEvents = DroppedStats()
    var droppedLinks = DroppedStats()
    var example = ""
    var lastOffset: Int64 = 0
    /// The write fence of the row (``Schema/fenceDeadlineColumn``): server seconds, or never.
    var fenceDeadline: UInt32 = Schema.unfencedDeadline
    /// Heavy hitters of key rows (``KeyAggregate/heavyHitters``); other kinds write none.
    var heavyHitters: [HeavyHitter] = []
    /// The stored texts of ``heavyHitters`` still to send (set with them; ``SetValueFilter`` removes those already stored).
    var heavyTexts: [String] = []

    /// Whether the row has set values (``Schema/setStates``) for a ``SetValueFilter`` to thin.
    var carriesSets: Bool {
        !bounds.isEmpty || !scales.isEmpty || !eventNames.isEmpty || !smallValues.isEmpty || !heavyTexts.isEmpty
    }

    /// The row's identity (its `metadata` sorting key) hashed: the rows one state of `metadata` merges share it.
    var identityHash: UInt64 {
        func mix(_ text: String, into hash: UInt64) -> UInt64 {
            var text = text
            return text.withUTF8 { ValueHash.hash(UnsafeRawBufferPointer($0), seed: hash) }
        }
        let fixed = ValueHash.round(UInt64(kind.rawValue) << 8 | UInt64(signal), UInt64(scope) << 16 | UInt64(day))
        return mix(key, into: mix(sub, into: mix(service, into: mix(name, into: fixed))))
    }

    /// Appends the row in ``Schema/insertColumns`` order.
    func encode(into encoder: inout RowBinaryEncoder) {
        encoder.uint8(kind.rawValue)
        encoder.uint8(signal)
        encoder.string(name)
        encoder.string(service)
        encoder.uint8(scope)
        encoder.string(sub)
        encoder.string(key)
        encoder.uint16(day)
        encoder.uint32(firstSeen)
        encoder.uint32(lastSeen)
        encoder.uint64(count)
        encoder.uint64Array(valueHashes)
        if kind == .key || kind == .catalog {
            Self.encodeSampleSlots(sampleSlots, into: &encoder)
            encoder.stringArray(smallValues)
        } else {
            encoder.varint(0)
            encoder.varint(0)
        }
        encoder.string(description)
        encoder.string(unit)
        encoder.uint8(metricType)
        encoder.uint8(temporality)
        encoder.float64Array(bounds)
        encoder.int32Array(scales)
        encoder.uint8(spanKind)
        encoder.uint8(flags)
        encoder.uint8(statusCodes)
        encoder.uint8(severityNumber)
        encoder.stringArray(eventNames)
        encoder.string(instrumentationScope)
        encoder.dropped(droppedAttributes)
        encoder.dropped(droppedEvents)
        encoder.dropped(droppedLinks)
        encoder.string(example)
        encoder.int64(lastOffset)
        encoder.uint32(fenceDeadline)
        encoder.uint32Array(heavyHitters.map(\.storedKey))
        encoder.uint64Array(heavyHitters.map(\.count))
        encoder.stringArray(heavyTexts)
        // Sample lengths (catalog rows only; see ``Schema/sampleLengthIngestColumns``).
        var sampleBytes: UInt32 = 0, sampleItems: UInt32 = 0
        if kind == .catalog {
            for case let text? in sampleSlots.prefix(KeyAggregate.maxSamples) {
                sampleBytes &+= UInt32(truncatingIfNeeded: text.utf8.count)
                sampleItems &+= 1
            }
        }
        encoder.uint32(sampleBytes)
        encoder.uint32(sampleItems)
    }
}

extension IngestRow {
    /// A kind-1 row: the signal-level facts.
    init(_ aggregate: SignalAggregate) {
        self.init(kind: .signal)
        signal = aggregate.signal.rawValue
        name = aggregate.name
        service = aggregate.service
        day = aggregate.day
        firstSeen = aggregate.firstSeen
        lastSeen = aggregate.lastSeen
        count = aggregate.count
        description = aggregate.description
        unit = aggregate.unit
        metricType = aggregate.metricType.rawValue
        temporality = aggregate.temporality
        bounds = aggregate.explicitBounds.sorted()
        scales = aggregate.scales.sorted()
        valueHashes = aggregate.seriesHashes
        spanKind = aggregate.spanKind
        flags = aggregate.flags.rawValue
        statusCodes = aggregate.statusCodes.rawValue
        severityNumber = aggregate.severityNumber
        eventNames = aggregate.eventNames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        instrumentationScope = InstrumentationScope.encode(name: aggregate.scopeName, version: aggregate.scopeVersion)
        droppedAttributes = aggregate.droppedAttributes
        droppedEvents = aggregate.droppedEvents
        droppedLinks = aggregate.droppedLinks
    }

    /// A kind-2 row: one key's statistics.
    init(_ aggregate: KeyAggregate) {
        self.init(kind: .key)
        signal = aggregate.signal.rawValue
        name = aggregate.name
        service = aggregate.service
        scope = aggregate.scope.rawValue
        sub = aggregate.eventName
        key = aggregate.key
        day = aggregate.day
        firstSeen = aggregate.firstSeen
        lastSeen = aggregate.lastSeen
        count = aggregate.count
        valueHashes = aggregate.valueHashes
        sampleSlots = aggregate.sampleSlots
        smallValues = aggregate.smallValues
        heavyHitters = aggregate.heavyHitters
        heavyTexts = aggregate.heavyHitters.map(\.storedText)
    }

    /// A kind-3 row: a log body template.
    init(_ aggregate: TemplateAggregate) {
        self.init(kind: .template)
        signal = Signal.log.rawValue
        name = aggregate.severity
        service = aggregate.service
        sub = aggregate.template
        day = aggregate.day
        firstSeen = aggregate.firstSeen
        lastSeen = aggregate.lastSeen
        count = aggregate.count
        example = aggregate.example
    }

    /// A kind-4 row: a partition's last applied offset.
    init(_ progress: PartitionProgress) {
        self.init(kind: .progress)
        name = progress.topic
        key = String(progress.partition)
        service = progress.incarnation == 0 ? "" : String(progress.incarnation)
        sub = progress.segmentStart == 0 ? "" : String(progress.segmentStart)
        lastOffset = progress.lastOffset
    }

    /// A kind-6 row (a watched key's value) or kind-7 row (its overflow), see ``WatchQueries``.
    init(_ aggregate: WatchedValueAggregate) {
        self.init(kind: aggregate.value == nil ? .watchOverflow : .watchValue)
        name = aggregate.key
        sub = aggregate.value ?? ""
        day = aggregate.day
        firstSeen = aggregate.firstSeen
        lastSeen = aggregate.lastSeen
        count = aggregate.count
    }

    /// A kind-8 row: offsets covered for a watched key (see ``WatchCoverage``).
    init(_ coverage: WatchCoverage) {
        self.init(kind: .watchCoverage)
        name = coverage.key
        service = coverage.topic
        key = String(coverage.partition)
        sub = coverage.storedSub
        lastOffset = coverage.lastOffset
    }

    /// A kind-5 row: one key of the attribute catalog.
    init(_ entry: CatalogEntry) {
        self.init(kind: .catalog)
        signal = entry.signal.rawValue
        scope = entry.scope.rawValue
        key = entry.key
        day = entry.day
        firstSeen = entry.firstSeen
        lastSeen = entry.lastSeen
        count = entry.count
        valueHashes = entry.valueHashes
        sampleSlots = entry.sampleSlots
        smallValues = entry.smallValues
    }

    /// The byte that stands for an empty sample slot in the `samples Array(String)` ingest column: never valid UTF-8 and
    /// greater than every valid text, so `minForEach` ignores it whenever the slot has a value elsewhere.
    static let emptySlot: UInt8 = 0xFF

    /// Writes sample slots as `Array(String)` of exactly ``KeyAggregate/maxSamples`` elements (`nil` or missing slots as
    /// ``emptySlot``, extra slots dropped), so every key and catalog row feeds every position of the `minForEach` state.
    static func encodeSampleSlots(_ slots: [String?], into encoder: inout RowBinaryEncoder) {
        encoder.varint(KeyAggregate.maxSamples)
        for i in 0..<KeyAggregate.maxSamples {
            if i < slots.count, let text = slots[i] {
                encoder.string(text)
            } else {
                encoder.bytes([emptySlot])
            }
        }
    }
}

extension RowBinaryEncoder {
    /// The three columns of one ``DroppedStats``: total `UInt64`, items `UInt64`, max `UInt32`.
    mutating func dropped(_ stats: DroppedStats) {
        uint64(stats.total)
        uint64(stats.itemsWithDropped)
        uint32(stats.max)
    }
}

/// How the instrumentation scope (name, version) is stored in one `String` column.
enum InstrumentationScope {
    /// `name + "\n" + version`, or `""` when both are empty.
    static func encode(name: String, version: String) -> String {
        name.isEmpty && version.isEmpty ? "" : name + "\n" + version
    }

    /// The inverse of ``encode(name:version:)``.
    static func decode(_ stored: String) -> (name: String, version: String) {
        guard let newline = stored.utf8.firstIndex(of: UInt8(ascii: "\n")) else { return (stored, "") }
        let name = String(decoding: stored.utf8[..<newline], as: UTF8.self)
        let version = String(decoding: stored.utf8[stored.utf8.index(after: newline)...], as: UTF8.self)
        return (name, version)
    }
}
