import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API
import Store

/// The routes the reference added after its first 18 (version, span patterns, a service's keys, a key's services and
/// telemetry), their exact JSON, and span-name pattern grouping.
@Suite("V1 key-usage, span-pattern and version routes")
struct V1KeyUsageRoutesTests {
    func app(_ reader: FixedReader) -> some ApplicationProtocol {
        let router = Router()
        V1Routes(reader: reader, build: BuildInfo(version: "1.2.3", commit: "abc123", buildDate: "2026-12-05T07:00:00Z")).register(on: router)
        return Application(router: router)
    }

    func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func versionShape() async throws {
        try await app(FixedReader()).test(.router) { client in
            try await client.execute(uri: "/api/v1/version", method: .get) { response in
                #expect(response.status == .ok)
                #expect(body(response) == #"{"version":"1.2.3","commit":"abc123","build_date":"2026-12-05T07:00:00Z"}"# + "\n")
            }
        }
    }

    @Test func spanNamePatternsMaskVariableParts() {
        #expect(SpanPatternGroup.pattern(of: "GET /users/42") == "GET <URL>")
        #expect(SpanPatternGroup.pattern(of: "process order 1234") == "process order <NUM>")
        #expect(SpanPatternGroup.pattern(of: "job 550e8400-e29b-41d4-a716-446655440000 done") == "job <UUID> done")
        #expect(SpanPatternGroup.pattern(of: "cache get deadbeef1234") == "cache get <HEX>")
        #expect(SpanPatternGroup.pattern(of: "  SELECT   users ") == "SELECT users")
        #expect(SpanPatternGroup.pattern(of: "") == "")
    }

    @Test func groupsOrderBySpanCountThenSamplesThenPattern() {
        let names = [
            SpanNameUsage(name: "order 1", kind: 1, count: 5, services: ["a"]),
            SpanNameUsage(name: "order 2", kind: 1, count: 9, services: ["b"]),
            SpanNameUsage(name: "order 3", kind: 1, count: 9, services: ["a"]),
            SpanNameUsage(name: "login", kind: 2, count: 100, services: ["a"]),
            SpanNameUsage(name: "logout", kind: 2, count: 100, services: ["a"]),
        ]
        let groups = SpanPatternGroup.groups(names)
        #expect(groups.map(\.pattern) == ["order <NUM>", "login", "logout"])
        #expect(groups[0].spans.map(\.name) == ["order 2", "order 3", "order 1"])
        #expect(groups[0].totalSamples == 23)
    }

    @Test func spanPatternsShapeAndPaging() async throws {
        let reader = FixedReader(spanNameList: [
            SpanNameUsage(name: "GET /users/1", kind: 2, count: 3, services: ["api"]),
            SpanNameUsage(name: "GET /users/2", kind: 2, count: 4, services: ["api", "web"]),
            SpanNameUsage(name: "health", kind: 9, count: 1, services: ["api"]),
        ])
        try await app(reader).test(.router) { client in
            try await client.execute(uri: "/api/v1/span-patterns", method: .get) { response in
                let expected =
                    #"{"patterns":[{"pattern":"GET <URL>","matching_spans":[{"span_name":"GET /users/2","sample_count":4,"services":["api","web"],"kind":"Server"},{"span_name":"GET /users/1","sample_count":3,"services":["api"],"kind":"Server"}],"total_samples":7,"span_count":2},{"pattern":"health","matching_spans":[{"span_name":"health","sample_count":1,"services":["api"],"kind":"Unknown"}],"total_samples":1,"span_count":1}],"total":2}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/span-patterns?limit=1&offset=1", method: .get) { response in
                #expect(body(response).hasPrefix(#"{"patterns":[{"pattern":"health""#))
                #expect(body(response).hasSuffix(#"],"total":2}"# + "\n"))
            }
        }
    }

    @Test func serviceAttributesShape() async throws {
        let reader = FixedReader(serviceKeyList: ["a/b": ["http.method", "service.name"]])
        try await app(reader).test(.router) { client in
            try await client.execute(uri: "/api/v1/services/a%2Fb/attributes", method: .get) { response in
                #expect(body(response) == #"{"keys":["http.method","service.name"],"service":"a/b","total":2}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/services/a%2Fb/attributes?limit=1&offset=1", method: .get) { response in
                #expect(body(response) == #"{"keys":["service.name"],"service":"a/b","total":2}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/services/nobody/attributes", method: .get) { response in
                #expect(response.status == .ok)
                #expect(body(response) == #"{"keys":[],"service":"nobody","total":0}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/services/%zz/attributes", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == #"{"error":"invalid service name encoding"}"# + "\n")
            }
        }
    }

