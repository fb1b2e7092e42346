/// Seconds since the Unix epoch, UTC (ClickHouse `DateTime`).
package typealias EpochSeconds = UInt32

/// One aggregate per (signal, name, service, day) and flush window: the signal-level facts.
///
/// `name` is the metric name, the span name, or the log severity text (`UNSET` when empty).
/// Every field merges associatively in ClickHouse (sum, min, max, OR, union), so the stored answer does not
/// depend on how records were split into windows.
package struct SignalAggregate: Sendable, Hashable {
    package var signal: Signal
    package var name: String
    package var service: String
    /// Days since the Unix epoch of the records' timestamps (ClickHouse `Date`).
    package var day: UInt16
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds
    /// Data points (metrics), spans or log records.
    package var count: UInt64

    // Metrics.
    package var description: String = ""
    package var unit: String = ""
    package var metricType: MetricType = .unknown
    /// OTLP `AggregationTemporality` (0 unspecified, 1 delta, 2 cumulative).
    package var temporality: UInt8 = 0
    /// Union of histogram explicit bounds.
    package var explicitBounds: Set<Double> = []
    /// Union of exponential histogram scales.
    package var scales: Set<Int32> = []
    /// Distinct series fingerprints of the data points (``SeriesFingerprint``: resource attributes and point
    /// attributes), in no particular order; ClickHouse folds them into the signal row's `uniqCombined` state, the
    /// metric's active-series estimate. Empty for spans and logs.
    package var seriesHashes: [UInt64] = []

    // Spans.
    /// OTLP `SpanKind` (0…5).
    package var spanKind: UInt8 = 0
    package var statusCodes: StatusCodeSet = []
    package var eventNames: Set<String> = []
    package var droppedAttributes = DroppedStats()
    package var droppedEvents = DroppedStats()
    package var droppedLinks = DroppedStats()

    // Logs.
    /// OTLP `SeverityNumber` (0…24).
    package var severityNumber: UInt8 = 0

    // All signals.
    package var flags: SignalFlags = []
    /// Instrumentation scope name and version of the observations (the smallest pair wins, deterministically).
    package var scopeName: String = ""
    package var scopeVersion: String = ""

    package init(signal: Signal, name: String, service: String, day: UInt16, firstSeen: EpochSeconds, lastSeen: EpochSeconds, count: UInt64 = 0) {
        self.signal = signal
        self.name = name
        self.service = service
        self.day = day
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
    }
}

