import CoreMetrics
import Hummingbird
import HummingbirdTesting
import Prometheus
import Synchronization
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
                #expect(
                    String(buffer: response.body)
                        == #"{"status":"ready","checks":{"clickhouse":{"ok":true,"detail":"ok"},"kafka":{"ok":true,"detail":"joined"}}}"# + "\n")
            }
        }
    }

    @Test("not ready: 503 with the failed checks as the reason")
    func notReady() async throws {
        let report = ReadinessReport(checks: [
            .init(name: "clickhouse", ok: true, detail: "ok"), .init(name: "schema", ok: false, detail: "version 0"),
            .init(name: "kafka", ok: false, detail: "no Kafka broker connected (1 known)"),
        ])
        try await application(report, registry: PrometheusCollectorRegistry()).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/json")
                let body = String(buffer: response.body)
                #expect(
                    body.hasPrefix(#"{"status":"not ready","reason":"schema: version 0; kafka: no Kafka broker connected (1 known)","checks":{"#),
                    "\(body)")
            }
        }
    }

    /// A Prometheus factory that counts the handlers made through it.
    final class CountingFactory: MetricsFactory {
        let base: PrometheusMetricsFactory
        let counters = Atomic<Int>(0)
        let timers = Atomic<Int>(0)
        init(_ base: PrometheusMetricsFactory) { self.base = base }
        func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
            counters.add(1, ordering: .relaxed)
            return base.makeCounter(label: label, dimensions: dimensions)
        }
        func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
            base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
            timers.add(1, ordering: .relaxed)
            return base.makeTimer(label: label, dimensions: dimensions)
        }
        func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
        func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
        func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
    }

    @Test("the handlers of a label set are made once, not per request")
    func handlersAreCached() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = CountingFactory(PrometheusMetricsFactory(registry: registry))
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(factory: factory))
        router.get("api/v1/items/{name}") { _, _ in "ok" }
        try await Application(router: router).test(.router) { client in
            for i in 0..<20 { try await client.execute(uri: "/api/v1/items/\(i)", method: .get) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/nowhere", method: .get) { #expect($0.status == .notFound) }
        }
        #expect(factory.counters.load(ordering: .relaxed) == 2 && factory.timers.load(ordering: .relaxed) == 2)
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"census_http_requests_total{route="/api/v1/items/{name}",method="GET",status="200"} 20"#), "\(text)")
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
