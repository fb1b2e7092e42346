import Foundation
import Hummingbird
import Store

/// `GET /api/v1/quarantine`: the records census could not ingest, paged like the other list endpoints
/// (`limit` default 100, at most 1000; `offset`), in the list envelope `{"data": [...], "total", "limit", "offset", "has_more"}`.
///
/// Each item: `topic`, `partition`, `offset`, `timestamp` (the record's Kafka time, RFC 3339), `size` (payload bytes),
/// `error` (why it was quarantined) and, only for a request with `Authorization: Bearer <admin token>`,
/// `first_bytes_base64` (the first 256 payload bytes: someone else's telemetry). Ordered by topic, partition and
/// offset. Holds no SQL: reads go through ``QuarantineReading``.
package struct QuarantineRoutes: Sendable {
    let reader: any QuarantineReading
    /// The token that unlocks payload bytes (the admin token); `nil` or empty: payloads are never shown.
    let adminToken: String?

    package init(reader: any QuarantineReading, adminToken: String? = nil) {
        self.reader = reader
        self.adminToken = adminToken
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("api/v1/quarantine") { request, _ in try await self.list(request) }
    }

    func list(_ request: Request) async throws -> Response {
        let paging = Pagination(FormQuery(request).pairs)
        let showPayload = isAdmin(request)
        let page = try await StorageFailure.wrapping { try await reader.quarantined(limit: paging.limit, offset: paging.offset) }
        return V1Response.page(total: page.total, limit: paging.limit, offset: paging.offset) { json in
            for record in page.items { Self.write(record, payload: showPayload, to: &json) }
        }
    }

    /// Whether the request carries the admin token (the check of `POST /api/v1/admin/clear`).
    func isAdmin(_ request: Request) -> Bool {
        guard let expected = adminToken, !expected.isEmpty, let presented = V1Routes.bearerToken(request.headers[.authorization]) else {
            return false
        }
        return V1Routes.constantTimeEqual(presented, expected)
    }

    static func write(_ record: QuarantinedRecord, payload: Bool, to json: inout JSONWriter) {
        json.beginObject()
        json.field("topic", record.topic)
        json.field("partition", record.partition)
        json.field("offset", record.offset)
        json.field("timestamp", V1Encoding.rfc3339(record.timestamp))
        json.field("size", record.size)
        json.field("error", record.error)
        if payload { json.field("first_bytes_base64", Data(record.firstBytes).base64EncodedString()) }
        json.endObject()
    }
}
