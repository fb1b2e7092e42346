@testable import Store

/// Two batches with known merged results, shared by the writer → reader tests.
enum MetadataFixtures {
    static let day: UInt16 = 20_000
    static let t0: EpochSeconds = 1_728_000_000

    static func h(_ value: String) -> UInt64 { ValueHash.hash(value) }

    /// The sample slots of string values (hashed as the analyzer hashes strings).
    static func slots(_ values: [String]) -> [String?] { SampleSlots.slots(values.map { ($0, h($0)) }) }

    /// The exact small set the analyzer sends for a window whose values are `values`: every distinct one when there are at
    /// most ten, else empty (overflow).
    static func small(_ values: [String]) -> [String] {
        let distinct = Set(values)
        return distinct.count <= KeyAggregate.maxSamples ? distinct.sorted() : []
    }

    /// The samples a reader shows for a key whose values (over every merged row) are `values`: all of them (distinct,
    /// sorted) when there are at most ten, else the slot samples.
    static func samples(_ values: [String]) -> [String] {
        let distinct = Set(values)
        return distinct.count <= KeyAggregate.maxSamples ? distinct.sorted(by: SampleSlots.precedes) : SampleSlots.texts(slots(values))
    }

    static func key(
        _ signal: Signal, _ name: String, _ service: String, _ scope: KeyScope, _ key: String, event: String = "", day: UInt16 = day,
        first: EpochSeconds, last: EpochSeconds, count: UInt64, values: [String]
    ) -> KeyAggregate {
        KeyAggregate(
            signal: signal, name: name, service: service, scope: scope, eventName: event, key: key, day: day, firstSeen: t0 + first,
            lastSeen: t0 + last, count: count, valueHashes: values.map(h), sampleSlots: slots(values),
            smallValues: small(values))
    }

    static let userIDs = (0..<15).map { "u" + ($0 < 10 ? "0" : "") + String($0) }

    static var first: MetadataBatch {
        var requestsAPI = SignalAggregate(
            signal: .metric, name: "http.requests", service: "api", day: day, firstSeen: t0 + 1000, lastSeen: t0 + 2000, count: 10)
        requestsAPI.description = "Total requests"
        requestsAPI.unit = "1"
        requestsAPI.metricType = .sum
        requestsAPI.temporality = 2
        requestsAPI.flags = [.monotonic]
        requestsAPI.scopeName = "io.otel"
        requestsAPI.scopeVersion = "1.2"

        var requestsWorker = SignalAggregate(
            signal: .metric, name: "http.requests", service: "worker", day: day, firstSeen: t0 + 900, lastSeen: t0 + 1500, count: 5)
        requestsWorker.unit = "1"
        requestsWorker.metricType = .sum
        requestsWorker.temporality = 2

        var latency = SignalAggregate(signal: .metric, name: "latency", service: "api", day: day, firstSeen: t0 + 1100, lastSeen: t0 + 1200, count: 3)
        latency.metricType = .histogram
        latency.temporality = 1
        latency.explicitBounds = [10, 0.1, 1]
        latency.scales = []

        var span = SignalAggregate(signal: .span, name: "GET /users", service: "api", day: day, firstSeen: t0 + 100, lastSeen: t0 + 200, count: 7)
        span.spanKind = 2
        span.statusCodes = [.unset, .error]
        span.eventNames = ["exception"]
        span.flags = [.parentSpanID]
        span.droppedAttributes = DroppedStats(total: 3, itemsWithDropped: 1, max: 3)

        var log = SignalAggregate(signal: .log, name: "ERROR", service: "api", day: day, firstSeen: t0 + 50, lastSeen: t0 + 60, count: 4)
        log.severityNumber = 17
        log.flags = [.traceContext]
        log.eventNames = ["db.error"]

        return MetadataBatch(
            signals: [requestsAPI, requestsWorker, latency, span, log],
            keys: [
                key(.metric, "http.requests", "api", .attribute, "method", first: 1000, last: 2000, count: 10, values: ["GET", "POST"]),
                key(.metric, "http.requests", "api", .resource, "service.name", first: 1000, last: 2000, count: 10, values: ["api"]),
                key(.metric, "http.requests", "api", .resource, "host.name", first: 1000, last: 2000, count: 10, values: ["h1"]),
                key(.metric, "http.requests", "worker", .attribute, "method", first: 900, last: 1500, count: 5, values: ["GET"]),
                key(.metric, "http.requests", "worker", .resource, "service.name", first: 900, last: 1500, count: 5, values: ["worker"]),
                key(.metric, "latency", "api", .attribute, "route", first: 1100, last: 1200, count: 3, values: ["/a"]),
                key(.span, "GET /users", "api", .attribute, "http.method", first: 100, last: 200, count: 7, values: ["GET"]),
                key(.span, "GET /users", "api", .event, "exception.type", event: "exception", first: 100, last: 150, count: 2, values: ["IOError"]),
                key(.span, "GET /users", "api", .link, "link.kind", first: 100, last: 100, count: 1, values: ["x"]),
                key(.log, "ERROR", "api", .attribute, "error.type", first: 50, last: 60, count: 4, values: ["Timeout"]),
                key(.log, "ERROR", "api", .attribute, "empty.key", first: 50, last: 60, count: 4, values: []),
                key(.log, "ERROR", "api", .attribute, "host.name", first: 50, last: 60, count: 4, values: ["h1", "h2"]),
            ],
            templates: [
                TemplateAggregate(
                    severity: "ERROR", service: "api", template: "Failed to connect to <IP>", day: day, firstSeen: t0 + 50, lastSeen: t0 + 60,
                    count: 3, example: "Failed to connect to 10.0.0.1"),
                TemplateAggregate(
                    severity: "ERROR", service: "api", template: "Disk full", day: day, firstSeen: t0 + 55, lastSeen: t0 + 55,
                    count: 1, example: "Disk full"),
            ],
            progress: [
                PartitionProgress(topic: "otlp", partition: 0, lastOffset: 100), PartitionProgress(topic: "otlp", partition: 1, lastOffset: 50),
            ]
        )
    }

