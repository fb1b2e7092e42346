import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API
import Store

/// A reader answering from fixed values, to check the HTTP mapping and the exact JSON the V1 routes write.
/// (The real ClickHouse reader is exercised by the store and end-to-end suites.)
struct FixedReader: MetadataReading {
    var metricList: [MetricSummary] = []
    var spanList: [SpanSummary] = []
    var logList: [LogSummary] = []
    var attributeList: [AttributeSummary] = []
    var serviceList: [String] = []
    var highKeys: [HighCardinalityKey] = []
    var complexityList: [SignalComplexity] = []
    var patternList: [LogPattern] = []
    var serviceSeverities: [ServiceSeverityCount] = []
    var serviceLogs: [ServiceLogSummary] = []
    var failing = false

    struct Failure: Error, CustomStringConvertible { var description: String { "clickhouse down" } }

    var spanNameList: [SpanNameUsage] = []
    var serviceKeyList: [String: [String]] = [:]
    var keyServiceList: [String: [KeyServiceUsage]] = [:]
    var telemetry: [String: KeyTelemetry] = [:]
    var templateCount = 0

    func page<T>(_ items: [T], limit: Int, offset: Int, sampleCount: UInt64 = 0) -> Page<T> {
        Page(items: Array(items.dropFirst(offset).prefix(limit)), total: items.count, sampleCount: sampleCount)
    }

    func metrics(service: String?, limit: Int, offset: Int) async throws -> Page<MetricSummary> {
        if failing { throw Failure() }
        let filtered = metricList.filter { m in service.map { s in m.services.contains { $0.service == s } } ?? true }
        return page(filtered, limit: limit, offset: offset, sampleCount: filtered.reduce(0) { $0 + $1.sampleCount })
    }
    func metric(named name: String) async throws -> MetricSummary? { metricList.first { $0.name == name } }
    func spans(service: String?, limit: Int, offset: Int) async throws -> Page<SpanSummary> {
        page(spanList, limit: limit, offset: offset, sampleCount: spanList.reduce(0) { $0 + $1.sampleCount })
    }
    func span(named name: String) async throws -> SpanSummary? { spanList.first { $0.name == name } }
    func logs(service: String?, limit: Int, offset: Int) async throws -> Page<LogSummary> {
        page(logList, limit: limit, offset: offset, sampleCount: logList.reduce(0) { $0 + $1.sampleCount })
    }
    func log(severity: String) async throws -> LogSummary? { logList.first { $0.severity == severity } }
    func attributes(_ query: AttributeQuery) async throws -> Page<AttributeSummary> {
        page(attributeList, limit: query.limit ?? 10_000, offset: query.offset)
    }
    func attribute(key: String) async throws -> AttributeSummary? { attributeList.first { $0.key == key } }

    func services() async throws -> [String] {
        if failing { throw Failure() }
        return serviceList
    }
    func highCardinalityKeys(threshold: UInt64, limit: Int) async throws -> [HighCardinalityKey] {
        Array(highKeys.filter { $0.stats.estimatedCardinality >= threshold }.prefix(limit))
    }
    func complexity(threshold: UInt64, limit: Int) async throws -> [SignalComplexity] {
        Array(complexityList.filter { $0.totalKeys >= threshold }.prefix(limit))
    }
    func logPatterns(minCount: UInt64, minServices: Int, limit: Int) async throws -> [LogPattern] {
        Array(patternList.filter { $0.severityCounts.allSatisfy { $0.count >= minCount } && $0.services.count >= minServices }.prefix(limit))
    }
    func logPattern(severity: String, template: String) async throws -> LogPattern? {
        patternList.first { $0.template == template && $0.severityCounts.contains { $0.severity == severity } }
    }
    func logCountsByService(limit: Int, offset: Int) async throws -> Page<ServiceSeverityCount> {
        page(serviceSeverities, limit: limit, offset: offset)
    }
    func log(service: String, severity: String) async throws -> ServiceLogSummary? {
        serviceLogs.first { $0.service == service && $0.severity == severity }
    }

