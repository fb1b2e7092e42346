/// Why a Kafka record could not be decoded as an OTLP export request; the record is skipped as a whole.
///
/// ``reason`` is a single line suitable for logs, e.g.
/// `protobuf: truncated field at byte 1834 (in ResourceMetrics.scope_metrics > ScopeMetrics.metrics > Metric.sum)`
/// or `json: expected ',' or '}' at byte 97`.
package struct OTLPDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The encoding the payload was read as (never ``OTLPEncoding/auto``).
    package var encoding: OTLPEncoding
    /// What went wrong, where.
    package var reason: String
    /// Byte offset in the payload where reading failed.
    package var offset: Int

    package init(encoding: OTLPEncoding, reason: String, offset: Int) {
        self.encoding = encoding
        self.reason = reason
        self.offset = offset
    }

    package var description: String {
        "\(encoding == .json ? "json" : "protobuf"): \(reason) at byte \(offset)"
    }
}
