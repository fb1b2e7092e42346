import Hummingbird
import Store

extension V1Routes {
    /// Default and cap of `limit` on the key-usage routes (the reference answers them whole).
    static let keyUsageLimit = 10_000

    /// `GET /api/v1/services/{name}/attributes`: `{"keys": [...], "service", "total"}`, the attribute and resource keys
    /// the service sent on any signal, sorted; `limit` (default and cap 10,000) and `offset` page `keys`, `total` counts
    /// them all. An unknown service has no keys (200, as in the reference).
    func serviceAttributes(_ request: Request, parameters: Parameters) async throws -> Response {
        guard let service = PathParameter.decoded(parameters.get("name")) else {
            return V1Response.error("invalid service name encoding", status: .badRequest)
        }
        let paging = Pagination(FormQuery(request).pairs, defaultLimit: Self.keyUsageLimit, maxLimit: Self.keyUsageLimit)
        return try await storage {
            let page = try await reader.serviceKeys(service: service, limit: paging.limit, offset: paging.offset)
            return V1Response.json { json in
                // A Go map: keys in alphabetical order.
                json.beginObject()
                json.field("keys", strings: page.items)
                json.field("service", service)
                json.field("total", page.total)
                json.endObject()
            }
        }
    }

    /// `GET /api/v1/attributes/{key}/services`: `{"key", "services": [{service_name, signal_type, count}], "total"}`, one
    /// entry per (service, signal) that sent the key, most observations first; paged like ``serviceAttributes``.
    func attributeServices(_ request: Request, parameters: Parameters) async throws -> Response {
        guard let key = PathParameter.decoded(parameters.get("key")) else {
            return V1Response.error("invalid key encoding", status: .badRequest)
        }
        let paging = Pagination(FormQuery(request).pairs, defaultLimit: Self.keyUsageLimit, maxLimit: Self.keyUsageLimit)
        return try await storage {
            let page = try await reader.keyServices(key: key, limit: paging.limit, offset: paging.offset)
            return V1Response.json { json in
                json.beginObject()
                json.field("key", key)
                json.key("services")
                json.beginArray()
                for usage in page.items {
                    json.beginObject()
                    json.field("service_name", usage.service)
                    json.field("signal_type", usage.signal.apiName)
                    json.field("count", usage.count)
                    json.endObject()
                }
                json.endArray()
                json.field("total", page.total)
                json.endObject()
            }
        }
    }

    /// `GET /api/v1/attributes/{key}/telemetry`: the catalog entry of the key and the metrics, spans and logs that carry
    /// it (`metrics`/`metric_count`, `spans`/`span_count`, `logs`/`log_count`); each list holds at most `limit` names
    /// (default and cap 10,000, by name), each count all of them. 404 when the key is not in the catalog.
    func attributeTelemetry(_ request: Request, parameters: Parameters) async throws -> Response {
        guard let key = PathParameter.decoded(parameters.get("key")) else {
            return V1Response.error("invalid key encoding", status: .badRequest)
        }
        let paging = Pagination(FormQuery(request).pairs, defaultLimit: Self.keyUsageLimit, maxLimit: Self.keyUsageLimit)
        return try await storage {
            guard let attribute = try await reader.attribute(key: key) else {
                return V1Response.error("Attribute not found: attribute not found: \(key)", status: .notFound)
            }
            let telemetry = try await reader.keyTelemetry(key: key, limit: paging.limit)
            return V1Response.json { json in
                // A Go map: keys in alphabetical order.
                json.beginObject()
                json.key("attribute")
                V1Encoding.writeAttribute(attribute, to: &json)
                json.field("key", key)
                json.field("log_count", telemetry.logTotal)
                Self.writeTelemetry("logs", telemetry.logs, to: &json) { entry, json in json.field("severity", entry.name) }
                json.field("metric_count", telemetry.metricTotal)
                Self.writeTelemetry("metrics", telemetry.metrics, to: &json) { entry, json in
                    json.field("name", entry.name)
                    json.field("type", entry.metricType.apiName)
                }
                json.field("span_count", telemetry.spanTotal)
                Self.writeTelemetry("spans", telemetry.spans, to: &json) { entry, json in
                    json.field("name", entry.name)
                    json.field("kind", V1Encoding.spanKindName(entry.spanKind))
                }
                json.endObject()
            }
        }
    }

    /// One telemetry list: each entry's identifying fields, then `services`, `attribute_count`, `attribute_cardinality`.
    private static func writeTelemetry(
        _ name: String, _ entries: [KeyTelemetry.Entry], to json: inout JSONWriter,
        identity: (KeyTelemetry.Entry, inout JSONWriter) -> Void
    ) {
        json.key(name)
        json.beginArray()
        for entry in entries {
            json.beginObject()
            identity(entry, &json)
            V1Encoding.writeServices(entry.services, to: &json)
            json.field("attribute_count", entry.count)
            json.field("attribute_cardinality", entry.cardinality)
            json.endObject()
        }
        json.endArray()
    }
}