    func spanNames(limit: Int) async throws -> Page<SpanNameUsage> { page(spanNameList, limit: limit, offset: 0) }
    func serviceKeys(service: String, limit: Int, offset: Int) async throws -> Page<String> {
        page(serviceKeyList[service] ?? [], limit: limit, offset: offset)
    }
    func keyServices(key: String, limit: Int, offset: Int) async throws -> Page<KeyServiceUsage> {
        page(keyServiceList[key] ?? [], limit: limit, offset: offset)
    }
    func keyTelemetry(key: String, limit: Int) async throws -> KeyTelemetry { telemetry[key] ?? KeyTelemetry() }
    func logTemplateCount() async throws -> Int { templateCount }
}

let sampleMetric = MetricSummary(
    name: "http_requests_total", description: "Total HTTP requests", unit: "1", type: .sum, temporality: 2, isMonotonic: true,
    sampleCount: 4,
    labelKeys: [
        KeyStats(key: "status", count: 4, estimatedCardinality: 2, samples: ["200", "500"]),
        KeyStats(key: "method", count: 4, estimatedCardinality: 2, samples: ["GET", "POST"]),
    ],
    resourceKeys: [KeyStats(key: "service.name", count: 4, estimatedCardinality: 1, samples: ["api"])],
    scopeName: "io.opentelemetry.http", scopeVersion: "1.2.0", services: [ServiceCount(service: "api", count: 4)],
    activeSeries: ActiveSeries(otlp: 3, prometheus: 3))

@Suite("V1 routes write the reference's JSON")
struct V1RoutesTests {
    func app(_ reader: FixedReader) -> some ApplicationProtocol {
        let router = Router()
        V1Routes(reader: reader, version: "test").register(on: router)
        return Application(router: router)
    }

