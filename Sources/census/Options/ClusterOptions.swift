import ArgumentParser
import Store

/// A replicated ClickHouse cluster (part of ``ClickHouseOptions``): off unless `--clickhouse-cluster` is set, and then
/// DDL runs `ON CLUSTER` with `Replicated…` engines and INSERTs wait for a quorum of replicas (docs/CLICKHOUSE.md).
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong(Options.clickhouseCluster.flag), help: Options.clickhouseCluster.help)
    var name: String?

    @Option(name: .customLong(Options.clickhouseReplicaPath.flag), help: Options.clickhouseReplicaPath.help)
    var replicaPath: String?

    @Option(name: .customLong(Options.clickhouseReplicaName.flag), help: Options.clickhouseReplicaName.help)
    var replicaName: String?

    @Option(name: .customLong(Options.clickhouseInsertQuorum.flag), help: Options.clickhouseInsertQuorum.help)
    var insertQuorum: String?

    struct Resolved: Sendable {
        /// `nil` on a single server.
        var ddl: ClusterDDL?
        /// `insert_quorum` of the writer's INSERTs; 0 on a single server.
        var insertQuorum: Int
    }

    /// - Parameter replicas: How many ClickHouse URLs are configured (the default quorum is their majority).
    func resolve(replicas: Int) throws -> Resolved {
        let name = Options.clickhouseCluster.string(self.name)
        let quorum = try Options.clickhouseInsertQuorum.int(insertQuorum, range: 0...16)
        guard !name.isEmpty else { return Resolved(ddl: nil, insertQuorum: 0) }
        do {
            let ddl = try ClusterDDL(
                name: name,
                zooKeeperPath: Options.clickhouseReplicaPath.string(replicaPath),
                replicaName: Options.clickhouseReplicaName.string(replicaName))
            return Resolved(ddl: ddl, insertQuorum: quorum > 0 ? quorum : replicas / 2 + 1)
        } catch {
            throw ConfigurationError("--clickhouse-cluster: \(error.message)")
        }
    }
}