    static var second: MetadataBatch {
        var requestsAPI = SignalAggregate(
            signal: .metric, name: "http.requests", service: "api", day: day + 1, firstSeen: t0 + 3000, lastSeen: t0 + 4000, count: 20)
        requestsAPI.description = "Total requests"
        requestsAPI.unit = "1"
        requestsAPI.metricType = .sum
        requestsAPI.temporality = 2
        requestsAPI.scopeName = "io.otel"
        requestsAPI.scopeVersion = "1.0"

        var span = SignalAggregate(signal: .span, name: "GET /users", service: "web", day: day, firstSeen: t0 + 90, lastSeen: t0 + 300, count: 3)
        span.spanKind = 2
        span.statusCodes = [.ok]
        span.flags = [.traceState]
        span.droppedAttributes = DroppedStats(total: 2, itemsWithDropped: 2, max: 1)

        return MetadataBatch(
            signals: [requestsAPI, span],
            keys: [
                key(.metric, "http.requests", "api", .attribute, "method", day: day + 1, first: 3000, last: 4000, count: 20, values: ["GET", "PUT"]),
                key(.metric, "http.requests", "api", .attribute, "user.id", day: day + 1, first: 3000, last: 4000, count: 20, values: userIDs),
                key(.span, "GET /users", "web", .attribute, "http.method", first: 90, last: 300, count: 3, values: ["POST"]),
            ],
            templates: [
                TemplateAggregate(
                    severity: "ERROR", service: "web", template: "Disk full", day: day, firstSeen: t0 + 70, lastSeen: t0 + 80,
                    count: 5, example: "Disk full!")
            ],
            progress: [
                PartitionProgress(topic: "otlp", partition: 0, lastOffset: 180), PartitionProgress(topic: "otlp", partition: 2, lastOffset: 7),
            ]
        )
    }

    static func stats(_ key: String, _ count: UInt64, _ cardinality: UInt64, _ samples: [String]) -> KeyStats {
        KeyStats(key: key, count: count, estimatedCardinality: cardinality, samples: samples)
    }

    static var expectedRequests: MetricSummary {
        MetricSummary(
            name: "http.requests", description: "Total requests", unit: "1", type: .sum, temporality: 2, isMonotonic: true,
            explicitBounds: [], scales: [], sampleCount: 35,
            labelKeys: [stats("method", 35, 3, samples(["GET", "POST", "PUT"])), stats("user.id", 20, 15, samples(userIDs))],
            resourceKeys: [stats("host.name", 10, 1, ["h1"]), stats("service.name", 15, 2, samples(["api", "worker"]))],
            scopeName: "io.otel", scopeVersion: "1.0",
            services: [ServiceCount(service: "api", count: 30), ServiceCount(service: "worker", count: 5)],
            firstSeen: t0 + 900, lastSeen: t0 + 4000, activeSeries: ActiveSeries(otlp: 1, prometheus: 1))
    }

    static var expectedLatency: MetricSummary {
        MetricSummary(
            name: "latency", type: .histogram, temporality: 1, explicitBounds: [0.1, 1, 10], sampleCount: 3,
            labelKeys: [stats("route", 3, 1, ["/a"])], services: [ServiceCount(service: "api", count: 3)],
            firstSeen: t0 + 1100, lastSeen: t0 + 1200, activeSeries: ActiveSeries(otlp: 1, prometheus: 6))
    }

    static var expectedSpan: SpanSummary {
        SpanSummary(
            name: "GET /users", kind: 2, attributeKeys: [stats("http.method", 10, 2, samples(["GET", "POST"]))], eventNames: ["exception"],
            eventAttributeKeys: [EventKeyStats(eventName: "exception", keys: [stats("exception.type", 2, 1, ["IOError"])])],
            linkAttributeKeys: [stats("link.kind", 1, 1, ["x"])], resourceKeys: [], hasTraceState: true, hasParentSpanID: true,
            statusCodes: [.unset, .ok, .error], droppedAttributes: DroppedStats(total: 5, itemsWithDropped: 3, max: 3),
            sampleCount: 10, services: [ServiceCount(service: "api", count: 7), ServiceCount(service: "web", count: 3)],
            firstSeen: t0 + 90, lastSeen: t0 + 300)
    }

    static var expectedLog: LogSummary {
        LogSummary(
            severity: "ERROR", severityNumber: 17,
            attributeKeys: [stats("empty.key", 4, 0, []), stats("error.type", 4, 1, ["Timeout"]), stats("host.name", 4, 2, samples(["h1", "h2"]))],
            bodyTemplates: [
                TemplateStats(template: "Disk full", count: 6, example: "Disk full"),
                TemplateStats(template: "Failed to connect to <IP>", count: 3, example: "Failed to connect to 10.0.0.1"),
            ],
            eventNames: ["db.error"], hasTraceContext: true, hasSpanContext: false, sampleCount: 4,
            services: [ServiceCount(service: "api", count: 4)], firstSeen: t0 + 50, lastSeen: t0 + 60)
    }
}
