import Hummingbird
import NIOCore

/// Routes for operators rather than API clients: `GET /metrics` (Prometheus text exposition) and `GET /readyz`.
///
/// `/api/v1/health` (liveness, reference shape) stays with the V1 routes.
package struct OperationsRoutes: Sendable {
    let readiness: any ReadinessProbe
    let exposition: @Sendable () -> [UInt8]

    /// - Parameters:
    ///   - readiness: Answers `GET /readyz`.
    ///   - exposition: Renders every metric in the Prometheus text format (version 0.0.4).
    package init(readiness: any ReadinessProbe, exposition: @escaping @Sendable () -> [UInt8]) {
        self.readiness = readiness
        self.exposition = exposition
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("metrics") { _, _ in self.metrics() }
        router.get("readyz") { _, _ in await self.ready() }
    }

    func metrics() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: exposition())))
    }

    /// 200 `{"status":"ready","checks":{…}}` or 503 `{"status":"not ready","reason":"…","checks":{…}}`.
    func ready() async -> Response {
        let report = await readiness.check()
        var json = JSONWriter()
        json.beginObject()
        json.field("status", report.isReady ? "ready" : "not ready")
        if let reason = report.reason { json.field("reason", reason) }
        json.key("checks")
        json.beginObject()
        for check in report.checks {
            json.key(check.name)
            json.beginObject()
            json.field("ok", check.ok)
            json.field("detail", check.detail)
            json.endObject()
        }
        json.endObject()
        json.endObject()
        var bytes = json.bytes
        bytes.append(0x0A)
        return Response(
            status: report.isReady ? .ok : .serviceUnavailable, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
