/// The protobuf wire types (the low three bits of a field tag).
///
/// Groups (3 and 4) are deprecated and never used by OTLP; ``WireReader`` rejects them.
package enum WireType: UInt8, Sendable, Hashable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    /// The name used in error messages (`varint`, `fixed64`, `length-delimited`, …).
    package var name: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .lengthDelimited: "length-delimited"
        case .startGroup: "start-group"
        case .endGroup: "end-group"
        case .fixed32: "fixed32"
        }
    }
}