    @Test func attributeServicesShape() async throws {
        let reader = FixedReader(keyServiceList: [
            "http.method": [
                KeyServiceUsage(service: "api", signal: .span, count: 10), KeyServiceUsage(service: "api", signal: .metric, count: 4),
            ]
        ])
        try await app(reader).test(.router) { client in
            try await client.execute(uri: "/api/v1/attributes/http.method/services", method: .get) { response in
                let expected =
                    #"{"key":"http.method","services":[{"service_name":"api","signal_type":"span","count":10},{"service_name":"api","signal_type":"metric","count":4}],"total":2}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/attributes/unknown/services", method: .get) { response in
                #expect(body(response) == #"{"key":"unknown","services":[],"total":0}"# + "\n")
            }
        }
    }

    @Test func attributeTelemetryShape() async throws {
        let attribute = AttributeSummary(
            key: "user.id", count: 7, estimatedCardinality: 5, samples: ["u1"], signals: [.metric, .span, .log],
            seenAsResource: false, seenAsAttribute: true, firstSeen: 1_762_000_000, lastSeen: 1_762_000_060)
        let telemetry = KeyTelemetry(
            metrics: [
                KeyTelemetry.Entry(name: "logins", metricType: .sum, services: [ServiceCount(service: "api", count: 3)], count: 3, cardinality: 2)
            ],
            spans: [KeyTelemetry.Entry(name: "GET /me", spanKind: 2, services: [ServiceCount(service: "api", count: 2)], count: 2, cardinality: 2)],
            logs: [
                KeyTelemetry.Entry(
                    name: "INFO", services: [ServiceCount(service: "web", count: 4), ServiceCount(service: "api", count: 1)],
                    count: 2, cardinality: 1)
            ],
            metricTotal: 1, spanTotal: 3, logTotal: 1)
        try await app(FixedReader(attributeList: [attribute], telemetry: ["user.id": telemetry])).test(.router) { client in
            try await client.execute(uri: "/api/v1/attributes/user.id/telemetry", method: .get) { response in
                let expected =
                    #"{"attribute":{"key":"user.id","count":7,"estimated_cardinality":5,"value_samples":["u1"],"signal_types":["metric","span","log"],"scope":"attribute","first_seen":"2025-11-01T12:26:40Z","last_seen":"2025-11-01T12:27:40Z"},"key":"user.id","log_count":1,"logs":[{"severity":"INFO","services":{"api":1,"web":4},"attribute_count":2,"attribute_cardinality":1}],"metric_count":1,"metrics":[{"name":"logins","type":"Sum","services":{"api":3},"attribute_count":3,"attribute_cardinality":2}],"span_count":3,"spans":[{"name":"GET /me","kind":"Server","services":{"api":2},"attribute_count":2,"attribute_cardinality":2}]}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/attributes/nope/telemetry", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response) == #"{"error":"Attribute not found: attribute not found: nope"}"# + "\n")
            }
        }
    }

    @Test func logsListCarriesTemplateAndSampleTotals() async throws {
        let reader = FixedReader(
            logList: [LogSummary(severity: "INFO", sampleCount: 7), LogSummary(severity: "WARN", sampleCount: 2)], templateCount: 5)
        try await app(reader).test(.router) { client in
            try await client.execute(uri: "/api/v1/logs?limit=1", method: .get) { response in
                #expect(
                    body(response).hasSuffix(#""total":2,"limit":1,"offset":0,"has_more":true,"total_sample_count":9,"total_log_patterns":5}"# + "\n")
                )
            }
        }
    }

    @Test func cacheKeysKeepTheQueryOfParameterizedRoutes() {
        #expect(
            V1RouteTable.cacheKey(path: "/api/v1/attributes/k/services", query: "x=1&offset=2&limit=1")
                == "/api/v1/attributes/k/services?limit=1&offset=2")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/services/a%2Fb/attributes", query: "limit=3") == "/api/v1/services/a%2Fb/attributes?limit=3")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/logs/patterns", query: "minCount=2&limit=9") == "/api/v1/logs/patterns?minCount=2")
        #expect(V1RouteTable.cacheKey(path: "/api/v1/logs/INFO", query: "limit=9") == "/api/v1/logs/INFO")
    }
}