/// One aggregate per (signal, name, service, scope, event, key, day) and flush window: a key's statistics.
package struct KeyAggregate: Sendable, Hashable {
    package var signal: Signal
    package var name: String
    package var service: String
    package var scope: KeyScope
    /// The span event name for ``KeyScope/event`` keys, otherwise empty.
    package var eventName: String
    package var key: String
    package var day: UInt16
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds
    /// Observations carrying the key (data points, spans, events, links or log records).
    package var count: UInt64
    /// Distinct 64-bit hashes (``ValueHash``) of the values seen, in no particular order (it depends on the process's
    /// table seed); ClickHouse folds them into a `uniqCombined` state.
    package var valueHashes: [UInt64]
    /// The value samples as ``KeyAggregate/maxSamples`` hash buckets (see ``SampleSlots``): slot `i` holds the smallest
    /// value text (UTF-8 byte order) among the values whose ``ValueHash`` is `i` modulo ``KeyAggregate/maxSamples``,
    /// `nil` when no value fell into it. Exactly ``KeyAggregate/maxSamples`` entries.
    ///
    /// Merging is a per-slot minimum, which is associative, commutative and idempotent: the samples of a key are a
    /// function of its set of values, however records were split into windows, and they are spread over the values
    /// rather than biased to early or lexicographically small ones.
    package var sampleSlots: [String?]
    /// The exact small set of value texts (same text as the samples: truncated, U+FFFD-repaired): every distinct text
    /// seen when there were at most ``KeyAggregate/maxSamples`` of them, in any order; empty when there were more (the
    /// window overflowed) — a key with values always has at least one text, so empty means overflow whenever
    /// ``valueHashes`` is not empty.
    ///
    /// ClickHouse keeps these in a bounded set state (``Schema/smallSet``, each text sent once per writer and hour,
    /// ``SetValueFilter``), exact whenever the merged set has at most 10 distinct texts; readers
    /// show them instead of the slot samples when the key's cardinality is at most ``KeyAggregate/maxSamples``, so a key
    /// with few values shows all of them (slot collisions would drop some).
    package var smallValues: [String]
    /// The window's most frequent values (see ``HeavyHitter``), most frequent first, at most ``maxHeavyHitters``.
    package var heavyHitters: [HeavyHitter] = []

    /// Most heavy hitters one key row carries.
    package static let maxHeavyHitters = 10

    /// Most value samples kept per key: the number of sample slots, and the size limit of ``smallValues``.
    package static let maxSamples = 10

    package init(
        signal: Signal, name: String, service: String, scope: KeyScope, eventName: String = "", key: String, day: UInt16,
        firstSeen: EpochSeconds, lastSeen: EpochSeconds, count: UInt64, valueHashes: [UInt64],
        sampleSlots: [String?] = SampleSlots.empty, smallValues: [String] = []
    ) {
        self.signal = signal
        self.name = name
        self.service = service
        self.scope = scope
        self.eventName = eventName
        self.key = key
        self.day = day
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.valueHashes = valueHashes
        self.sampleSlots = sampleSlots
        self.smallValues = smallValues
    }
}

/// Value samples as hash buckets: the rule behind ``KeyAggregate/sampleSlots``, shared by the analyzer, the writer's
/// catalog rows and tests.
///
/// A value goes to slot `ValueHash % maxSamples` (the same typed hash that feeds cardinality); a slot keeps the smallest
/// text (UTF-8 byte order) of its values. ClickHouse merges slots with `minForEach`, where an empty slot travels as the
/// single byte 0xFF (never valid UTF-8, and greater than every valid text). The samples a reader shows are the distinct
/// non-empty slot texts, sorted (``texts(_:)``).
package enum SampleSlots {
    /// Slots with nothing in them.
    package static let empty: [String?] = Array(repeating: nil, count: KeyAggregate.maxSamples)

    /// The slot of a value with this ``ValueHash``.
    @inline(__always)
    package static func slot(ofHash hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash % UInt64(KeyAggregate.maxSamples))
    }

    /// Whether `a` sorts before `b` by UTF-8 bytes.
    package static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The smaller of two slots; `nil` is greater than every text.
    package static func minimum(_ a: String?, _ b: String?) -> String? {
        guard let a else { return b }
        guard let b else { return a }
        return precedes(b, a) ? b : a
    }

    /// Folds `other` into `slots`, slot by slot (a missing slot counts as empty).
    package static func merge(_ other: [String?], into slots: inout [String?]) {
        if slots.count < other.count { slots += Array(repeating: nil, count: other.count - slots.count) }
        for (i, text) in other.enumerated() where text != nil {
            slots[i] = minimum(slots[i], text)
        }
    }

    /// The slots of a set of values given as (text, ``ValueHash``) pairs.
    package static func slots(_ values: some Sequence<(text: String, hash: UInt64)>) -> [String?] {
        var slots = empty
        for value in values {
            let i = slot(ofHash: value.hash)
            slots[i] = minimum(slots[i], value.text)
        }
        return slots
    }

    /// The samples a reader shows: the distinct non-empty slot texts, sorted by UTF-8 bytes.
    package static func texts(_ slots: [String?]) -> [String] {
        var texts = slots.compactMap { $0 }
        texts.sort(by: precedes)
        var distinct: [String] = []
        distinct.reserveCapacity(texts.count)
        for text in texts where distinct.last.map({ !$0.utf8.elementsEqual(text.utf8) }) ?? true {
            distinct.append(text)
        }
        return distinct
    }
}

