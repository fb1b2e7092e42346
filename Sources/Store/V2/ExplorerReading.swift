/// Cross-signal keys and services (`/api/v2/keys/{key}`, `/api/v2/services/{name}`).
package protocol ExplorerReading: Sendable {
}
