import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import API
import Store

/// An ``AdminOperations`` that counts calls (and can fail), to check the admin route's guard and answers.
final class CountingAdmin: AdminOperations {
    let calls = Atomic<Int>(0)
    let failing: Bool
    init(failing: Bool = false) { self.failing = failing }
    struct Failure: Error {}
    func clearAll() async throws {
        calls.add(1, ordering: .relaxed)
        if failing { throw Failure() }
    }
}

let insightKeys = [KeyStats(key: "service.name", count: 20, estimatedCardinality: 1, samples: ["api"])]
let insightPattern = LogPattern(
    template: "User <NUM> logged in from <IP>", example: "User 42 logged in from 10.0.0.1",
    severityCounts: [SeverityCount(severity: "INFO", count: 120)],
    services: [
        PatternService(
            severity: "INFO", service: "api", sampleCount: 100, resourceKeys: insightKeys,
            attributeKeys: [
                KeyStats(key: "user.id", count: 100, estimatedCardinality: 37, samples: ["u1", "u2"]),
                KeyStats(key: "empty", count: 100, estimatedCardinality: 0, samples: []),
            ])
    ])

@Suite("V1 service, cardinality, log-pattern and admin routes")
struct V1InsightRoutesTests {
    func app(_ reader: FixedReader, admin: (any AdminOperations)? = nil, token: String? = nil) -> some ApplicationProtocol {
        let router = Router()
        V1Routes(reader: reader, admin: admin, adminToken: token, version: "test").register(on: router)
        return Application(router: router)
    }

    func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func servicesList() async throws {
        try await app(FixedReader(serviceList: ["api", "worker é"])).test(.router) { client in
            try await client.execute(uri: "/api/v1/services", method: .get) { response in
                #expect(response.status == .ok)
                #expect(body(response) == #"{"data":["api","worker é"],"total":2}"# + "\n")
            }
        }
        try await app(FixedReader()).test(.router) { client in
            try await client.execute(uri: "/api/v1/services", method: .get) { response in
                #expect(body(response) == #"{"data":[],"total":0}"# + "\n")
            }
        }
    }

    @Test func serviceOverviewMetricsWithoutType() async throws {
        try await app(FixedReader(metricList: [sampleMetric])).test(.router) { client in
            try await client.execute(uri: "/api/v1/services/api/overview", method: .get) { response in
                #expect(response.status == .ok)
                let expected =
                    #"{"service_name":"api","metric_count":1,"span_count":0,"log_count":0,"metrics":[{"name":"http_requests_total","description":"Total HTTP requests","unit":"1","data":{"data_point_count":4,"aggregation_temporality":2,"is_monotonic":true},"label_keys":{"method":{"value_samples":["GET","POST"],"count":4,"percentage":100,"estimated_cardinality":2},"status":{"value_samples":["200","500"],"count":4,"percentage":100,"estimated_cardinality":2}},"resource_keys":{"service.name":{"value_samples":["api"],"count":4,"percentage":100,"estimated_cardinality":1}},"scope_info":{"name":"io.opentelemetry.http","version":"1.2.0"},"sample_count":4,"services":{"api":4}}],"spans":[],"logs":[]}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/services/nobody%2Fhere/overview", method: .get) { response in
                #expect(response.status == .ok)
                #expect(
                    body(response)
                        == #"{"service_name":"nobody/here","metric_count":0,"span_count":0,"log_count":0,"metrics":[],"spans":[],"logs":[]}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/services/bad%ZZ/overview", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == #"{"error":"invalid service name encoding"}"# + "\n")
            }
        }
    }

