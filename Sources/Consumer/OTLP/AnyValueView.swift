/// A decoded `opentelemetry.proto.common.v1.AnyValue`: its kind, its scalar, or the bytes of its string, bytes,
/// array or key-value list; nothing is copied.
///
/// As in protobuf's oneof semantics, the last value field present wins; an AnyValue with none is ``Kind/empty``.
/// - Important: Borrows the payload, like ``WireReader``.
package struct AnyValueView {
    /// The value kinds of OTLP `AnyValue`.
    package enum Kind: UInt8, Sendable {
        case empty, string, bool, int, double, bytes, array, kvlist
    }

    /// Which value field was set (the last one on the wire).
    package var kind: Kind
    /// `bool` (0 or 1), `int` (two's complement) or `double` (bit pattern).
    package var scalar: UInt64
    /// The bytes of a `string` or `bytes` value, or the body of an `ArrayValue` or `KeyValueList`.
    package var reader: WireReader

    /// The empty value.
    package init(emptyIn buffer: UnsafeRawBufferPointer) {
        kind = .empty
        scalar = 0
        reader = WireReader(buffer: buffer, index: 0, end: 0)
    }

    /// Decodes the AnyValue message in `message`.
    @inline(__always)
    package init(_ message: WireReader) throws(WireError) {
        var r = message
        self.init(emptyIn: r.buffer)
        while let field = try r.nextField() {
            switch (field.number, field.type) {
            case (CommonFields.AnyValue.stringValue, .lengthDelimited):
                kind = .string
                reader = try r.readLengthDelimited()
            case (CommonFields.AnyValue.boolValue, .varint):
                kind = .bool
                scalar = try r.readVarint() != 0 ? 1 : 0
            case (CommonFields.AnyValue.intValue, .varint):
                kind = .int
                scalar = try r.readVarint()
            case (CommonFields.AnyValue.doubleValue, .fixed64):
                kind = .double
                scalar = try r.readFixed64()
            case (CommonFields.AnyValue.arrayValue, .lengthDelimited):
                kind = .array
                reader = try r.readLengthDelimited()
            case (CommonFields.AnyValue.kvlistValue, .lengthDelimited):
                kind = .kvlist
                reader = try r.readLengthDelimited()
            case (CommonFields.AnyValue.bytesValue, .lengthDelimited):
                kind = .bytes
                reader = try r.readLengthDelimited()
            default:
                try r.skip(field.type)
            }
        }
    }

    /// Whether this is a non-empty string value.
    @inline(__always)
    package var isNonEmptyString: Bool { kind == .string && !reader.isAtEnd }
}
