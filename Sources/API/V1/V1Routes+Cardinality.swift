import Hummingbird
import Store

/// `/cardinality/high` and `/cardinality/complexity`.
extension V1Routes {
    /// `?threshold` (default 100) and `?limit` (default 100, max 1000); non-positive or non-numeric values fall back
    /// to the defaults, as in the reference.
    func highCardinality(_ request: Request) async throws -> Response {
        let query = FormQuery(request)
        let threshold = QueryInteger.positive(query["threshold"], default: 100)
        let limit = min(QueryInteger.positive(query["limit"], default: 100), Pagination.maxLimit)
        return try await storage {
            let keys = try await reader.highCardinalityKeys(threshold: UInt64(threshold), limit: limit)
            return V1Response.json { json in
                json.beginObject()
                json.key("high_cardinality_keys")
                json.beginArray()
                for key in keys { V1Encoding.writeHighCardinalityKey(key, to: &json) }
                json.endArray()
                json.field("total", keys.count)
                json.field("threshold", threshold)
                json.endObject()
            }
        }
    }

    /// `?threshold` (minimum total keys, default 10) and `?limit` (default 100, max 1000).
    func complexity(_ request: Request) async throws -> Response {
        let query = FormQuery(request)
        let threshold = QueryInteger.positive(query["threshold"], default: 10)
        let limit = min(QueryInteger.positive(query["limit"], default: 100), Pagination.maxLimit)
        return try await storage {
            let signals = try await reader.complexity(threshold: UInt64(threshold), limit: limit)
            return V1Response.json { json in
                json.beginObject()
                json.key("signals")
                json.beginArray()
                for signal in signals { V1Encoding.writeComplexity(signal, to: &json) }
                json.endArray()
                json.field("total", signals.count)
                json.field("threshold", threshold)
                json.endObject()
            }
        }
    }
}