/// One aggregate per (severity, service, template, day) and window: a mined log body template.
package struct TemplateAggregate: Sendable, Hashable {
    package var severity: String
    package var service: String
    package var template: String
    package var day: UInt16
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds
    package var count: UInt64
    /// One original body (the smallest seen, so the choice is deterministic).
    package var example: String

    package init(
        severity: String, service: String, template: String, day: UInt16, firstSeen: EpochSeconds, lastSeen: EpochSeconds, count: UInt64,
        example: String
    ) {
        self.severity = severity
        self.service = service
        self.template = template
        self.day = day
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.example = example
    }
}

/// The offsets of one partition a batch covers: the progress row written in the same INSERT as the data.
///
/// A partition's applied offsets are stored as *segments*: each consumer session reading a partition writes rows
/// `(topic, partition, incarnation, segmentStart) → lastOffset`; ClickHouse keeps the maximum `lastOffset` per segment.
/// Every offset in `segmentStart...lastOffset` is applied (by this writer or an earlier one). See ``AppliedOffsets``.
package struct PartitionProgress: Sendable, Hashable {
    package var topic: String
    package var partition: Int32
    /// The last offset applied (the next record to read is `lastOffset + 1`).
    package var lastOffset: Int64
    /// The first offset of the applied segment this row extends (0 for rows written before segments existed).
    package var segmentStart: Int64
    /// Which life of the partition the offsets belong to: raised when a topic was re-created and census was told to
    /// reset (`--on-offset-regression reset`), so offsets of the old topic no longer hide those of the new one.
    package var incarnation: UInt32

    package init(topic: String, partition: Int32, lastOffset: Int64, segmentStart: Int64 = 0, incarnation: UInt32 = 0) {
        self.topic = topic
        self.partition = partition
        self.lastOffset = lastOffset
        self.segmentStart = segmentStart
        self.incarnation = incarnation
    }
}

/// Everything one flush writes: the metadata rows in one INSERT, quarantined records in one more (idempotent) INSERT.
package struct MetadataBatch: Sendable {
    package var signals: [SignalAggregate] = []
    package var keys: [KeyAggregate] = []
    package var templates: [TemplateAggregate] = []
    package var progress: [PartitionProgress] = []
    /// Values of deep-watched keys (written in the same INSERT as the rest).
    package var watchedValues: [WatchedValueAggregate] = []
    /// Offsets whose watched values this batch (with the ones before it) stores, per watched key and partition
    /// (``WatchCoverage``), written in the same INSERT as ``watchedValues``.
    package var watchCoverage: [WatchCoverage] = []
    /// Records that could not be ingested, stored in the `quarantine` table (keyed by topic, partition, offset).
    package var quarantined: [QuarantinedRecord] = []

    package init(
        signals: [SignalAggregate] = [], keys: [KeyAggregate] = [], templates: [TemplateAggregate] = [], progress: [PartitionProgress] = [],
        quarantined: [QuarantinedRecord] = []
    ) {
        self.signals = signals
        self.keys = keys
        self.templates = templates
        self.progress = progress
        self.quarantined = quarantined
    }

    /// Rows the metadata INSERT will carry (catalog rows are derived from ``keys`` by the writer and not counted here;
    /// quarantined records go to their own table).
    package var rowCount: Int { signals.count + keys.count + templates.count + progress.count + watchedValues.count + watchCoverage.count }

    package var isEmpty: Bool { rowCount == 0 && quarantined.isEmpty }

    /// What each attempt of this batch's INSERT still needs once the rest is encoded (``PreparedInsert``): the progress
    /// and coverage rows, which carry the attempt's fence and tell whether an attempt landed, and the quarantined records.
    /// Without the aggregates, which are most of a window's memory.
    package var perAttempt: MetadataBatch {
        var part = MetadataBatch(progress: progress, quarantined: quarantined)
        part.watchCoverage = watchCoverage
        return part
    }
}
