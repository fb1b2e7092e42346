import CRdKafka

/// An error reported by librdkafka or by census's use of it.
///
/// Keeps librdkafka's numeric error code (`rd_kafka_resp_err_t`) beside a readable reason.
package struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka's error code (negative values are client-side, positive ones come from the broker).
    package let code: Int32
    /// What failed, in words.
    package let reason: String

    package init(code: Int32, reason: String) {
        self.code = code
        self.reason = reason
    }

    init(_ err: rd_kafka_resp_err_t, _ context: String) {
        self.code = err.rawValue
        self.reason = "\(context): \(String(cString: rd_kafka_err2str(err)))"
    }

    /// A configuration property that librdkafka refused.
    package static func invalidConfiguration(_ reason: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, reason: reason)
    }

    package var description: String { reason }

    /// The broker refused a commit only because the group is rebalancing: it checked member id and generation first, so
    /// the committer is still a current member.
    package var confirmsMembership: Bool { code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue }
}
