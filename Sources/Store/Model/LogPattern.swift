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

/// Records of one log severity.
package struct SeverityCount: Sendable, Hashable {
    package var severity: String
    package var count: UInt64
    package init(severity: String, count: UInt64) {
        self.severity = severity
        self.count = count
    }
}
