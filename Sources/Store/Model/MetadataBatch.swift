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
    /// Distinct 64-bit hashes (``ValueHash``) of the values seen; ClickHouse folds them into a `uniqCombined` state.
    package var valueHashes: [UInt64]
    /// Up to ``KeyAggregate/maxSamples`` distinct value strings.
    package var samples: [String]

    /// Most value samples kept per key.
    package static let maxSamples = 10

    package init(signal: Signal, name: String, service: String, scope: KeyScope, eventName: String = "", key: String, day: UInt16,
                 firstSeen: EpochSeconds, lastSeen: EpochSeconds, count: UInt64, valueHashes: [UInt64], samples: [String]) {
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
        self.samples = samples
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

    package init(severity: String, service: String, template: String, day: UInt16, firstSeen: EpochSeconds, lastSeen: EpochSeconds, count: UInt64, example: String) {
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

/// The highest Kafka offset of a partition whose records a batch covers.
package struct PartitionProgress: Sendable, Hashable {
    package var topic: String
    package var partition: Int32
    /// The last offset applied (the next record to read is `lastOffset + 1`).
    package var lastOffset: Int64

    package init(topic: String, partition: Int32, lastOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.lastOffset = lastOffset
    }
}

/// Everything one flush writes, in one INSERT.
package struct MetadataBatch: Sendable {
    package var signals: [SignalAggregate] = []
    package var keys: [KeyAggregate] = []
    package var templates: [TemplateAggregate] = []
    package var progress: [PartitionProgress] = []

    package init(signals: [SignalAggregate] = [], keys: [KeyAggregate] = [], templates: [TemplateAggregate] = [], progress: [PartitionProgress] = []) {
        self.signals = signals
        self.keys = keys
        self.templates = templates
        self.progress = progress
    }

    /// Rows the INSERT will carry (catalog rows are derived from ``keys`` by the writer and not counted here).
    package var rowCount: Int { signals.count + keys.count + templates.count + progress.count }

    package var isEmpty: Bool { rowCount == 0 }
}
