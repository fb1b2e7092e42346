import Store

/// Aggregates the metadata of OTLP export requests over one flush window.
///
/// One ``SignalAggregate`` per (signal, name, service, day), one ``KeyAggregate`` per (signal, name, service,
/// scope, event name, key, day) and one ``TemplateAggregate`` per (severity, service, template, day), where the day
/// and first/last seen come from the record timestamps. Never one row per observation.
///
/// ``ingest(_:signal:encoding:timestamp:)`` validates the whole record first (``WireValidator``) and only then
/// applies it, so a bad record throws and leaves the window unchanged. OTLP/JSON records are transcoded to protobuf
/// and take the same path, so both encodings produce identical aggregates, value hashes and samples.
///
/// Choices that keep the result independent of record order (and so of how records are split into windows):
/// - value samples are hash-bucket minima (``SampleSlots``): slot `ValueHash % 10` keeps the smallest text (UTF-8 byte
///   order) of the values hashed into it;
/// - a template's example is the smallest body (after truncation);
/// - metric type, temporality, span kind and severity number are maxima; description and unit the largest text
///   (so a non-empty one beats an empty one); the scope is the smallest (name, version) pair.
///
/// Hot-path design: names and keys are interned by a hash of their wire bytes (a `String` is allocated only when a
/// byte sequence is first seen in the window), aggregates are found through open-addressing indexes keyed by
/// precomputed hashes, values that are only hashed are never copied, and resource attributes are decoded once per
/// `Resource*` and counted once per item through a pending count per aggregate.
///
/// - Note: Not thread-safe: each analysis lane of a ``ParallelAnalyzer`` owns one window and only its thread touches
///   it (with one lane, the poll thread analyzes inline).
package struct MetadataWindow {
    /// The bounds this window applies.
    package let limits: WindowLimits
    /// What the limits dropped since the last drain.
    package internal(set) var overflow = WindowOverflow()

    var strings = StringTable()
    var signals: [SignalState] = []
    var signalIndex = HashIndex()
    var keys: [KeyState] = []
    var keyIndex = HashIndex()
    var templates: [TemplateState] = []
    var templateIndex = HashIndex()
    /// Bytes of the keys' value-hash tables (for ``approximateBytes``; ``ValueHashSet/bytesAdded(reaching:)``).
    var valueTableBytes = 0
    /// Bytes of the signals' series tables (for ``approximateBytes``).
    var seriesTableBytes = 0
    /// Whether some key holds ``WindowLimits/maxDistinctValuesPerKey`` distinct values (see ``hasKeyAtValueLimit``).
    var keyAtValueLimit = false
    /// Bytes of samples, examples, bounds, scales and event names held (for ``approximateBytes``).
    var extraBytes = 0
    /// A scratch window that only counts a record's rows stops applying it beyond this many (see `apply`).
    var rowLimit = Int.max
    /// Values of deep-watched keys (see ``WatchCollector``).
    var watch: WatchCollector
    /// The watch list its owner set (``pinWatch(keys:)``); `nil`: the window follows the registry by itself.
    var pinnedWatch: [String]? = nil
    /// The current record's ``RecordContext/watchMask``.
    var watchMask: UInt64 = .max

    // The record being applied.
    var timestamp: EpochSeconds = 0
    var day: UInt16 = 0
    var serviceID: Int32 = WellKnown.unknown
    /// The current resource's part of every series fingerprint (``SeriesFingerprint``); `nil` until a metric point of
    /// the resource needs it (spans and logs never do).
    var resourceFingerprint: UInt64?
    /// Increments per item (data point, span, event, link, log record).
    var item: UInt64 = 0

    // Scratch reused across records.
    var resourceAttributes: [ResourceAttribute] = []
    var touched: [Int32] = []
    var valueScratch: [UInt8] = []
    var sampleScratch: [UInt8] = []
    var templateScratch: [UInt8] = []
    var jsonScratch = ProtoWriter(capacity: 0)
    /// The key seen at each attribute position of the previous item: items of one aggregate usually carry the same
    /// keys in the same order, so a byte comparison replaces two hash lookups.
    var keyCache = [CachedKey](repeating: CachedKey(), count: MetadataWindow.keyCacheSize)
    static let keyCacheSize = 64

    /// The ``keyCache`` slot of the `index`-th attribute of an item of `scope`: attributes use slots 0-39, event
    /// attributes 40-51 and link attributes 52-63 so that they do not evict each other.
    @inline(__always)
    static func cachePosition(_ index: Int, _ scope: KeyScope) -> Int {
        switch scope {
        case .event: index < 12 ? 40 &+ index : .max
        case .link: index < 12 ? 52 &+ index : .max
        default: index < 40 ? index : .max
        }
    }

    /// An entry of ``keyCache``.
    struct CachedKey {
        var signalSlot: Int32 = -1
        var scope: KeyScope = .attribute
        var event: Int32 = -1
        var keyID: Int32 = -1
        var keySlot: Int32 = -1
    }

    /// Ids of strings every window interns first, in this order.
    enum WellKnown {
        static let empty: Int32 = 0
        static let unknown: Int32 = 1
        static let unset: Int32 = 2
        static let serviceName: Int32 = 3
        static let hostName: Int32 = 4
        static let eventName: Int32 = 5
        static let message: Int32 = 6
        static let msg: Int32 = 7
        static let all = ["", "unknown", "UNSET", "service.name", "host.name", "event.name", "message", "msg"]
    }

    /// A decoded resource attribute, reused for every item of its resource.
    struct ResourceAttribute {
        var keyID: Int32
        var hash: UInt64
        var value: AnyValueView
        var order: Int32
    }

    /// A scope's interned name and version.
    struct ScopeIDs {
        var name: Int32 = WellKnown.empty
        var version: Int32 = WellKnown.empty
    }

    /// An empty window.
    /// - Parameter watch: The deep-watch list whose keys' values the window collects (read when the window starts, and
    ///   again at every drain); `nil`: none.
    package init(limits: WindowLimits = .init(), watch: WatchRegistry? = nil) {
        self.limits = limits
        self.watch = WatchCollector(registry: watch)
        internWellKnown()
        self.watch.keyIDs = self.watch.keys.map { strings.intern($0) }
    }

    /// Collects exactly `keys` from now on, keeping them across drains (no reload from the registry, which still admits
    /// the values): the ingest pipeline pins the list of every lane to the same one, so that it knows which keys each of
    /// its batches collected (``WatchCoverage``). Only while the window is empty: a window never mixes two lists.
    package mutating func pinWatch(keys: [String]) {
        precondition(isEmpty, "pinWatch on a window that holds rows")
        pinnedWatch = keys
        watch = WatchCollector(registry: watch.registry, keys: keys)
        watch.keyIDs = keys.map { strings.intern($0) }
    }

    /// The keys whose values the window collects.
    package var watchedKeys: [String] { watch.keys }

    /// Takes the registry's current watch list (only while the window is empty: a window never mixes two lists).
    private mutating func reloadWatch() {
        watch = WatchCollector(registry: watch.registry)
        watch.keyIDs = watch.keys.map { strings.intern($0) }
    }

    private mutating func internWellKnown() {
        for (expected, string) in WellKnown.all.enumerated() {
            let id = strings.intern(string)
            precondition(Int(id) == expected, "well-known strings must be interned first")
        }
    }

    // MARK: - Public surface

    /// Aggregates that a drain would produce.
    package var rowCount: Int { signals.count + keys.count + templates.count + watch.rowCount }

    /// Whether nothing has been aggregated since the last drain.
    package var isEmpty: Bool { rowCount == 0 }

    /// Whether some key reached ``WindowLimits/maxDistinctValuesPerKey`` distinct values: the window should be flushed
    /// now (it is full), so that no key's value set grows without bound during a cardinality explosion.
    package var hasKeyAtValueLimit: Bool { keyAtValueLimit }

    /// Memory held, approximately, in bytes (for flush-by-bytes and backpressure).
    package var approximateBytes: Int {
        strings.memoryBytes &+ signals.capacity &* MemoryLayout<SignalState>.stride &+ keys.capacity &* MemoryLayout<KeyState>.stride
            &+ templates.capacity &* MemoryLayout<TemplateState>.stride &+ signalIndex.memoryBytes &+ keyIndex.memoryBytes
            &+ templateIndex.memoryBytes &+ valueTableBytes &+ seriesTableBytes &+ extraBytes
    }

    /// The value-hash and series tables' bytes as ``approximateBytes`` counts them (from the inserts seen) and as they
    /// are (every table walked): equal (tests check it; a flat 2 cells per member undercounted a spread-shape window's
    /// heap by a third).
    package var tableBytes: (counted: Int, held: Int) {
        let held = keys.reduce(0) { $0 &+ $1.hashes.memoryBytes } &+ signals.reduce(0) { $0 &+ $1.series.memoryBytes }
        return (valueTableBytes &+ seriesTableBytes, held)
    }

    /// Decodes one Kafka record payload and folds its metadata into the window.
    ///
    /// - Parameters:
    ///   - payload: One `Export*ServiceRequest`, borrowed for the duration of the call.
    ///   - signal: The request type (from the topic).
    ///   - encoding: ``OTLPEncoding/auto`` detects JSON by a leading `{`.
    ///   - timestamp: The record timestamp (never the wall clock).
    /// - Returns: Items in the record: data points, spans or log records.
    /// - Throws: ``OTLPDecodeError`` with a reason suitable for logs; the window is then unchanged.
    package mutating func ingest(
        _ payload: UnsafeRawBufferPointer, signal: Signal, encoding: OTLPEncoding,
        timestamp: EpochSeconds
    ) throws(OTLPDecodeError) -> Int {
        try ingest(payload, signal: signal, encoding: encoding, context: RecordContext(timestamp: timestamp))
    }

    /// ``ingest(_:signal:encoding:timestamp:)`` with a ``RecordContext``.
    package mutating func ingest(
        _ payload: UnsafeRawBufferPointer, signal: Signal, encoding: OTLPEncoding,
        context: RecordContext
    ) throws(OTLPDecodeError) -> Int {
        if rowCount == 0, pinnedWatch == nil, watch.isOutdated { reloadWatch() }
        let message = OTLPMessage.request(for: signal)
        guard encoding.resolved(for: payload) == .json else {
            return try apply(payload, signal: signal, message: message, encoding: .proto, context: context)
        }
        var writer = ProtoWriter(capacity: 0)
        swap(&writer, &jsonScratch)
        defer {
            writer.reset()
            swap(&writer, &jsonScratch)
        }
        try OTLPJSONReader.transcode(payload, as: message, into: &writer)
        var result: Result<Int, OTLPDecodeError> = .success(0)
        writer.bytes.withUnsafeBytes { proto in
            do throws(OTLPDecodeError) {
                result = .success(try self.apply(proto, signal: signal, message: message, encoding: .json, context: context))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// Hands over everything aggregated so far and resets the window (``MetadataBatch/progress`` is left empty).
    package mutating func drain() -> MetadataBatch {
        var batch = MetadataBatch()
        batch.signals.reserveCapacity(signals.count)
        for state in signals {
            var aggregate = SignalAggregate(
                signal: state.signal, name: strings[state.nameID], service: strings[state.serviceID], day: state.day,
                firstSeen: state.firstSeen, lastSeen: state.lastSeen, count: state.count)
            if state.descriptionID >= 0 { aggregate.description = strings[state.descriptionID] }
            if state.unitID >= 0 { aggregate.unit = strings[state.unitID] }
            aggregate.metricType = state.metricType
            aggregate.temporality = state.temporality
            aggregate.explicitBounds = state.explicitBounds
            aggregate.scales = state.scales
            if state.series.count > 0 { aggregate.seriesHashes = state.series.elements() }
            aggregate.spanKind = state.spanKind
            aggregate.statusCodes = state.statusCodes
            aggregate.eventNames = Set(state.eventNameIDs.map { strings[$0] })
            aggregate.droppedAttributes = state.droppedAttributes
            aggregate.droppedEvents = state.droppedEvents
            aggregate.droppedLinks = state.droppedLinks
            aggregate.severityNumber = state.severityNumber
            aggregate.flags = state.flags
            if state.scopeNameID >= 0 {
                aggregate.scopeName = strings[state.scopeNameID]
                aggregate.scopeVersion = strings[state.scopeVersionID]
            }
            batch.signals.append(aggregate)
        }
        batch.keys.reserveCapacity(keys.count)
        for state in keys {
            let owner = signals[Int(state.signalSlot)]
            batch.keys.append(
                KeyAggregate(
                    signal: owner.signal, name: strings[owner.nameID], service: strings[owner.serviceID], scope: state.scope,
                    eventName: state.eventNameID >= 0 ? strings[state.eventNameID] : "", key: strings[state.keyID],
                    day: owner.day, firstSeen: state.firstSeen, lastSeen: state.lastSeen, count: state.count,
                    valueHashes: state.hashes.elements(),
                    sampleSlots: state.sampleSlots.isEmpty ? SampleSlots.empty : state.sampleSlots,
                    smallValues: state.smallOverflow ? [] : state.smallValues))
            batch.keys[batch.keys.count - 1].heavyHitters = Self.heavyHitters(of: state)
        }
        batch.templates.reserveCapacity(templates.count)
        for state in templates {
            let owner = signals[Int(state.signalSlot)]
            batch.templates.append(
                TemplateAggregate(
                    severity: strings[owner.nameID], service: strings[owner.serviceID], template: strings[state.templateID],
                    day: owner.day, firstSeen: state.firstSeen, lastSeen: state.lastSeen, count: state.count,
                    example: state.example))
        }
        batch.watchedValues = watch.aggregates()
        let pinned = pinnedWatch
        self = MetadataWindow(limits: limits, watch: watch.registry)
        if let pinned { pinWatch(keys: pinned) }
        return batch
    }

    /// The heavy hitters of a key (``HeavyHitter``): its exact small set with counts, or its candidates seen at least
    /// four times; each carried by at least 1 % of the key's items; most frequent first (ties by text), at most
    /// ``KeyAggregate/maxHeavyHitters``.
    static func heavyHitters(of state: KeyState) -> [HeavyHitter] {
        var found: [HeavyHitter] = []
        if !state.smallOverflow {
            for (text, hash) in zip(state.smallValues, state.smallHashes) {
                found.append(HeavyHitter(hash: hash, count: UInt64(state.hashes.observations(of: hash)), text: text))
            }
        } else {
            for (hash, text) in zip(state.heavy.hashes, state.heavy.texts) {
                let count = state.hashes.observations(of: hash)
                if count >= 4 { found.append(HeavyHitter(hash: hash, count: UInt64(count), text: text)) }
            }
        }
        let items = state.count
        found.removeAll { $0.count == 0 || $0.count.multipliedReportingOverflow(by: 100).partialValue < items }
        found.sort { $0.count != $1.count ? $0.count > $1.count : $0.text.utf8.lexicographicallyPrecedes($1.text.utf8) }
        return Array(found.prefix(KeyAggregate.maxHeavyHitters))
    }

    // MARK: - Applying a validated request

    private mutating func apply(
        _ proto: UnsafeRawBufferPointer, signal: Signal, message: OTLPMessage, encoding: OTLPEncoding,
        context: RecordContext
    ) throws(OTLPDecodeError) -> Int {
        let rowBound: Int
        do {
            rowBound = try WireValidator.validate(proto, as: message)
        } catch {
            var error = error
            error.encoding = encoding
            throw error
        }
        if rowBound > limits.maxRecordRows {
            // Only records the validator cannot clear: count their rows exactly in an empty window, stopping once
            // they exceed the cap, before touching this one.
            var scratch = MetadataWindow(limits: limits, watch: watch.registry)
            scratch.rowLimit = limits.maxRecordRows
            _ = try scratch.applyValidated(proto, signal: signal, encoding: encoding, context: context)
            if scratch.rowCount > limits.maxRecordRows {
                throw OTLPDecodeError(
                    encoding: encoding, reason: "record would add more than \(limits.maxRecordRows) rows to a window (--max-record-rows)",
                    offset: 0, kind: .tooManyRows)
            }
        }
        return try applyValidated(proto, signal: signal, encoding: encoding, context: context)
    }

    /// Applies a request ``WireValidator`` accepted.
    private mutating func applyValidated(
        _ proto: UnsafeRawBufferPointer, signal: Signal, encoding: OTLPEncoding,
        context: RecordContext
    ) throws(OTLPDecodeError) -> Int {
        timestamp = context.timestamp
        day = context.day
        watchMask = context.watchMask
        defer {
            resourceAttributes.removeAll(keepingCapacity: true)
            touched.removeAll(keepingCapacity: true)
        }
        do {
            let request = WireReader(proto)
            switch signal {
            case .metric: return try walk(request) { window, metric, scope throws(WireError) in try window.applyMetric(metric, scope: scope) }
            case .span: return try walk(request) { window, span, scope throws(WireError) in try window.applySpan(span, scope: scope) }
            case .log: return try walk(request) { window, record, scope throws(WireError) in try window.applyLogRecord(record, scope: scope) }
            }
        } catch {
            // Unreachable: validation has checked every read the analyzers make. Reported rather than trapping.
            throw OTLPDecodeError(encoding: encoding, reason: "internal: \(error.reason) after validation", offset: 0)
        }
    }

    /// Visits every item (`Metric`, `Span`, `LogRecord`) of a request with its scope, loading each resource first
    /// and settling its resource keys after its last item.
    @inline(__always)
    private mutating func walk(
        _ request: WireReader,
        _ applyItem: (inout MetadataWindow, WireReader, ScopeIDs) throws(WireError) -> Int
    ) throws(WireError) -> Int {
        var items = 0
        var reader = request
        while let field = try reader.nextField() {
            guard field.number == CommonFields.requestResources, field.type == .lengthDelimited else {
                try reader.skip(field.type)
                continue
            }
            let resourceItems = try reader.readLengthDelimited()
            try loadResource(resourceItems)
            var resourceReader = resourceItems
            while let field = try resourceReader.nextField() {
                guard field.number == CommonFields.ResourceItems.scopeItems, field.type == .lengthDelimited else {
                    try resourceReader.skip(field.type)
                    continue
                }
                let scopeItems = try resourceReader.readLengthDelimited()
                let scope = try loadScope(scopeItems)
                var scopeReader = scopeItems
                while let field = try scopeReader.nextField() {
                    guard field.number == CommonFields.ScopeItems.items, field.type == .lengthDelimited else {
                        try scopeReader.skip(field.type)
                        continue
                    }
                    items &+= try applyItem(&self, scopeReader.readLengthDelimited(), scope)
                    if rowCount > rowLimit { return items }  // a scratch window counting rows has seen enough
                }
            }
            finishResource()
        }
        return items
    }

    private mutating func loadScope(_ scopeItems: WireReader) throws(WireError) -> ScopeIDs {
        var ids = ScopeIDs()
        var reader = scopeItems
        while let field = try reader.nextField() {
            guard field.number == CommonFields.ScopeItems.scope, field.type == .lengthDelimited else {
                try reader.skip(field.type)
                continue
            }
            var scope = try reader.readLengthDelimited()
            while let field = try scope.nextField() {
                switch (field.number, field.type) {
                case (CommonFields.Scope.name, .lengthDelimited): ids.name = strings.intern(try scope.readLengthDelimited().bytes)
                case (CommonFields.Scope.version, .lengthDelimited): ids.version = strings.intern(try scope.readLengthDelimited().bytes)
                default: try scope.skip(field.type)
                }
            }
        }
        return ids
    }
}
