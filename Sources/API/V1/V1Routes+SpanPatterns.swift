import Hummingbird
import Store

extension V1Routes {
    /// Span names read to build patterns: at most this many (by name), so the grouping stays bounded in time and memory.
    static let maxPatternSpanNames = 10_000

    /// `GET /api/v1/span-patterns`: `{"patterns": [{pattern, matching_spans: [{span_name, sample_count, services, kind}],
    /// total_samples, span_count}], "total"}` (the reference's `SpanPatternResponse`), computed at read time from the
    /// stored span names and paged with `limit` (default and cap 10,000) and `offset`; `total` counts every pattern.
    func spanPatterns(_ request: Request) async throws -> Response {
        let paging = Pagination(FormQuery(request).pairs, defaultLimit: Self.maxPatternSpanNames, maxLimit: Self.maxPatternSpanNames)
        return try await storage {
            let names = try await reader.spanNames(limit: Self.maxPatternSpanNames)
            let groups = SpanPatternGroup.groups(names.items)
            return V1Response.json { json in
                json.beginObject()
                json.key("patterns")
                json.beginArray()
                for group in groups.dropFirst(paging.offset).prefix(paging.limit) {
                    json.beginObject()
                    json.field("pattern", group.pattern)
                    json.key("matching_spans")
                    json.beginArray()
                    for span in group.spans {
                        json.beginObject()
                        json.field("span_name", span.name)
                        json.field("sample_count", span.count)
                        json.field("services", strings: span.services)
                        json.field("kind", V1Encoding.spanKindName(span.kind))
                        json.endObject()
                    }
                    json.endArray()
                    json.field("total_samples", group.totalSamples)
                    json.field("span_count", group.spans.count)
                    json.endObject()
                }
                json.endArray()
                json.field("total", groups.count)
                json.endObject()
            }
        }
    }
}
