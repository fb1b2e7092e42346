/// Why protobuf wire-format bytes could not be read.
///
/// Small and `Equatable` so that typed throws stay cheap on the hot path; ``OTLPDecodeError`` turns it into a
/// reason text with the message path.
package enum WireError: Error, Sendable, Hashable {
    /// A varint, fixed-width value or length-delimited field runs past the end of its message.
    case truncated
    /// A varint is longer than 10 bytes.
    case varintTooLong
    /// A tag has wire type 6 or 7.
    case invalidWireType(UInt8)
    /// A tag has field number 0 (or one above 2^29 - 1).
    case invalidFieldNumber
    /// A tag uses the deprecated group wire types, which OTLP never uses.
    case unsupportedGroup
    /// A known field arrived with a wire type its declared type does not allow.
    case wrongWireType(field: UInt32, actual: WireType)
    /// A packed repeated fixed-width field's length is not a multiple of the element size.
    case invalidPackedLength(field: UInt32)
    /// Messages are nested more deeply than ``WireReader/maxDepth``.
    case nestingTooDeep

    /// A short English description, e.g. `truncated field`.
    package var reason: String {
        switch self {
        case .truncated: "truncated field"
        case .varintTooLong: "varint longer than 10 bytes"
        case .invalidWireType(let type): "invalid wire type \(type)"
        case .invalidFieldNumber: "invalid field number 0"
        case .unsupportedGroup: "unsupported group wire type"
        case .wrongWireType(let field, let actual): "field \(field) has unexpected wire type \(actual.name)"
        case .invalidPackedLength(let field): "packed field \(field) has a length that is not a multiple of its element size"
        case .nestingTooDeep: "messages nested more than \(WireReader.maxDepth) deep"
        }
    }
}
