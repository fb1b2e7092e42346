import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
@testable import API

/// `/readyz` and `/metrics` over HTTP, and the request metrics middleware writing into a real Prometheus registry.
/// (Readiness against real ClickHouse and Kafka is covered by Tests/e2e/test_operations.py.)
@Suite("Operations routes: /readyz, /metrics, request metrics")
struct OperationsRoutesTests {
    /// A probe whose answer the test sets.
    struct ProbeAnswer: ReadinessProbe {
        var report: ReadinessReport
        func check() async -> ReadinessReport { report }
    }

    func application(_ report: ReadinessReport, registry: PrometheusCollectorRegistry) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: registry)))
        router.get("api/v1/items/{name}") { _, _ in "ok" }
        OperationsRoutes(readiness: ProbeAnswer(report: report), exposition: { registry.emitToBuffer() }).register(on: router)
        return Application(router: router)
    }

    @Test("ready: 200 with every check")
    func ready() async throws {
        let report = ReadinessReport(checks: [.init(name: "clickhouse", ok: true, detail: "ok"), .init(name: "kafka", ok: true, detail: "joined")])
        try await application(report, registry: PrometheusCollectorRegistry()).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ready","checks":{"clickhouse":{"ok":true,"detail":"ok"},"kafka":{"ok":true,"detail":"joined"}}}"# + "\n")
            }
        }
    }

    @Test("not ready: 503 with the failed checks as the reason")
    func notReady() async throws {
        let report = ReadinessReport(checks: [.init(name: "clickhouse", ok: true, detail: "ok"), .init(name: "schema", ok: false, detail: "version 0"),
                                              .init(name: "kafka", ok: false, detail: "no Kafka broker connected (1 known)")])
        try await application(report, registry: PrometheusCollectorRegistry()).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/json")
                let body = String(buffer: response.body)
                #expect(body.hasPrefix(#"{"status":"not ready","reason":"schema: version 0; kafka: no Kafka broker connected (1 known)","checks":{"#), "\(body)")
            }
        }
    }

    @Test("requests are counted by route template, method and status; /metrics serves the exposition")
    func requestMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        try await application(ReadinessReport(checks: []), registry: registry).test(.router) { client in
            for name in ["a", "b", "c%20d"] {
                try await client.execute(uri: "/api/v1/items/\(name)", method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/no/such/route", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/items/x", method: .init("BREW")!) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"census_http_requests_total{route="/api/v1/items/{name}",method="GET",status="200"} 3"#), "\(text)")
                #expect(text.contains(#"census_http_request_duration_seconds_count{route="/api/v1/items/{name}",method="GET",status="200"} 3"#))
                #expect(text.contains(#"method="other""#))
                #expect(!text.contains("/api/v1/items/a\""), "raw paths must not become labels")
                #expect(text.contains(#"status="404""#))
            }
        }
    }
}
