/// How the payload of a Kafka record is encoded (the Collector's Kafka exporter `encoding` setting).
package enum OTLPEncoding: String, Sendable, Hashable, CaseIterable {
    /// Detect per record: a first non-whitespace byte `{` means OTLP/JSON, anything else protobuf.
    case auto
    /// `otlp_proto`: a binary `Export*ServiceRequest`.
    case proto
    /// `otlp_json`: an OTLP/JSON `Export*ServiceRequest` object.
    case json

    /// The encoding of `payload` (``proto`` or ``json``); explicit encodings are returned unchanged.
    @inline(__always)
    package func resolved(for payload: UnsafeRawBufferPointer) -> OTLPEncoding {
        guard self == .auto else { return self }
        for byte in payload {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "{"): return .json
            default: return .proto
            }
        }
        return .proto
    }
}
