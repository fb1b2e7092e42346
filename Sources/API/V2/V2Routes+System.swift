import Hummingbird
import Store

extension V2Routes {
    /// The routes of the SystemReading capability (store statistics: no time range, no list longer than the database's
    /// handful of tables).
    static let systemRoutes: [V2Route] = [
        V2Route(.get, "system/clickhouse") { routes, _ in
            try await StorageFailure.wrapping {
                let status = try await routes.reader.clickHouseStatus()
                return V1Response.json { SystemJSON.writeClickHouseStatus(status, to: &$0) }
            }
        },
        V2Route(.get, "system/tables") { routes, _ in
            try await StorageFailure.wrapping {
                let tables = try await routes.reader.tableStatistics()
                return V1Response.json { json in
                    json.beginObject()
                    json.key("data")
                    json.beginArray()
                    for table in tables { SystemJSON.writeTable(table, to: &json) }
                    json.endArray()
                    json.field("total", tables.count)
                    json.endObject()
                }
            }
        },
    ]
}
