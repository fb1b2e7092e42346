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
    /// Why the record is refused.
    package var kind: Kind

    /// Why a record is refused.
    package enum Kind: Sendable, Hashable {
        /// It is not a well-formed OTLP request.
        case malformed
        /// It is well-formed but would add more rows to a window than one record may
        /// (``WindowLimits/maxRecordRows``).
        case tooManyRows
    }

    package init(encoding: OTLPEncoding, reason: String, offset: Int, kind: Kind = .malformed) {
        self.encoding = encoding
        self.reason = reason
        self.offset = offset
        self.kind = kind
    }

    package var description: String {
        kind == .tooManyRows ? reason : "\(encoding == .json ? "json" : "protobuf"): \(reason) at byte \(offset)"
    }

    /// The reason stored with the quarantined record.
    package var quarantineReason: String {
        kind == .tooManyRows ? reason : "invalid OTLP: \(description)"
    }
}
