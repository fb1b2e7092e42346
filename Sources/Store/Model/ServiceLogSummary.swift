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

    package init(
        service: String, severity: String, sampleCount: UInt64, bodyTemplates: [TemplateStats] = [], attributeKeys: [KeyStats] = [],
        resourceKeys: [KeyStats] = []
    ) {
        self.service = service
        self.severity = severity
        self.sampleCount = sampleCount
        self.bodyTemplates = bodyTemplates
        self.attributeKeys = attributeKeys
        self.resourceKeys = resourceKeys
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
