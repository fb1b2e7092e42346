import Hummingbird
import NIOCore

/// Builds V1 HTTP responses: JSON bodies with a trailing newline, and the `{"error": "..."}` envelope.
enum V1Response {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(status: HTTPResponse.Status = .ok, _ write: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter()
        write(&writer)
        var bytes = writer.bytes
        bytes.append(0x0A)
        return json(bytes, status: status)
    }

    /// `{"error": message}` with the given status.
    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        json(status: status) { json in
            json.beginObject()
            json.field("error", message)
            json.endObject()
        }
    }

    /// The list envelope of endpoints 2, 4 and 6: `data`, `total`, `limit`, `offset`, `has_more`.
    static func page(total: Int, limit: Int, offset: Int, writeItems: (inout JSONWriter) -> Void) -> Response {
        json { json in
            json.beginObject()
            json.key("data")
            json.beginArray()
            writeItems(&json)
            json.endArray()
            json.field("total", total)
            json.field("limit", limit)
            json.field("offset", offset)
            json.field("has_more", offset + limit < total)
            json.endObject()
        }
    }
}

/// Paging parameters of the list endpoints, parsed like the reference: `limit` defaults to 100 and is clamped
/// to 1000, values that are not positive integers fall back to the default; `offset` defaults to 0.
struct Pagination: Sendable, Hashable {
    var limit: Int
    var offset: Int

    static let defaultLimit = 100
    static let maxLimit = 1000

    init(limit: Int, offset: Int) {
        self.limit = limit
        self.offset = offset
    }

    init(_ query: some Collection<(key: Substring, value: Substring)>) {
        var limit = Self.defaultLimit
        var offset = 0
        for (key, value) in query {
            if key == "limit", let parsed = Int(value), parsed > 0 { limit = min(parsed, Self.maxLimit) }
            if key == "offset", let parsed = Int(value), parsed >= 0 { offset = parsed }
        }
        self.limit = limit
        self.offset = offset
    }
}
