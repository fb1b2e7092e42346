/// A minimal protobuf encoder: tags, varints, fixed-width values, length-delimited fields and nested messages.
///
/// Used by the OTLP/JSON reader (which transcodes JSON to protobuf), the demo generator and tests. It writes the
/// canonical encoding: minimal varints, and nested message lengths back-patched after the body is written.
///
/// ```swift
/// var w = ProtoWriter()
/// w.message(1) { w in w.string(1, "checkout") }
/// ```
package struct ProtoWriter: Sendable {
    /// The encoded bytes so far.
    package private(set) var bytes: [UInt8]

    /// A position returned by ``beginMessage(_:)`` to hand to ``endMessage(_:)``.
    package struct MessageMark: Sendable {
        fileprivate let lengthOffset: Int
    }

    /// Creates an empty writer with room for `capacity` bytes.
    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Removes everything written, keeping the capacity.
    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends a varint with no tag.
    @inline(__always)
    package mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends a tag.
    @inline(__always)
    package mutating func writeTag(_ field: UInt32, _ type: WireType) {
        writeVarint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// Appends raw bytes with no tag.
    package mutating func writeRaw(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// A varint field (`uint32`, `uint64`, `int64`, `bool`, enum; negative `int32`/`int64` values pass their bit pattern).
    package mutating func varint(_ field: UInt32, _ value: UInt64) {
        writeTag(field, .varint)
        writeVarint(value)
    }

    /// An `int64` or `int32` field (negative values take 10 bytes, as protobuf specifies).
    package mutating func int64(_ field: UInt32, _ value: Int64) {
        varint(field, UInt64(bitPattern: value))
    }

    /// A `sint32` field (zigzag).
    package mutating func sint32(_ field: UInt32, _ value: Int32) {
        varint(field, UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// A `bool` field.
    package mutating func bool(_ field: UInt32, _ value: Bool) {
        varint(field, value ? 1 : 0)
    }

    /// A `fixed64` or `sfixed64` field.
    package mutating func fixed64(_ field: UInt32, _ value: UInt64) {
        writeTag(field, .fixed64)
        writeFixed64(value)
    }

    /// A `double` field.
    package mutating func double(_ field: UInt32, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    /// A `fixed32` field.
    package mutating func fixed32(_ field: UInt32, _ value: UInt32) {
        writeTag(field, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends 8 little-endian bytes with no tag.
    package mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `string` field.
    package mutating func string(_ field: UInt32, _ value: String) {
        var value = value
        value.withUTF8 { self.bytes(field, UnsafeRawBufferPointer($0)) }
    }

    /// A `bytes` (or `string`) field from raw bytes.
    package mutating func bytes(_ field: UInt32, _ value: UnsafeRawBufferPointer) {
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `bytes` field from an array.
    package mutating func bytes(_ field: UInt32, _ value: [UInt8]) {
        value.withUnsafeBytes { self.bytes(field, $0) }
    }

    /// A packed repeated `double` field (nothing is written for an empty array).
    package mutating func packedDoubles(_ field: UInt32, _ values: [Double]) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 8))
        for value in values { writeFixed64(value.bitPattern) }
    }

    /// A packed repeated `fixed64` field (nothing is written for an empty array).
    package mutating func packedFixed64(_ field: UInt32, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 8))
        for value in values { writeFixed64(value) }
    }

    /// A packed repeated varint field (nothing is written for an empty array).
    package mutating func packedVarints(_ field: UInt32, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        let mark = beginMessage(field)
        for value in values { writeVarint(value) }
        endMessage(mark)
    }

    /// Starts a nested message (or any length-delimited field written piecewise); close it with ``endMessage(_:)``.
    package mutating func beginMessage(_ field: UInt32) -> MessageMark {
        writeTag(field, .lengthDelimited)
        bytes.append(0)
        return MessageMark(lengthOffset: bytes.count - 1)
    }

    /// Closes a nested message: writes its length in front of its body (moving the body when the length needs
    /// more than one byte).
    package mutating func endMessage(_ mark: MessageMark) {
        let bodyStart = mark.lengthOffset + 1
        let length = bytes.count - bodyStart
        if length < 0x80 {
            bytes[mark.lengthOffset] = UInt8(length)
            return
        }
        var lengthBytes: [UInt8] = []
        var v = UInt64(length)
        while v >= 0x80 {
            lengthBytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        lengthBytes.append(UInt8(truncatingIfNeeded: v))
        bytes.replaceSubrange(mark.lengthOffset..<bodyStart, with: lengthBytes)
    }

    /// Writes a nested message whose body `body` writes.
    package mutating func message<E: Error>(_ field: UInt32, _ body: (inout ProtoWriter) throws(E) -> Void) throws(E) {
        let mark = beginMessage(field)
        try body(&self)
        endMessage(mark)
    }
}
