import Testing

@testable import Store

@Suite("Schema on a replicated cluster and replica choice")
struct ClusterSchemaTests {
    private static func statements(_ schema: Schema) -> [String] {
        [schema.createDatabase(), schema.createMigrationsTable()] + Migration.all.flatMap { $0.statements(schema) } + schema.createCurrent()
    }

    @Test("a single server's DDL names no cluster and no replicated engine")
    func singleServerUnchanged() throws {
        for statement in Self.statements(try Schema(database: "c")) {
            #expect(!statement.contains("ON CLUSTER") && !statement.contains("Replicated"), "\(statement)")
        }
        #expect(try Schema(database: "c").createMetadataTable().contains("ENGINE = AggregatingMergeTree ORDER BY"))
    }

    @Test("on a cluster every DDL statement runs ON CLUSTER and every MergeTree table is replicated under its own path")
    func clusterDDL() throws {
        let schema = try Schema(database: "c", cluster: ClusterDDL(name: "prod"))
        for statement in Self.statements(schema) where !statement.hasPrefix("INSERT") {
            #expect(statement.contains(" ON CLUSTER prod ") || statement.hasSuffix(" ON CLUSTER prod"), "\(statement)")
            if statement.contains("MergeTree") {
                #expect(statement.contains("ENGINE = Replicated"), "\(statement)")
            }
        }
        #expect(schema.createMetadataTable().contains("ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/c/metadata', '{replica}')"))
        #expect(schema.createSessionsTable().contains("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/c/sessions', '{replica}', version)"))
        // Migration 3 has nothing to alter on a cluster: the first ingest table has the fence columns from the start.
        #expect(schema.addFenceColumns().isEmpty)
        #expect(schema.createIngestTable().contains("fence_check UInt8 MATERIALIZED throwIf"))
    }

    @Test("a DDL timeout names its task; the hosts that finished it are decoded from ZooKeeper's escaped names")
    func unfinishedHostParts() throws {
        let v18 =
            "Code: 159, e.displayText() = DB::Exception: Watching task /clickhouse/task_queue/ddl/query-0000000189 is executing longer "
            + "than distributed_ddl_task_timeout (=45) seconds. There are 1 unfinished hosts (1 of them are currently active), they are "
            + "going to execute the query in background, e.what() = DB::Exception"
        #expect(ClusterDDL.taskPath(inTimeoutMessage: v18) == "/clickhouse/task_queue/ddl/query-0000000189")
        #expect(ClusterDDL.taskPath(inTimeoutMessage: "Code: 159. DB::Exception: Watching task /ddl/query-7 is executing longer") == "/ddl/query-7")
        #expect(ClusterDDL.taskPath(inTimeoutMessage: "Code: 159. DB::Exception: Timeout exceeded: elapsed 5 seconds") == nil)
        #expect(ClusterDDL.taskPath(inTimeoutMessage: "Watching task /a'b is executing") == nil, "not a plain path")
        #expect(ClusterDDL.hostID("127%2E0%2E0%2E1:31721") == "127.0.0.1:31721")
        #expect(ClusterDDL.hostID("ch%2Dreplica%2E1:9000") == "ch-replica.1:9000")
        #expect(ClusterDDL.hostID("odd%2") == "odd%2")
        let finished = ClusterDDL.finishedHostsQuery(task: "/ddl/q-1")
        #expect(finished == "SELECT name FROM system.zookeeper WHERE path = '/ddl/q-1/finished' FORMAT RowBinary")
        #expect(try ClusterDDL(name: "prod").hostsQuery.contains("WHERE cluster = 'prod'"))
    }

    @Test("paths and replica names are string literals; the cluster name must be an identifier")
    func escaping() throws {
        let ddl = try ClusterDDL(name: "c1", zooKeeperPath: "/ch/{table}/it's", replicaName: "r'1")
        #expect(ddl.engine("MergeTree", database: "d", table: "t") == "ReplicatedMergeTree('/ch/t/it\\'s', 'r\\'1')")
        #expect(throws: StoreError.self) { try ClusterDDL(name: "a b") }
        #expect(throws: StoreError.self) { try ClusterDDL(name: "c", zooKeeperPath: "") }
    }

    @Test("a writer stays on one replica until it fails; reads rotate over the healthy ones")
    func replicaChoice() {
        let sticky = ReplicaSet(urls: ["a", "b", "c"], spread: false, downFor: .seconds(60))
        #expect((0..<5).map { _ in sticky.choose() } == [0, 0, 0, 0, 0])
        sticky.record(0, failed: true)
        #expect(sticky.isMarkedDown(0))
        #expect((0..<3).map { _ in sticky.choose() } == [1, 1, 1])
        sticky.record(1, failed: true)
        #expect(sticky.choose() == 2)
        sticky.record(2, failed: true)
        // Every replica marked down: they are tried in turn anyway.
        #expect(sticky.choose() == 0)
        sticky.record(0, failed: false)
        #expect(!sticky.isMarkedDown(0))

        let spread = ReplicaSet(urls: ["a", "b", "c"], spread: true, downFor: .seconds(60))
        #expect((0..<6).map { _ in spread.choose() } == [0, 1, 2, 0, 1, 2])
        spread.record(1, failed: true)
        #expect((0..<4).map { _ in spread.choose() } == [0, 2, 0, 2])

        let one = ReplicaSet(urls: ["a"], spread: true)
        one.record(0, failed: true)
        #expect(one.choose() == 0 && !one.isMarkedDown(0))
    }
}
