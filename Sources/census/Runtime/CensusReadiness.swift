import API
import Consumer
import Store

/// `GET /readyz` for a census process: ClickHouse answers, the schema is at this build's version, and (when the
/// process consumes) the consumer is in its group with a broker connection.
///
/// Uses its own ClickHouse client with short timeouts and no retries, so a probe answers within a few seconds
/// even while ClickHouse hangs.
struct CensusReadiness: ReadinessProbe {
    let client: ClickHouseClient
    let migrator: Migrator
    let ingest: IngestService?
    /// Kafka statistics older than this mean the poll loop stopped reporting.
    let staleAfter: Duration

    func check() async -> ReadinessReport {
        var checks: [ReadinessReport.Check] = []
        do {
            try await client.ping()
            checks.append(.init(name: "clickhouse", ok: true, detail: "ok"))
            let version = try await migrator.currentVersion()
            let current = version >= Migration.latestVersion
            checks.append(.init(name: "schema", ok: current, detail: current ? "version \(version)"
                                : "version \(version), this build needs \(Migration.latestVersion) (migration pending)"))
        } catch let error as ClickHouseError {
            let failedCheck = checks.isEmpty ? "clickhouse" : "schema"
            checks.append(.init(name: failedCheck, ok: false, detail: "unreachable or failing: \(error)"))
        } catch {
            checks.append(.init(name: checks.isEmpty ? "clickhouse" : "schema", ok: false, detail: "\(error)"))
        }
        if let ingest {
            checks.append(kafkaCheck(ingest.kafkaStatistics))
        }
        return ReadinessReport(checks: checks)
    }

    private func kafkaCheck(_ statistics: KafkaStatistics?) -> ReadinessReport.Check {
        guard let statistics else {
            return .init(name: "kafka", ok: false, detail: "no statistics from the Kafka client yet (consumer starting)")
        }
        let age = ContinuousClock.now - statistics.receivedAt
        if age > staleAfter {
            return .init(name: "kafka", ok: false, detail: "Kafka client statistics are \(age.components.seconds) s old (poll loop blocked)")
        }
        if let reason = statistics.notJoinedReason {
            return .init(name: "kafka", ok: false, detail: reason)
        }
        return .init(name: "kafka", ok: true,
                     detail: "joined group; \(statistics.assignmentSize) partitions assigned; \(statistics.brokersUp)/\(statistics.brokerCount) brokers up")
    }
}
