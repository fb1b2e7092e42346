import Hummingbird
import Store

/// `/logs/patterns`, `/logs/patterns/{severity}/{template}`, `/logs/by-service` and
/// `/logs/service/{service}/severity/{severity}`.
extension V1Routes {
    /// The most pattern groups `/logs/patterns` returns (the reference had no pagination; its ClickHouse query a `LIMIT 100`).
    static let patternLimit = 1000

    /// `?minCount` (default 10) and `?minServices` (default 1), camelCase as in the reference.
    func logPatterns(_ request: Request) async throws -> Response {
        let query = FormQuery(request)
        let minCount = QueryInteger.positive(query["minCount"], default: 10)
        let minServices = QueryInteger.positive(query["minServices"], default: 1)
        return try await storage {
            let patterns = try await reader.logPatterns(minCount: UInt64(minCount), minServices: minServices, limit: Self.patternLimit)
            return V1Response.json { json in
                json.beginObject()
                json.key("patterns")
                json.beginArray()
                for pattern in patterns { V1Encoding.writePattern(pattern, to: &json) }
                json.endArray()
                json.field("total", patterns.count)
                json.endObject()
            }
        }
    }

    func logPattern(parameters: Parameters) async throws -> Response {
        guard let severity = PathParameter.decoded(parameters.get("severity")) else {
            return V1Response.error("invalid severity encoding", status: .badRequest)
        }
        guard let template = PathParameter.decoded(parameters.get("template")) else {
            return V1Response.error("invalid template encoding", status: .badRequest)
        }
        return try await storage {
            guard let pattern = try await reader.logPattern(severity: severity, template: template) else {
                return V1Response.error("pattern not found for this severity", status: .notFound)
            }
            return V1Response.json { V1Encoding.writePatternDetail(pattern, severity: severity, to: &$0) }
        }
    }

    /// The list envelope over (service, severity) pairs, sorted by service then severity.
    func logsByService(_ request: Request) async throws -> Response {
        let paging = Pagination(FormQuery(request).pairs)
        return try await storage {
            let page = try await reader.logCountsByService(limit: paging.limit, offset: paging.offset)
            return V1Response.page(total: page.total, limit: paging.limit, offset: paging.offset) { json in
                for item in page.items { V1Encoding.writeServiceSeverity(item, to: &json) }
            }
        }
    }

    func serviceLog(parameters: Parameters) async throws -> Response {
        guard let service = PathParameter.decoded(parameters.get("service")) else {
            return V1Response.error("invalid service name encoding", status: .badRequest)
        }
        guard let severity = PathParameter.decoded(parameters.get("severity")) else {
            return V1Response.error("invalid severity encoding", status: .badRequest)
        }
        return try await storage {
            guard let log = try await reader.log(service: service, severity: severity.isEmpty ? "UNSET" : severity) else {
                return V1Response.error("no data found for this service and severity", status: .notFound)
            }
            return V1Response.json { V1Encoding.writeServiceLog(log, to: &$0) }
        }
    }
}
