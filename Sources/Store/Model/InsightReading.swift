/// The cross-signal reads behind the V1 service, cardinality and log-pattern endpoints. Every call costs a small,
/// fixed number of queries; filtering, sorting and limits run in the store.
package protocol InsightReading: Sendable {
    /// Every service that sent any signal, sorted.
    func services() async throws -> [String]
    /// Metric label, span/log attribute and resource keys with `estimatedCardinality >= threshold`, highest first
    /// (ties: signal, name, scope, key), at most `limit`.
    func highCardinalityKeys(threshold: UInt64, limit: Int) async throws -> [HighCardinalityKey]
    /// Signal names with `totalKeys >= threshold`, by total keys then max cardinality descending (ties: signal, name), at most `limit`.
    func complexity(threshold: UInt64, limit: Int) async throws -> [SignalComplexity]
    /// Templates grouped across severities: a severity counts when the template has at least `minCount` records there;
    /// groups with at least `minServices` (severity, service) entries, by total count descending (ties: template), at most `limit`.
    func logPatterns(minCount: UInt64, minServices: Int, limit: Int) async throws -> [LogPattern]
    /// One template of one severity (any count), its services limited to that severity; `nil` when never seen.
    func logPattern(severity: String, template: String) async throws -> LogPattern?
    /// Log counts per (service, severity), sorted by service then severity, one page.
    func logCountsByService(limit: Int, offset: Int) async throws -> Page<ServiceSeverityCount>
    /// One service's logs of one severity; `nil` when there are none.
    func log(service: String, severity: String) async throws -> ServiceLogSummary?
}
