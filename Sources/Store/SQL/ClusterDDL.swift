/// How census's DDL addresses a replicated ClickHouse cluster (`--clickhouse-cluster`): every statement runs
/// `ON CLUSTER <name>` (ClickHouse's distributed DDL queue in ZooKeeper/Keeper runs it on every host of the cluster), and
/// every MergeTree-family table becomes its `Replicated…` twin with a ZooKeeper path and a replica name.
///
/// The path template may use ClickHouse's own macros (`{shard}`, `{replica}`, expanded by each server from its
/// `<macros>`) and two that census expands itself, `{database}` and `{table}` (ClickHouse 18.16 knows neither), so one
/// template serves every table. Null tables and materialized views are per host and stay as they are (created on every
/// host by `ON CLUSTER`).
package struct ClusterDDL: Sendable, Hashable {
    /// The cluster's name in the servers' `remote_servers`.
    package let name: String
    /// The ZooKeeper path of a replicated table; see the type's description.
    package let zooKeeperPath: String
    /// The replica's name within a shard (normally the `{replica}` macro).
    package let replicaName: String

    /// The default ZooKeeper path template: one shard's replicas of one table share it.
    package static let defaultZooKeeperPath = "/clickhouse/tables/{shard}/{database}/{table}"
    /// The default replica name: each server's `{replica}` macro.
    package static let defaultReplicaName = "{replica}"

    /// - Throws: ``StoreError/Kind/invalidIdentifier`` unless `name` is a plain identifier; the path and replica name go
    ///   into SQL as string literals (``SQLLiteral``) and must not be empty.
    package init(
        name: String, zooKeeperPath: String = ClusterDDL.defaultZooKeeperPath,
        replicaName: String = ClusterDDL.defaultReplicaName
    ) throws(StoreError) {
        self.name = try SQLLiteral.identifier(name)
        guard !zooKeeperPath.isEmpty, !replicaName.isEmpty else {
            throw StoreError(.invalidIdentifier, "the ZooKeeper path and the replica name must not be empty")
        }
        self.zooKeeperPath = zooKeeperPath
        self.replicaName = replicaName
    }

    /// How long one `ON CLUSTER` statement waits for every host (`distributed_ddl_task_timeout`, ClickHouse's default is
    /// 180 s): below the writer's 60 s request timeout, so a host whose DDL queue is stuck (down, lost its ZooKeeper
    /// session, busy with an earlier task) surfaces as the server's own answer (code 159, naming how many hosts are
    /// unfinished) instead of a cut connection. The statement then runs on the late hosts in the background; census
    /// retries it (every statement is idempotent) and logs the server's message.
    package static let taskTimeoutSeconds = 45

    /// The settings sent with every `ON CLUSTER` statement.
    package static let statementSettings = ["distributed_ddl_task_timeout": String(taskTimeoutSeconds)]

    /// ` ON CLUSTER <name>`, to follow the object name of a DDL statement.
    package var onCluster: String { " ON CLUSTER \(name)" }

    // MARK: - Which hosts a distributed DDL task waits for

    /// Every host of the cluster as distributed DDL names it, `host:port` (TCP), one RowBinary string each.
    package var hostsQuery: String {
        "SELECT concat(host_name, ':', toString(port)) FROM system.clusters WHERE cluster = \(SQLLiteral.string(name)) FORMAT RowBinary"
    }

    /// The hosts that finished the distributed DDL task at `task` (its ZooKeeper node): the children of `<task>/finished`,
    /// named as ``hostID(_:)`` decodes, one RowBinary string each.
    package static func finishedHostsQuery(task: String) -> String {
        "SELECT name FROM system.zookeeper WHERE path = \(SQLLiteral.string(task + "/finished")) FORMAT RowBinary"
    }

    /// The ZooKeeper path of the task an `ON CLUSTER` timeout (code 159) is about, from the server's message ("Watching
    /// task /clickhouse/task_queue/ddl/query-0000000189 is executing longer than distributed_ddl_task_timeout …"), or
    /// `nil` when the message names none.
    package static func taskPath(inTimeoutMessage message: String) -> String? {
        guard let start = message.firstRange(of: "task /")?.upperBound else { return nil }
        let path = "/" + message[start...].prefix { $0 != " " && $0 != "," && $0 != "\n" }
        guard path.count > 1, path.allSatisfy({ $0.isLetter || $0.isNumber || "/-_.".contains($0) }) else { return nil }
        return path
    }

    /// A host as ClickHouse names it under a task's `finished` node (the host escaped like a file name, `%2E` for `.`,
    /// then `:port`), decoded to `host:port`.
    package static func hostID(_ escaped: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = escaped.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `Replicated<engine>('<path>', '<replica>'[, <arguments>])` for table `table` of `database`.
    ///
    /// - Parameters:
    ///   - engine: The non-replicated engine name (`MergeTree`, `AggregatingMergeTree`, `ReplacingMergeTree`).
    ///   - arguments: The engine's own arguments (`version` for `ReplacingMergeTree(version)`), or empty.
    package func engine(_ engine: String, arguments: String = "", database: String, table: String) -> String {
        let path = zooKeeperPath.replacing("{database}", with: database).replacing("{table}", with: table)
        let extra = arguments.isEmpty ? "" : ", \(arguments)"
        return "Replicated\(engine)(\(SQLLiteral.string(path)), \(SQLLiteral.string(replicaName))\(extra))"
    }
}
