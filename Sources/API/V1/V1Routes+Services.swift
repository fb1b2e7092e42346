import Hummingbird
import Store

/// `/services` and `/services/{name}/overview`.
extension V1Routes {
    /// The most items of each signal an overview lists (its counts are always the full totals).
    static let overviewItemLimit = 1000

    func services() async throws -> Response {
        try await storage {
            let services = try await reader.services()
            return V1Response.json { json in
                json.beginObject()
                json.field("data", strings: services)
                json.field("total", services.count)
                json.endObject()
            }
        }
    }

    /// Metrics, spans and severities the service emitted (each merged over all services, as in the lists): six
    /// queries run concurrently per signal pair; an unknown service is 200 with zero counts, as in the reference.
    func serviceOverview(parameters: Parameters) async throws -> Response {
        guard let service = PathParameter.decoded(parameters.get("name")) else {
            return V1Response.error("invalid service name encoding", status: .badRequest)
        }
        let limit = Self.overviewItemLimit
        return try await storage {
            async let metrics = reader.metrics(service: service, limit: limit, offset: 0)
            async let spans = reader.spans(service: service, limit: limit, offset: 0)
            async let logs = reader.logs(service: service, limit: limit, offset: 0)
            let (metricPage, spanPage, logPage) = try await (metrics, spans, logs)
            return V1Response.json { V1Encoding.writeOverview(service: service, metrics: metricPage, spans: spanPage, logs: logPage, to: &$0) }
        }
    }
}
