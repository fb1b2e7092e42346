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

    /// Whether items remain after `count` items from `offset`: `offset + count < total`, saturating instead of trapping
    /// (the parsers clamp every client number, this keeps the envelope safe whatever it is given).
    static func hasMore(offset: Int, count: Int, total: Int) -> Bool {
        let (end, overflow) = max(0, offset).addingReportingOverflow(max(0, count))
        return !overflow && end < total
    }

    /// The list envelope: `data`, `total`, `limit`, `offset`, `has_more`; the signal lists (endpoints 2, 4 and 6) add
    /// `total_sample_count` (every name's `sample_count` added up over the whole list) and the logs list `total_log_patterns`.
    static func page(
        total: Int, limit: Int, offset: Int, sampleCount: UInt64? = nil, logPatterns: Int? = nil,
        writeItems: (inout JSONWriter) -> Void
    ) -> Response {
        json { json in
            json.beginObject()
            json.key("data")
            json.beginArray()
            writeItems(&json)
            json.endArray()
            json.field("total", total)
            json.field("limit", limit)
            json.field("offset", offset)
            json.field("has_more", hasMore(offset: offset, count: limit, total: total))
            if let sampleCount { json.field("total_sample_count", sampleCount) }
            if let logPatterns { json.field("total_log_patterns", logPatterns) }
            json.endObject()
        }
    }
}

/// Paging parameters of the list endpoints, parsed like the reference: `limit` defaults to 100 and is clamped
/// to 1000, values that are not positive integers fall back to the default; `offset` defaults to 0 and is clamped to
/// ``QueryInteger/maximum``.
struct Pagination: Sendable, Hashable {
    var limit: Int
    var offset: Int

    static let defaultLimit = 100
    static let maxLimit = 1000

    init(limit: Int, offset: Int) {
        self.limit = min(max(1, limit), Self.maxLimit)
        self.offset = min(max(0, offset), QueryInteger.maximum)
    }

    init(_ query: some Collection<(key: Substring, value: Substring)>) {
        self.init(query, defaultLimit: Self.defaultLimit, maxLimit: Self.maxLimit)
    }

    /// `limit` and `offset` with other bounds (routes whose reference answer is unpaged default to a whole answer).
    init(_ query: some Collection<(key: Substring, value: Substring)>, defaultLimit: Int, maxLimit: Int) {
        var limit = defaultLimit
        var offset = 0
        for (key, value) in query {
            if key == "limit" { limit = min(QueryInteger.positive(value, default: limit), maxLimit) }
            if key == "offset" { offset = QueryInteger.nonNegative(value, default: offset) }
        }
        self.limit = limit
        self.offset = offset
    }
}
