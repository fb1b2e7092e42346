import Metrics

/// What the ClickHouse client reports to swift-metrics (exported by census on `GET /metrics`).
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `census_clickhouse_requests_total` | counter | `statement` (`insert`/`query`/`ping`), `outcome` (`ok`/`error`) |
/// | `census_clickhouse_failures_total` | counter | `statement`, `code` (ClickHouse error code, `curl_NN`, or the failure kind) |
/// | `census_clickhouse_retries_total` | counter | `statement`, `code` |
/// | `census_clickhouse_request_duration_seconds` | histogram | `statement` |
/// | `census_clickhouse_insert_bytes` | histogram | — (uncompressed INSERT body) |
/// | `census_clickhouse_rejected_total` | counter | `statement` (calls turned away by a full admission gate, never sent) |
///
/// A failure is counted once per attempt that failed; a retried call that then succeeds counts one failure, one
/// retry and one `ok` request.
package struct ClickHouseMetrics: Sendable {
    /// Which kind of statement a request carried.
    package enum Statement: String, Sendable {
        case insert, query, ping
    }

    private let factory: any MetricsFactory

    /// - Parameter factory: where the handlers come from; the process-wide `MetricsSystem.factory` by default
    ///   (a no-op until a backend is bootstrapped).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func succeeded(_ statement: Statement, duration: Duration) {
        Counter(label: "census_clickhouse_requests_total", dimensions: [("statement", statement.rawValue), ("outcome", "ok")], factory: factory)
            .increment()
        Timer(label: "census_clickhouse_request_duration_seconds", dimensions: [("statement", statement.rawValue)], factory: factory).record(
            duration: duration)
    }

    func failed(_ statement: Statement, error: ClickHouseError, willRetry: Bool) {
        Counter(label: "census_clickhouse_requests_total", dimensions: [("statement", statement.rawValue), ("outcome", "error")], factory: factory)
            .increment()
        Counter(
            label: "census_clickhouse_failures_total", dimensions: [("statement", statement.rawValue), ("code", error.metricCode)], factory: factory
        ).increment()
        if willRetry {
            Counter(
                label: "census_clickhouse_retries_total", dimensions: [("statement", statement.rawValue), ("code", error.metricCode)],
                factory: factory
            ).increment()
        }
    }

    func rejected(_ statement: Statement) {
        Counter(label: "census_clickhouse_rejected_total", dimensions: [("statement", statement.rawValue)], factory: factory).increment()
    }

    func insertBody(bytes: Int) {
        Recorder(label: "census_clickhouse_insert_bytes", dimensions: [], aggregate: true, factory: factory).record(bytes)
    }
}

extension ClickHouseError {
    /// A bounded label for metrics: the server's error code (`"241"`), `curl_NN` for transport failures,
    /// `http_NNN` for a server answer without a code, or the failure kind.
    package var metricCode: String {
        if let serverCode { return String(serverCode.rawValue) }
        if let curlCode { return "curl_\(curlCode)" }
        if let httpStatus { return "http_\(httpStatus)" }
        return "\(kind)"
    }
}
