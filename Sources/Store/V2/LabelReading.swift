/// Per-label detail, active series and the Prometheus-style TSDB status (`/api/v2/{signal}/{name}/labels`, `/api/v2/status/tsdb`).
package protocol LabelReading: Sendable {
}