    func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func metricListShapeAndOrder() async throws {
        try await app(FixedReader(metricList: [sampleMetric])).test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let expected =
                    #"{"data":[{"name":"http_requests_total","description":"Total HTTP requests","unit":"1","data":{"data_point_count":4,"aggregation_temporality":2,"is_monotonic":true},"label_keys":{"method":{"value_samples":["GET","POST"],"count":4,"percentage":100,"estimated_cardinality":2},"status":{"value_samples":["200","500"],"count":4,"percentage":100,"estimated_cardinality":2}},"resource_keys":{"service.name":{"value_samples":["api"],"count":4,"percentage":100,"estimated_cardinality":1}},"scope_info":{"name":"io.opentelemetry.http","version":"1.2.0"},"sample_count":4,"services":{"api":4},"type":"Sum","active_series_otlp":3,"active_series_prometheus":3}],"total":1,"limit":100,"offset":0,"has_more":false,"total_sample_count":4}"#
                    + "\n"
                #expect(body(response) == expected)
            }
        }
    }

    @Test func paginationClampsAndEchoesEffectiveValues() async throws {
        let many = (0..<5).map { MetricSummary(name: "m\($0)", type: .gauge, sampleCount: 1) }
        try await app(FixedReader(metricList: many)).test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics?limit=2&offset=1", method: .get) { response in
                let text = body(response)
                #expect(text.contains(#""name":"m1""#) && text.contains(#""name":"m2""#) && !text.contains(#""name":"m3""#))
                #expect(text.hasSuffix(#""total":5,"limit":2,"offset":1,"has_more":true,"total_sample_count":5}"# + "\n"))
            }
            try await client.execute(uri: "/api/v1/metrics?limit=5000&offset=-3", method: .get) { response in
                #expect(body(response).hasSuffix(#""total":5,"limit":1000,"offset":0,"has_more":false,"total_sample_count":5}"# + "\n"))
            }
            try await client.execute(uri: "/api/v1/metrics?limit=abc&offset=10", method: .get) { response in
                #expect(body(response) == #"{"data":[],"total":5,"limit":100,"offset":10,"has_more":false,"total_sample_count":5}"# + "\n")
            }
        }
    }

    @Test func metricDetailNotFoundAndEncodedNames() async throws {
        var odd = sampleMetric
        odd.name = "a/b+c %d é"
        try await app(FixedReader(metricList: [sampleMetric, odd])).test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response) == #"{"error":"metric not found"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/metrics/http_requests_total", method: .get) { response in
                #expect(response.status == .ok)
                #expect(body(response).hasPrefix(#"{"name":"http_requests_total","#))
            }
            try await client.execute(uri: "/api/v1/metrics/a%2Fb+c%20%25d%20%C3%A9", method: .get) { response in
                #expect(response.status == .ok)
                #expect(body(response).hasPrefix(#"{"name":"a/b+c %d é","#))
            }
        }
    }

    @Test func spanShape() async throws {
        let span = SpanSummary(
            name: "GET /api/users", kind: 2,
            attributeKeys: [KeyStats(key: "http.method", count: 10, estimatedCardinality: 1, samples: ["GET"])],
            eventNames: ["exception"],
            eventAttributeKeys: [
                EventKeyStats(
                    eventName: "exception", keys: [KeyStats(key: "exception.type", count: 2, estimatedCardinality: 1, samples: ["IOError"])])
            ],
            resourceKeys: [KeyStats(key: "service.name", count: 10, estimatedCardinality: 1, samples: ["api"])],
            hasParentSpanID: true, statusCodes: [.unset, .error],
            droppedAttributes: DroppedStats(total: 3, itemsWithDropped: 1, max: 3),
            scopeName: "io.opentelemetry.http", scopeVersion: "1.2.0", sampleCount: 10, services: [ServiceCount(service: "api", count: 10)])
        try await app(FixedReader(spanList: [span])).test(.router) { client in
            try await client.execute(uri: "/api/v1/spans", method: .get) { response in
                let expected =
                    #"{"data":[{"name":"GET /api/users","kind":2,"kind_name":"Server","attribute_keys":{"http.method":{"value_samples":["GET"],"count":10,"percentage":100,"estimated_cardinality":1}},"event_names":["exception"],"event_attribute_keys":{"exception":{"exception.type":{"value_samples":["IOError"],"count":2,"percentage":0,"estimated_cardinality":1}}},"link_attribute_keys":{},"resource_keys":{"service.name":{"value_samples":["api"],"count":10,"percentage":100,"estimated_cardinality":1}},"has_trace_state":false,"has_parent_span_id":true,"status_codes":["UNSET","ERROR"],"dropped_attributes_stats":{"total_dropped":3,"items_with_dropped":1,"max_dropped":3},"scope_info":{"name":"io.opentelemetry.http","version":"1.2.0"},"name_patterns":[{"template":"GET <URL>","count":10,"percentage":100,"examples":["GET /api/users"]}],"sample_count":10,"services":{"api":10}}],"total":1,"limit":100,"offset":0,"has_more":false,"total_sample_count":10}"#
                    + "\n"
                #expect(body(response) == expected)
            }
        }
    }

    @Test func logShape() async throws {
        let log = LogSummary(
            severity: "ERROR", severityNumber: 17,
            attributeKeys: [KeyStats(key: "error.type", count: 20, estimatedCardinality: 1, samples: ["Timeout"])],
            resourceKeys: [KeyStats(key: "service.name", count: 20, estimatedCardinality: 1, samples: ["api"])],
            bodyTemplates: [
                TemplateStats(template: "Failed to connect to <IP> after <DURATION>", count: 12, example: "Failed to connect to 10.0.0.1 after 5s")
            ],
            eventNames: ["db.error"], hasTraceContext: true, hasSpanContext: true,
            droppedAttributes: DroppedStats(total: 2, itemsWithDropped: 1, max: 2), scopeName: "app-logger", sampleCount: 20,
            services: [ServiceCount(service: "api", count: 20)])
        try await app(FixedReader(logList: [log])).test(.router) { client in
            try await client.execute(uri: "/api/v1/logs/ERROR", method: .get) { response in
                let expected =
                    #"{"severity":"ERROR","severity_number":17,"attribute_keys":{"error.type":{"value_samples":["Timeout"],"count":20,"percentage":100,"estimated_cardinality":1}},"resource_keys":{"service.name":{"value_samples":["api"],"count":20,"percentage":100,"estimated_cardinality":1}},"body_templates":[{"template":"Failed to connect to <IP> after <DURATION>","count":12,"percentage":60,"example":"Failed to connect to 10.0.0.1 after 5s"}],"event_names":["db.error"],"has_trace_context":true,"has_span_context":true,"dropped_attributes_stats":{"total_dropped":2,"records_with_dropped":1,"max_dropped":2},"scope_info":{"name":"app-logger"},"sample_count":20,"services":{"api":20}}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/logs/WARN", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response) == #"{"error":"log severity not found"}"# + "\n")
            }
        }
    }

    @Test func attributeListAndDetail() async throws {
        let attribute = AttributeSummary(
            key: "user_id", count: 1_234_567, estimatedCardinality: 10_523, samples: ["user_1", "user_42"],
            signals: [.metric, .span, .log], seenAsResource: false, seenAsAttribute: true,
            firstSeen: 1_761_991_200, lastSeen: 1_762_702_200)
        try await app(FixedReader(attributeList: [attribute])).test(.router) { client in
            try await client.execute(uri: "/api/v1/attributes", method: .get) { response in
                let expected =
                    #"{"data":[{"key":"user_id","count":1234567,"estimated_cardinality":10523,"value_samples":["user_1","user_42"],"signal_types":["metric","span","log"],"scope":"attribute","first_seen":"2025-11-01T10:00:00Z","last_seen":"2025-11-09T15:30:00Z","watched":false}],"has_more":false,"limit":100,"offset":0,"total":1}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/attributes/user_id", method: .get) { response in
                #expect(body(response).hasPrefix(#"{"data":{"key":"user_id","#))
                #expect(body(response).hasSuffix(#""last_seen":"2025-11-09T15:30:00Z"},"watched":false}"# + "\n"))
            }
            try await client.execute(uri: "/api/v1/attributes/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response) == #"{"error":"Attribute not found: attribute not found: missing"}"# + "\n")
            }
        }
    }

    @Test func storageFailureIs500WithJSON() async throws {
        try await app(FixedReader(failing: true)).test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(body(response) == #"{"error":"storage unavailable"}"# + "\n")
            }
        }
    }

    @Test func healthShape() async throws {
        try await app(FixedReader()).test(.router) { client in
            try await client.execute(uri: "/api/v1/health", method: .get) { response in
                let json = try JSONSerialization.jsonObject(with: Data(body(response).utf8)) as? [String: Any]
                #expect(json?["status"] as? String == "ok")
                #expect(json?["version"] as? String == "test")
                #expect((json?["memory"] as? [String: Any])?["alloc_mb"] != nil)
                #expect(body(response).hasPrefix(#"{"status":"ok","timestamp":""#))
            }
        }
    }

    @Test func goDurationFormatting() {
        #expect(HealthFormatting.goDuration(0) == "0s")
        #expect(HealthFormatting.goDuration(1.5) == "1.5s")
        #expect(HealthFormatting.goDuration(60) == "1m0s")
        #expect(HealthFormatting.goDuration(8130.5) == "2h15m30.5s")
    }

    @Test func jsonWriterEscapesAndFormatsNumbersLikeGo() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.string("a\"b\\c\n\u{01}é<")
        writer.double(100)
        writer.double(100.0 / 3)
        writer.double(.nan)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["a\"b\\c\n\u0001é<",100,33.333333333333336,null]"#)
    }
}
