/// Store statistics (`/api/v2/system/clickhouse`, `/api/v2/system/tables`).
package protocol SystemReading: Sendable {
}
