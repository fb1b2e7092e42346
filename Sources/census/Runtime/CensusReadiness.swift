import API
import Consumer
import Kafka
import Store

/// `GET /readyz` for a census process: ClickHouse answers, the schema is at this build's version, and (when the
/// process consumes) the consumer is in its group with a broker connection.
///
/// With several ClickHouse URLs (replicas) every replica is pinged: the check passes while one answers (reads go on),
/// and its detail names the replicas that are down (`degraded: 1/2 replicas up; down: …`) and whether that many can
/// still reach the INSERT quorum.
///
/// Uses its own ClickHouse client with short timeouts and no retries, so a probe answers within a few seconds
/// even while ClickHouse hangs.
struct CensusReadiness: ReadinessProbe {
    let client: ClickHouseClient
    let migrator: Migrator
    let ingest: IngestService?
    /// Kafka statistics older than this mean the poll loop stopped reporting.
    let staleAfter: Duration
    /// `insert_quorum` of the writer (0: none).
    var insertQuorum = 0
    /// What a retrying migration waits for (named in the schema check while it is pending).
    var migrationWait: StoreWiring.MigrationWait? = nil

    func check() async -> ReadinessReport {
        var checks: [ReadinessReport.Check] = []
        do {
            checks.append(try await clickHouseCheck())
            let version = try await migrator.currentVersion()
            let current = version >= Migration.latestVersion
            checks.append(
                .init(
                    name: "schema", ok: current,
                    detail: current
                        ? "version \(version)"
                        : "version \(version), this build needs \(Migration.latestVersion) (migration pending"
                            + (migrationWait?.current.map { ": \($0))" } ?? ")")))
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

    /// Pings every replica; throws the last failure when none answers.
    private func clickHouseCheck() async throws(ClickHouseError) -> ReadinessReport.Check {
        let urls = client.replicas.urls
        guard urls.count > 1 else {
            try await client.ping()
            return .init(name: "clickhouse", ok: true, detail: "ok")
        }
        var down: [String] = []
        var lastError: ClickHouseError?
        for (index, url) in urls.enumerated() {
            do {
                try await client.ping(replica: index)
            } catch {
                down.append("\(url) (\(error.message))")
                lastError = error
            }
        }
        let up = urls.count - down.count
        if up == 0, let lastError { throw lastError }
        guard !down.isEmpty else { return .init(name: "clickhouse", ok: true, detail: "ok: \(up)/\(urls.count) replicas up") }
        let quorum = insertQuorum > up ? "; INSERTs wait: quorum \(insertQuorum) needs \(insertQuorum) replicas" : ""
        return .init(
            name: "clickhouse", ok: true,
            detail: "degraded: \(up)/\(urls.count) replicas up; down: \(down.joined(separator: ", "))\(quorum)")
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
        return .init(
            name: "kafka", ok: true,
            detail: "joined group; \(statistics.assignmentSize) partitions assigned; \(statistics.brokersUp)/\(statistics.brokerCount) brokers up")
    }
}
