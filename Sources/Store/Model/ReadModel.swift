/// Statistics of one attribute key of one signal name (services merged), as read back from ClickHouse.
package struct KeyStats: Sendable, Hashable {
    package var key: String
    /// Observations carrying the key.
    package var count: UInt64
    /// `uniqCombined` estimate of distinct values (exact for small sets).
    package var estimatedCardinality: UInt64
    /// Up to 10 distinct value texts, sorted by UTF-8 bytes: the non-empty sample slots merged over windows, services
    /// and days, one per hash bucket (see ``SampleSlots``), so they are spread over the key's values and do not depend on
    /// how records were split into windows.
    package var samples: [String]

    package init(key: String, count: UInt64, estimatedCardinality: UInt64, samples: [String]) {
        self.key = key
        self.count = count
        self.estimatedCardinality = estimatedCardinality
        self.samples = samples
    }
}

/// A span event's attribute keys.
package struct EventKeyStats: Sendable, Hashable {
    package var eventName: String
    package var keys: [KeyStats]
    package init(eventName: String, keys: [KeyStats]) {
        self.eventName = eventName
        self.keys = keys
    }
}

/// Count per service, sorted by service name.
package struct ServiceCount: Sendable, Hashable {
    package var service: String
    package var count: UInt64
    package init(service: String, count: UInt64) {
        self.service = service
        self.count = count
    }
}

