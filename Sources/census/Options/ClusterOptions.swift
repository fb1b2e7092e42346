import ArgumentParser
import Store

/// A replicated ClickHouse cluster (part of ``ClickHouseOptions``): off unless `--clickhouse-cluster` is set, and then
/// DDL runs `ON CLUSTER` with `Replicated…` engines and INSERTs wait for a quorum of replicas (docs/CLICKHOUSE.md).
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong("clickhouse-cluster"), help: "ClickHouse cluster name (remote_servers): DDL and migrations run ON CLUSTER with Replicated* engines, INSERTs wait for --clickhouse-insert-quorum replicas, progress reads use select_sequential_consistency; unset = a single server (env CENSUS_CLICKHOUSE_CLUSTER; default none).")
    var name: String?

    @Option(name: .customLong("clickhouse-replica-path"), help: "ZooKeeper path of each replicated table; ClickHouse expands its macros ({shard}), census expands {database} and {table} (env CENSUS_CLICKHOUSE_REPLICA_PATH; default /clickhouse/tables/{shard}/{database}/{table}).")
    var replicaPath: String?

    @Option(name: .customLong("clickhouse-replica-name"), help: "Replica name of each replicated table; {replica} is the servers' macro (env CENSUS_CLICKHOUSE_REPLICA_NAME; default {replica}).")
    var replicaName: String?

    @Option(name: .customLong("clickhouse-insert-quorum"), help: "On a cluster, replicas that must hold an INSERT before ClickHouse acknowledges it (insert_quorum); 0 = the majority of the --clickhouse-url replicas (env CENSUS_CLICKHOUSE_INSERT_QUORUM; default 0).")
    var insertQuorum: String?

    struct Resolved: Sendable {
        /// `nil` on a single server.
        var ddl: ClusterDDL?
        /// `insert_quorum` of the writer's INSERTs; 0 on a single server.
        var insertQuorum: Int
    }

    /// - Parameter replicas: How many ClickHouse URLs are configured (the default quorum is their majority).
    func resolve(replicas: Int) throws -> Resolved {
        let name = Environment.resolve(self.name, "CENSUS_CLICKHOUSE_CLUSTER", default: "")
        let quorum = try Environment.int(insertQuorum, "CENSUS_CLICKHOUSE_INSERT_QUORUM", flagName: "clickhouse-insert-quorum", default: 0, range: 0...16)
        guard !name.isEmpty else { return Resolved(ddl: nil, insertQuorum: 0) }
        do {
            let ddl = try ClusterDDL(name: name,
                                     zooKeeperPath: Environment.resolve(replicaPath, "CENSUS_CLICKHOUSE_REPLICA_PATH", default: ClusterDDL.defaultZooKeeperPath),
                                     replicaName: Environment.resolve(replicaName, "CENSUS_CLICKHOUSE_REPLICA_NAME", default: ClusterDDL.defaultReplicaName))
            return Resolved(ddl: ddl, insertQuorum: quorum > 0 ? quorum : replicas / 2 + 1)
        } catch {
            throw ConfigurationError("--clickhouse-cluster: \(error.message)")
        }
    }
}
