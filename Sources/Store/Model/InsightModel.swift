/// One attribute key of one signal name whose estimated cardinality reached a threshold (`/cardinality/high`).
package struct HighCardinalityKey: Sendable, Hashable {
    package var signal: Signal
    package var signalName: String
    /// ``KeyScope/attribute`` or ``KeyScope/resource`` (event and link keys are not ranked).
    package var scope: KeyScope
    /// The key's statistics, services and days merged.
    package var stats: KeyStats

    package init(signal: Signal, signalName: String, scope: KeyScope, stats: KeyStats) {
        self.signal = signal
        self.signalName = signalName
        self.scope = scope
        self.stats = stats
    }
}

/// How many keys one signal name carries and how wide they are (`/cardinality/complexity`).
package struct SignalComplexity: Sendable, Hashable {
    package var signal: Signal
    package var signalName: String
    /// Attribute + resource + link keys + every (event name, key) pair, plus histogram buckets
    /// (`bounds + 1`) or exponential-histogram scale buckets (`10 × scales`).
    package var totalKeys: UInt64
    package var attributeKeyCount: UInt64
    package var resourceKeyCount: UInt64
    /// (event name, key) pairs.
    package var eventKeyCount: UInt64
    package var linkKeyCount: UInt64
    /// Highest estimated cardinality over attribute, resource and link keys (event keys are not counted).
    package var maxCardinality: UInt64
    /// Keys (as for ``maxCardinality``) whose estimated cardinality is above ``SignalComplexity/highCardinality``.
    package var highCardinalityCount: UInt64

    /// The reference's fixed "high cardinality" bound of the complexity report.
    package static let highCardinality: UInt64 = 100

    package init(signal: Signal, signalName: String, totalKeys: UInt64, attributeKeyCount: UInt64, resourceKeyCount: UInt64, eventKeyCount: UInt64,
                 linkKeyCount: UInt64, maxCardinality: UInt64, highCardinalityCount: UInt64) {
        self.signal = signal
        self.signalName = signalName
        self.totalKeys = totalKeys
        self.attributeKeyCount = attributeKeyCount
        self.resourceKeyCount = resourceKeyCount
        self.eventKeyCount = eventKeyCount
        self.linkKeyCount = linkKeyCount
        self.maxCardinality = maxCardinality
        self.highCardinalityCount = highCardinalityCount
    }
}

/// One (severity, service) that emitted a log body template, with that service's keys for the severity.
package struct PatternService: Sendable, Hashable {
    package var severity: String
    package var service: String
    /// The service's log records of this severity (all templates).
    package var sampleCount: UInt64
    /// Sorted by key.
    package var resourceKeys: [KeyStats]
    /// Sorted by key.
    package var attributeKeys: [KeyStats]

    package init(severity: String, service: String, sampleCount: UInt64, resourceKeys: [KeyStats] = [], attributeKeys: [KeyStats] = []) {
        self.severity = severity
        self.service = service
        self.sampleCount = sampleCount
        self.resourceKeys = resourceKeys
        self.attributeKeys = attributeKeys
    }
}

/// A log body template across severities and services (`/logs/patterns`).
package struct LogPattern: Sendable, Hashable {
    package var template: String
    /// The smallest non-empty example body over the severities shown.
    package var example: String
    /// Records per severity (sorted by severity); only severities where the template reached the requested minimum.
    package var severityCounts: [SeverityCount]
    /// One entry per (severity, service) that emitted the template, sorted by severity then service.
    package var services: [PatternService]

    /// The sum of ``severityCounts``.
    package var totalCount: UInt64 { severityCounts.reduce(0) { $0 &+ $1.count } }

    package init(template: String, example: String, severityCounts: [SeverityCount], services: [PatternService]) {
        self.template = template
        self.example = example
        self.severityCounts = severityCounts
        self.services = services
    }
}

/// Records of one log severity.
package struct SeverityCount: Sendable, Hashable {
    package var severity: String
    package var count: UInt64
    package init(severity: String, count: UInt64) {
        self.severity = severity
        self.count = count
    }
}

/// Log records of one (service, severity) (`/logs/by-service`).
package struct ServiceSeverityCount: Sendable, Hashable {
    package var service: String
    package var severity: String
    package var count: UInt64

    package init(service: String, severity: String, count: UInt64) {
        self.service = service
        self.severity = severity
        self.count = count
    }
}

/// One service's logs of one severity (`/logs/service/{service}/severity/{severity}`).
package struct ServiceLogSummary: Sendable, Hashable {
    package var service: String
    package var severity: String
    package var sampleCount: UInt64
    /// This service's templates of the severity, by count descending (ties by template).
    package var bodyTemplates: [TemplateStats]
    /// Sorted by key.
    package var attributeKeys: [KeyStats]
    /// Sorted by key.
    package var resourceKeys: [KeyStats]

    package init(service: String, severity: String, sampleCount: UInt64, bodyTemplates: [TemplateStats] = [], attributeKeys: [KeyStats] = [],
                 resourceKeys: [KeyStats] = []) {
        self.service = service
        self.severity = severity
        self.sampleCount = sampleCount
        self.bodyTemplates = bodyTemplates
        self.attributeKeys = attributeKeys
        self.resourceKeys = resourceKeys
    }
}

/// The cross-signal reads behind the V1 service, cardinality and log-pattern endpoints. Every call costs a small,
/// fixed number of queries; filtering, sorting and limits run in the store.
package protocol InsightReading: Sendable {
    /// Every service that sent any signal, sorted.
    func services() async throws -> [String]
    /// Metric label, span/log attribute and resource keys with `estimatedCardinality >= threshold`, highest first
    /// (ties: signal, name, scope, key), at most `limit`.
    func highCardinalityKeys(threshold: UInt64, limit: Int) async throws -> [HighCardinalityKey]
    /// Signal names with `totalKeys >= threshold`, by total keys then max cardinality descending (ties: signal, name), at most `limit`.
    func complexity(threshold: UInt64, limit: Int) async throws -> [SignalComplexity]
    /// Templates grouped across severities: a severity counts when the template has at least `minCount` records there;
    /// groups with at least `minServices` (severity, service) entries, by total count descending (ties: template), at most `limit`.
    func logPatterns(minCount: UInt64, minServices: Int, limit: Int) async throws -> [LogPattern]
    /// One template of one severity (any count), its services limited to that severity; `nil` when never seen.
    func logPattern(severity: String, template: String) async throws -> LogPattern?
    /// Log counts per (service, severity), sorted by service then severity, one page.
    func logCountsByService(limit: Int, offset: Int) async throws -> Page<ServiceSeverityCount>
    /// One service's logs of one severity; `nil` when there are none.
    func log(service: String, severity: String) async throws -> ServiceLogSummary?
}
