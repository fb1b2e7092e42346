/// Decides whether this census process should receive traffic (`GET /readyz`).
///
/// The executable implements it from the ClickHouse client, the schema and the consumer's group state; the API
/// only turns the answer into JSON.
package protocol ReadinessProbe: Sendable {
    /// Runs every check once. Must return within a few seconds (each check bounds its own wait).
    func check() async -> ReadinessReport
}

/// The outcome of every readiness check, in the order they were made.
package struct ReadinessReport: Sendable, Hashable {
    /// One named check: `clickhouse`, `schema`, `kafka`, ….
    package struct Check: Sendable, Hashable {
        package var name: String
        package var ok: Bool
        /// What was found: `"ok"`, a version, or why the check failed.
        package var detail: String

        package init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    package var checks: [Check]

    package init(checks: [Check]) {
        self.checks = checks
    }

    /// Ready when every check passed.
    package var isReady: Bool { checks.allSatisfy(\.ok) }

    /// The failed checks as one sentence (`"kafka: no Kafka broker connected; schema: version 0, need 1"`), or `nil`.
    package var reason: String? {
        let failed = checks.filter { !$0.ok }
        return failed.isEmpty ? nil : failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
    }
}