    @Test func highCardinalityShapeAndParameters() async throws {
        let keys = [
            HighCardinalityKey(
                signal: .metric, signalName: "http_requests_total", scope: .attribute,
                stats: KeyStats(key: "user_id", count: 5000, estimatedCardinality: 1247, samples: ["u1", "u10", "u2"])),
            HighCardinalityKey(
                signal: .log, signalName: "ERROR", scope: .resource,
                stats: KeyStats(key: "host", count: 7, estimatedCardinality: 150, samples: ["h"])),
            HighCardinalityKey(
                signal: .span, signalName: "GET", scope: .attribute,
                stats: KeyStats(key: "id", count: 7, estimatedCardinality: 120, samples: [])),
        ]
        try await app(FixedReader(highKeys: keys)).test(.router) { client in
            try await client.execute(uri: "/api/v1/cardinality/high", method: .get) { response in
                let expected =
                    #"{"high_cardinality_keys":[{"signal_type":"metric","signal_name":"http_requests_total","key_scope":"label","key_name":"user_id","estimated_cardinality":1247,"key_count":5000,"value_samples":["u1","u10","u2"]},{"signal_type":"log","signal_name":"ERROR","key_scope":"resource","key_name":"host","estimated_cardinality":150,"key_count":7,"value_samples":["h"]},{"signal_type":"span","signal_name":"GET","key_scope":"attribute","key_name":"id","estimated_cardinality":120,"key_count":7}],"total":3,"threshold":100}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/cardinality/high?threshold=1000&limit=x", method: .get) { response in
                #expect(body(response).hasSuffix(#""total":1,"threshold":1000}"# + "\n"))
            }
            try await client.execute(uri: "/api/v1/cardinality/high?threshold=-5&limit=1", method: .get) { response in
                #expect(body(response).hasSuffix(#"}],"total":1,"threshold":100}"# + "\n"))
            }
            try await client.execute(uri: "/api/v1/cardinality/high?threshold=99999", method: .get) { response in
                #expect(body(response) == #"{"high_cardinality_keys":[],"total":0,"threshold":99999}"# + "\n")
            }
        }
    }

    @Test func complexityShapeAndScore() async throws {
        let item = SignalComplexity(
            signal: .span, signalName: "GET /users", totalKeys: 14, attributeKeyCount: 8, resourceKeyCount: 4,
            eventKeyCount: 2, linkKeyCount: 0, maxCardinality: 5000, highCardinalityCount: 1)
        try await app(FixedReader(complexityList: [item])).test(.router) { client in
            try await client.execute(uri: "/api/v1/cardinality/complexity", method: .get) { response in
                let expected =
                    #"{"signals":[{"signal_type":"span","signal_name":"GET /users","total_keys":14,"attribute_key_count":8,"resource_key_count":4,"event_key_count":2,"link_key_count":0,"max_cardinality":5000,"high_cardinality_count":1,"complexity_score":70000}],"total":1,"threshold":10}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/cardinality/complexity?threshold=15", method: .get) { response in
                #expect(body(response) == #"{"signals":[],"total":0,"threshold":15}"# + "\n")
            }
        }
    }

    @Test func logPatternsListAndDetail() async throws {
        try await app(FixedReader(patternList: [insightPattern])).test(.router) { client in
            try await client.execute(uri: "/api/v1/logs/patterns", method: .get) { response in
                let expected =
                    #"{"patterns":[{"template":"User <NUM> logged in from <IP>","example_body":"User 42 logged in from 10.0.0.1","total_count":120,"severity_breakdown":{"INFO":120},"services":[{"service_name":"api","sample_count":100,"severities":["INFO"],"resource_keys":[{"name":"service.name","cardinality":1,"sample_values":["api"]}],"attribute_keys":[{"name":"user.id","cardinality":37,"sample_values":["u1","u2"]},{"name":"empty","cardinality":0}]}]}],"total":1}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/logs/patterns?minCount=121&minServices=abc", method: .get) { response in
                #expect(body(response) == #"{"patterns":[],"total":0}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/logs/patterns/INFO/User%20%3CNUM%3E%20logged%20in%20from%20%3CIP%3E", method: .get) { response in
                #expect(response.status == .ok)
                let expected =
                    #"{"example_body":"User 42 logged in from 10.0.0.1","services":[{"service_name":"api","sample_count":100,"severities":["INFO"],"resource_keys":[{"name":"service.name","cardinality":1,"sample_values":["api"]}],"attribute_keys":[{"name":"user.id","cardinality":37,"sample_values":["u1","u2"]},{"name":"empty","cardinality":0}]}],"severity":"INFO","template":"User <NUM> logged in from <IP>","total_count":120}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/logs/patterns/ERROR/User%20%3CNUM%3E%20logged%20in%20from%20%3CIP%3E", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response) == #"{"error":"pattern not found for this severity"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/logs/patterns/%E0%A4/x", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == #"{"error":"invalid severity encoding"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/logs/patterns/INFO/100%", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == #"{"error":"invalid template encoding"}"# + "\n")
            }
        }
    }

