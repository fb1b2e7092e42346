/// The reads behind the V1 endpoints the reference added after its first 18 (span-name patterns, a service's keys, the
/// services and telemetry of one key, the log template count). Each call costs a small, fixed number of queries, merges
/// services and days, and is bounded by its `limit`.
package protocol KeyUsageReading: Sendable {
    /// Span names in byte order, at most `limit`, each with its kind, span count and services; `total` counts every span
    /// name.
    func spanNames(limit: Int) async throws -> Page<SpanNameUsage>
    /// The attribute and resource keys (metric labels, span and log attributes, resource keys; not span event or link
    /// keys) `service` sent on any signal, in byte order, one page.
    func serviceKeys(service: String, limit: Int, offset: Int) async throws -> Page<String>
    /// Per (service, signal): the observations that carried `key` as an attribute or resource key, by count descending
    /// (ties: service, signal), one page.
    func keyServices(key: String, limit: Int, offset: Int) async throws -> Page<KeyServiceUsage>
    /// The metric, span and log names that carry `key` as an attribute or resource key, at most `limit` names of each
    /// signal (by name); each list's `total` counts all of them.
    func keyTelemetry(key: String, limit: Int) async throws -> KeyTelemetry
    /// Distinct log body templates over every severity and service.
    func logTemplateCount() async throws -> Int
}
