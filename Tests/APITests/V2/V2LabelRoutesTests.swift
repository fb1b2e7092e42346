import Hummingbird
import HummingbirdTesting
import Testing

@testable import API
@testable import Store

/// The LabelReading routes' parameter handling: bad input is a 400 with a JSON message before any read; numbers are
/// clamped; a failing store is the storage envelope, never a crash.
@Suite("V2 label routes")
struct V2LabelRoutesTests {
    func app() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: V1ErrorMiddleware<BasicRequestContext>())
        V2Routes(reader: UnavailableV2Reader()).register(on: router)
        return Application(router: router)
    }

    func expect(_ uri: String, _ status: HTTPResponse.Status, mentioning text: String) async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                #expect(response.headers[.contentType] == "application/json")
                let body = String(buffer: response.body)
                #expect(body.hasPrefix(#"{"error":"#) && body.contains(text), "\(uri): \(body)")
            }
        }
    }

    @Test("bad from/to, sort and date are 400 with a message naming the parameter")
    func badParameters() async throws {
        try await expect("/api/v2/metrics/m/labels?from=yesterday", .badRequest, mentioning: "'from'")
        try await expect("/api/v2/spans/s/attributes?to=2026-02-30", .badRequest, mentioning: "'to'")
        try await expect("/api/v2/logs/ERROR/attributes?from=2026-12-05&to=2026-12-01", .badRequest, mentioning: "after")
        try await expect("/api/v2/metrics?sort=size", .badRequest, mentioning: "'sort'")
        try await expect("/api/v2/status/tsdb?date=2026-13-01", .badRequest, mentioning: "'date'")
        try await expect("/api/v2/status/tsdb?date=2026-12-01&from=2026-12-05", .badRequest, mentioning: "'date'")
    }

    @Test("valid and absurd numbers reach the store (clamped): a failing store answers the storage envelope")
    func clampedToTheStore() async throws {
        for uri in [
            "/api/v2/metrics/m/labels?limit=99999999999999999999999&offset=-5", "/api/v2/metrics?sort=name&limit=0",
            "/api/v2/status/tsdb?topN=1e99&date=1970-01-01&focusLabel=job", "/api/v2/status/tsdb?date=2026-12-01&to=2026-12-01T10:00:00Z",
            "/api/v2/logs/%E2%9C%93/attributes?service=a+b",
        ] {
            try await expect(uri, .internalServerError, mentioning: "storage unavailable")
        }
    }
}
