/// Series over time and the changes feed (`/api/v2/history`, `/api/v2/changes`, `census changes`).
package protocol HistoryReading: Sendable {
}
