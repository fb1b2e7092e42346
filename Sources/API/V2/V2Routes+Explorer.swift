import Hummingbird
import Store

extension V2Routes {
    /// The routes of the ExplorerReading capability.
    static let explorerRoutes: [V2Route] = [
        V2Route(.get, "keys/{key}", query: ["from", "to", "limit", "offset"]) { routes, request in
            let key = request.parameter("key")
            let range = try request.range()
            let paging = Pagination(request.query.pairs)
            return try await StorageFailure.wrapping {
                guard let usage = try await routes.reader.keyUsage(key: key, range: range, limit: paging.limit, offset: paging.offset) else {
                    return V1Response.error("key not found in range", status: .notFound)
                }
                return V1Response.json { ExplorerJSON.writeKeyUsage(usage, key: key, range: range, paging: paging, to: &$0) }
            }
        },
        V2Route(.get, "services/{name}", query: ["from", "to", "signal", "limit", "offset"]) { routes, request in
            let service = request.parameter("name")
            let range = try request.range()
            let signal = try ExplorerJSON.signal(request.query["signal"])
            let paging = Pagination(request.query.pairs)
            return try await StorageFailure.wrapping {
                guard
                    let usage = try await routes.reader.serviceUsage(
                        service: service, signal: signal, range: range,
                        limit: paging.limit, offset: paging.offset)
                else {
                    return V1Response.error("service not found in range", status: .notFound)
                }
                return V1Response.json {
                    ExplorerJSON.writeServiceUsage(usage, service: service, signal: signal, range: range, paging: paging, to: &$0)
                }
            }
        },
    ]
}