/// A metric name with everything census knows about it (all services merged).
package struct MetricSummary: Sendable, Hashable {
    package var name: String
    package var description: String
    package var unit: String
    package var type: MetricType
    package var temporality: UInt8
    package var isMonotonic: Bool
    /// Sorted union of histogram bounds.
    package var explicitBounds: [Double]
    /// Sorted distinct exponential histogram scales.
    package var scales: [Int32]
    /// Data points.
    package var sampleCount: UInt64
    /// Data point attribute keys, sorted by key.
    package var labelKeys: [KeyStats]
    /// Resource attribute keys, sorted by key.
    package var resourceKeys: [KeyStats]
    package var scopeName: String
    package var scopeVersion: String
    package var services: [ServiceCount]
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds
    /// Active series (the reference's `active_series_otlp` and `active_series_prometheus`).
    package var activeSeries: ActiveSeries

    package init(
        name: String, description: String = "", unit: String = "", type: MetricType = .unknown, temporality: UInt8 = 0, isMonotonic: Bool = false,
        explicitBounds: [Double] = [], scales: [Int32] = [], sampleCount: UInt64 = 0, labelKeys: [KeyStats] = [], resourceKeys: [KeyStats] = [],
        scopeName: String = "", scopeVersion: String = "", services: [ServiceCount] = [], firstSeen: EpochSeconds = 0, lastSeen: EpochSeconds = 0,
        activeSeries: ActiveSeries = .zero
    ) {
        self.activeSeries = activeSeries
        self.name = name
        self.description = description
        self.unit = unit
        self.type = type
        self.temporality = temporality
        self.isMonotonic = isMonotonic
        self.explicitBounds = explicitBounds
        self.scales = scales
        self.sampleCount = sampleCount
        self.labelKeys = labelKeys
        self.resourceKeys = resourceKeys
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
        self.services = services
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// A span name with everything census knows about it (all services merged).
package struct SpanSummary: Sendable, Hashable {
    package var name: String
    package var kind: UInt8
    package var attributeKeys: [KeyStats]
    /// Sorted distinct event names.
    package var eventNames: [String]
    /// Per event name (sorted), its attribute keys.
    package var eventAttributeKeys: [EventKeyStats]
    package var linkAttributeKeys: [KeyStats]
    package var resourceKeys: [KeyStats]
    package var hasTraceState: Bool
    package var hasParentSpanID: Bool
    package var statusCodes: StatusCodeSet
    package var droppedAttributes: DroppedStats
    package var droppedEvents: DroppedStats
    package var droppedLinks: DroppedStats
    package var scopeName: String
    package var scopeVersion: String
    /// Spans.
    package var sampleCount: UInt64
    package var services: [ServiceCount]
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds

    package init(
        name: String, kind: UInt8 = 0, attributeKeys: [KeyStats] = [], eventNames: [String] = [], eventAttributeKeys: [EventKeyStats] = [],
        linkAttributeKeys: [KeyStats] = [], resourceKeys: [KeyStats] = [], hasTraceState: Bool = false, hasParentSpanID: Bool = false,
        statusCodes: StatusCodeSet = [], droppedAttributes: DroppedStats = .init(), droppedEvents: DroppedStats = .init(),
        droppedLinks: DroppedStats = .init(), scopeName: String = "", scopeVersion: String = "", sampleCount: UInt64 = 0,
        services: [ServiceCount] = [], firstSeen: EpochSeconds = 0, lastSeen: EpochSeconds = 0
    ) {
        self.name = name
        self.kind = kind
        self.attributeKeys = attributeKeys
        self.eventNames = eventNames
        self.eventAttributeKeys = eventAttributeKeys
        self.linkAttributeKeys = linkAttributeKeys
        self.resourceKeys = resourceKeys
        self.hasTraceState = hasTraceState
        self.hasParentSpanID = hasParentSpanID
        self.statusCodes = statusCodes
        self.droppedAttributes = droppedAttributes
        self.droppedEvents = droppedEvents
        self.droppedLinks = droppedLinks
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
        self.sampleCount = sampleCount
        self.services = services
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// A mined log body template of one severity (services merged).
package struct TemplateStats: Sendable, Hashable {
    package var template: String
    package var count: UInt64
    package var example: String
    package init(template: String, count: UInt64, example: String) {
        self.template = template
        self.count = count
        self.example = example
    }
}

/// A log severity with everything census knows about it (all services merged).
package struct LogSummary: Sendable, Hashable {
    /// `severity_text`, or `UNSET` when empty.
    package var severity: String
    package var severityNumber: UInt8
    package var attributeKeys: [KeyStats]
    package var resourceKeys: [KeyStats]
    /// Sorted by count, descending (ties by template).
    package var bodyTemplates: [TemplateStats]
    /// Sorted distinct values of the `event.name` attribute and of `LogRecord.event_name`.
    package var eventNames: [String]
    package var hasTraceContext: Bool
    package var hasSpanContext: Bool
    package var droppedAttributes: DroppedStats
    package var scopeName: String
    package var scopeVersion: String
    /// Log records.
    package var sampleCount: UInt64
    package var services: [ServiceCount]
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds

    package init(
        severity: String, severityNumber: UInt8 = 0, attributeKeys: [KeyStats] = [], resourceKeys: [KeyStats] = [],
        bodyTemplates: [TemplateStats] = [],
        eventNames: [String] = [], hasTraceContext: Bool = false, hasSpanContext: Bool = false, droppedAttributes: DroppedStats = .init(),
        scopeName: String = "", scopeVersion: String = "", sampleCount: UInt64 = 0, services: [ServiceCount] = [],
        firstSeen: EpochSeconds = 0, lastSeen: EpochSeconds = 0
    ) {
        self.severity = severity
        self.severityNumber = severityNumber
        self.attributeKeys = attributeKeys
        self.resourceKeys = resourceKeys
        self.bodyTemplates = bodyTemplates
        self.eventNames = eventNames
        self.hasTraceContext = hasTraceContext
        self.hasSpanContext = hasSpanContext
        self.droppedAttributes = droppedAttributes
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
        self.sampleCount = sampleCount
        self.services = services
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// An attribute key across every signal, name and service (the attribute catalog).
package struct AttributeSummary: Sendable, Hashable {
    package var key: String
    package var count: UInt64
    package var estimatedCardinality: UInt64
    /// As ``KeyStats/samples``, over every signal, name, service and scope.
    package var samples: [String]
    /// Sorted by raw value (metric, span, log).
    package var signals: [Signal]
    /// The scopes the key was seen in (resource and/or a non-resource scope).
    package var seenAsResource: Bool
    package var seenAsAttribute: Bool
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds

    package init(
        key: String, count: UInt64, estimatedCardinality: UInt64, samples: [String], signals: [Signal], seenAsResource: Bool, seenAsAttribute: Bool,
        firstSeen: EpochSeconds, lastSeen: EpochSeconds
    ) {
        self.key = key
        self.count = count
        self.estimatedCardinality = estimatedCardinality
        self.samples = samples
        self.signals = signals
        self.seenAsResource = seenAsResource
        self.seenAsAttribute = seenAsAttribute
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// How `/api/v1/attributes` filters and orders the catalog.
package struct AttributeQuery: Sendable, Hashable {
    package enum Scope: String, Sendable { case resource, attribute, both }
    package enum SortField: String, Sendable { case cardinality, count, key, firstSeen = "first_seen", lastSeen = "last_seen" }

    package var signal: Signal?
    package var scope: Scope?
    /// Applied only when greater than zero.
    package var minCardinality: UInt64 = 0
    /// Applied only when greater than zero.
    package var maxCardinality: UInt64 = 0
    package var sortBy: SortField = .cardinality
    package var descending: Bool = true
    /// `nil` means no limit.
    package var limit: Int? = 100
    package var offset: Int = 0

    package init(
        signal: Signal? = nil, scope: Scope? = nil, minCardinality: UInt64 = 0, maxCardinality: UInt64 = 0, sortBy: SortField = .cardinality,
        descending: Bool = true, limit: Int? = 100, offset: Int = 0
    ) {
        self.signal = signal
        self.scope = scope
        self.minCardinality = minCardinality
        self.maxCardinality = maxCardinality
        self.sortBy = sortBy
        self.descending = descending
        self.limit = limit
        self.offset = offset
    }
}

/// One page of a list and the size of the whole list.
package struct Page<Item: Sendable>: Sendable {
    package var items: [Item]
    package var total: Int
    /// Signal lists only: the `sample_count` of every name in the whole list added up (data points, spans or log records),
    /// 0 elsewhere.
    package var sampleCount: UInt64
    package init(items: [Item], total: Int, sampleCount: UInt64 = 0) {
        self.items = items
        self.total = total
        self.sampleCount = sampleCount
    }
}

/// The read side of the store, as the API sees it. Implemented by the ClickHouse reader; SQL stays behind it.
package protocol MetadataReading: InsightReading, KeyUsageReading {
    /// Metric names sorted by name; `service` filters to metrics that service emitted.
    func metrics(service: String?, limit: Int, offset: Int) async throws -> Page<MetricSummary>
    func metric(named name: String) async throws -> MetricSummary?
    func spans(service: String?, limit: Int, offset: Int) async throws -> Page<SpanSummary>
    func span(named name: String) async throws -> SpanSummary?
    func logs(service: String?, limit: Int, offset: Int) async throws -> Page<LogSummary>
    func log(severity: String) async throws -> LogSummary?
    func attributes(_ query: AttributeQuery) async throws -> Page<AttributeSummary>
    func attribute(key: String) async throws -> AttributeSummary?
}
