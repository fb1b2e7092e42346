import CRdKafka

/// librdkafka's in-process mock Kafka cluster: a real Kafka-protocol broker on 127.0.0.1 (random port).
///
/// Used by `census dev-broker` and by tests. It keeps records in memory (about 5 MiB per partition in 2.0.2).
/// - Note: The handle is only touched in `init`/`deinit` and for topic creation, which librdkafka serialises
///   internally, hence `@unchecked Sendable`.
package final class MockCluster: @unchecked Sendable {
    private let handle: OpaquePointer
    private let cluster: OpaquePointer

    /// The `bootstrap.servers` string of the cluster (e.g. `127.0.0.1:39453`).
    package let bootstrapServers: String

    package init(brokers: Int32 = 1) throws(KafkaError) {
        let conf = try RDKafkaConfig.make([("log_level", "3")])
        // The mock cluster lives inside a client handle; a producer handle is fine.
        let handle = try RDKafkaConfig.newHandle(RD_KAFKA_PRODUCER, conf, what: "mock cluster handle")
        guard let cluster = rd_kafka_mock_cluster_new(handle, brokers) else {
            rd_kafka_destroy(handle)
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "cannot create mock cluster")
        }
        self.handle = handle
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    /// Takes every broker down (connections are closed and new ones refused) or brings them back up, to simulate
    /// a broker outage. Records and committed offsets are kept.
    package func setBrokersUp(_ up: Bool) throws(KafkaError) {
        let err = up ? rd_kafka_mock_broker_set_up(cluster, -1) : rd_kafka_mock_broker_set_down(cluster, -1)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, up ? "broker up" : "broker down") }
    }

    /// Creates a topic with `partitions` partitions (replication factor 1).
    package func createTopic(_ name: String, partitions: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, partitions, 1)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "create topic \(name)") }
    }
}