    @Test func logsByServicePages() async throws {
        let pairs = [
            ServiceSeverityCount(service: "api", severity: "ERROR", count: 20), ServiceSeverityCount(service: "api", severity: "INFO", count: 5),
            ServiceSeverityCount(service: "worker", severity: "INFO", count: 1),
        ]
        try await app(FixedReader(serviceSeverities: pairs)).test(.router) { client in
            try await client.execute(uri: "/api/v1/logs/by-service", method: .get) { response in
                let expected =
                    #"{"data":[{"service_name":"api","severity":"ERROR","sample_count":20},{"service_name":"api","severity":"INFO","sample_count":5},{"service_name":"worker","severity":"INFO","sample_count":1}],"total":3,"limit":100,"offset":0,"has_more":false}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/logs/by-service?limit=2&offset=1", method: .get) { response in
                #expect(
                    body(response)
                        == #"{"data":[{"service_name":"api","severity":"INFO","sample_count":5},{"service_name":"worker","severity":"INFO","sample_count":1}],"total":3,"limit":2,"offset":1,"has_more":false}"#
                        + "\n")
            }
            try await client.execute(uri: "/api/v1/logs/by-service?limit=1", method: .get) { response in
                #expect(body(response).hasSuffix(#""total":3,"limit":1,"offset":0,"has_more":true}"# + "\n"))
            }
            try await client.execute(uri: "/api/v1/logs/by-service?offset=3", method: .get) { response in
                #expect(body(response) == #"{"data":[],"total":3,"limit":100,"offset":3,"has_more":false}"# + "\n")
            }
        }
    }

    @Test func serviceSeverityDetail() async throws {
        let log = ServiceLogSummary(
            service: "a/b c+é", severity: "ERROR", sampleCount: 20,
            bodyTemplates: [TemplateStats(template: "Disk <NUM> full", count: 5, example: "Disk 3 full")],
            attributeKeys: [KeyStats(key: "error.type", count: 10, estimatedCardinality: 2, samples: ["A", "B"])],
            resourceKeys: insightKeys)
        try await app(FixedReader(serviceLogs: [log])).test(.router) { client in
            try await client.execute(uri: "/api/v1/logs/service/a%2Fb%20c+%C3%A9/severity/ERROR", method: .get) { response in
                #expect(response.status == .ok)
                let expected =
                    #"{"severity":"ERROR","service_name":"a/b c+é","sample_count":20,"body_templates":[{"template":"Disk <NUM> full","count":5,"percentage":25,"example":"Disk 3 full"}],"attribute_keys":{"error.type":{"value_samples":["A","B"],"count":10,"percentage":50,"estimated_cardinality":2}},"resource_keys":{"service.name":{"value_samples":["api"],"count":20,"percentage":100,"estimated_cardinality":1}}}"#
                    + "\n"
                #expect(body(response) == expected)
            }
            try await client.execute(uri: "/api/v1/logs/service/api/severity/ERROR", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(body(response) == #"{"error":"no data found for this service and severity"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/logs/service/%FF/severity/ERROR", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == #"{"error":"invalid service name encoding"}"# + "\n")
            }
        }
    }

    @Test func adminClearNeedsTheConfiguredBearerToken() async throws {
        let admin = CountingAdmin()
        try await app(FixedReader(), admin: admin, token: nil).test(.router) { client in
            try await client.execute(uri: "/api/v1/admin/clear", method: .post, headers: [.authorization: "Bearer anything"]) { response in
                #expect(response.status == .forbidden)
                #expect(body(response) == #"{"error":"admin API disabled: no admin token configured"}"# + "\n")
            }
        }
        try await app(FixedReader(), admin: admin, token: "s3cret").test(.router) { client in
            try await client.execute(uri: "/api/v1/admin/clear", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(body(response) == #"{"error":"invalid or missing admin token"}"# + "\n")
            }
            for header in ["Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer "] {
                try await client.execute(uri: "/api/v1/admin/clear", method: .post, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized, "\(header)")
                }
            }
            #expect(admin.calls.load(ordering: .relaxed) == 0)
            try await client.execute(uri: "/api/v1/admin/clear", method: .post, headers: [.authorization: "bearer s3cret"]) { response in
                #expect(response.status == .ok)
                #expect(body(response) == #"{"message":"All data cleared successfully"}"# + "\n")
            }
            #expect(admin.calls.load(ordering: .relaxed) == 1)
        }
        try await app(FixedReader(), admin: CountingAdmin(failing: true), token: "s3cret").test(.router) { client in
            try await client.execute(uri: "/api/v1/admin/clear", method: .post, headers: [.authorization: "Bearer s3cret"]) { response in
                #expect(response.status == .internalServerError)
                #expect(body(response) == #"{"error":"Failed to clear data"}"# + "\n")
            }
        }
    }

    @Test func unknownPathsAndWrongMethodsGetJSONErrors() async throws {
        try await app(FixedReader()).test(.router) { client in
            for uri in ["/api/v1/nope", "/api/v1/metrics/a/b", "/api/v1/services/api", "/elsewhere", "/api/v1/cardinality"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(body(response) == #"{"error":"not found"}"# + "\n", "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/metrics", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                #expect(body(response) == #"{"error":"method not allowed"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/logs/service/a/severity/b", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
            }
            try await client.execute(uri: "/api/v1/admin/clear", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/api/v1/spans/%ZZ", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(body(response) == #"{"error":"invalid span name encoding"}"# + "\n")
            }
        }
    }

    @Test func malformedQueryStringsFallBackToDefaults() async throws {
        try await app(FixedReader(metricList: [sampleMetric], serviceSeverities: [ServiceSeverityCount(service: "a", severity: "b", count: 1)])).test(
            .router
        ) { client in
            for path in [
                "/api/v1/metrics", "/api/v1/logs/by-service", "/api/v1/cardinality/high", "/api/v1/cardinality/complexity", "/api/v1/logs/patterns",
                "/api/v1/attributes", "/api/v1/spans",
            ] {
                let uri = path + "?limit=%ZZ&offset=1e3&threshold=%00&minCount=--1&minServices=%&service=%E0%A4&&=&limit"
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/logs/by-service?limit=%ZZ&offset=x", method: .get) { response in
                #expect(body(response).hasSuffix(#""total":1,"limit":100,"offset":0,"has_more":false}"# + "\n"))
            }
        }
    }

    @Test func everyTableRouteIsServed() async throws {
        try await app(FixedReader(), admin: CountingAdmin(), token: "t").test(.router) { client in
            for route in V1RouteTable.routes {
                let path = "/api/v1/" + route.path.split(separator: "/").map { $0.first == "{" ? "x" : String($0) }.joined(separator: "/")
                try await client.execute(uri: path, method: route.method) { response in
                    #expect(response.status != .methodNotAllowed && response.headers[.contentType] == "application/json", "\(route)")
                    // Unknown names answer the route's own 404 message, never the router's.
                    #expect(body(response) != #"{"error":"not found"}"# + "\n", "\(route)")
                }
            }
        }
    }

    @Test func staticLogRoutesWinOverSeverity() async throws {
        let info = LogSummary(severity: "patterns", sampleCount: 1)
        try await app(FixedReader(logList: [info])).test(.router) { client in
            try await client.execute(uri: "/api/v1/logs/patterns", method: .get) { response in
                #expect(body(response).hasPrefix(#"{"patterns":"#))
            }
            try await client.execute(uri: "/api/v1/logs/by-service", method: .get) { response in
                #expect(body(response).hasPrefix(#"{"data":[],"total":0"#))
            }
        }
    }

    @Test func newEndpointsReportStorageFailuresAs500() async throws {
        try await app(FixedReader(failing: true)).test(.router) { client in
            try await client.execute(uri: "/api/v1/services", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(body(response) == #"{"error":"storage unavailable"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/services/api/overview", method: .get) { response in
                #expect(response.status == .internalServerError)
            }
        }
    }

    @Test func bearerParsingAndComparison() {
        #expect(V1Routes.bearerToken("Bearer abc") == "abc")
        #expect(V1Routes.bearerToken("BEARER  abc ") == "abc")
        #expect(V1Routes.bearerToken("Bearer") == nil)
        #expect(V1Routes.bearerToken("Token abc") == nil)
        #expect(V1Routes.constantTimeEqual("abc", "abc"))
        #expect(!V1Routes.constantTimeEqual("abc", "abd"))
        #expect(!V1Routes.constantTimeEqual("abc", "abcd"))
        #expect(!V1Routes.constantTimeEqual("", "a"))
    }
}
