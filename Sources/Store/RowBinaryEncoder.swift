import NIOCore

/// Writes values in ClickHouse's `RowBinary` format (little-endian fixed-width numbers, LEB128 lengths).
///
/// `Date` is a `UInt16` of days, `DateTime` a `UInt32` of seconds, `String` a length-prefixed byte string and
/// `Array(T)` a length-prefixed sequence of `T`.
package struct RowBinaryEncoder: Sendable {
    private var bytes: [UInt8] = []

    /// - Parameter capacity: Initial capacity in bytes.
    package init(capacity: Int = 64 * 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// The bytes written so far.
    package var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    /// How many bytes have been written.
    package var count: Int { bytes.count }

    @inline(__always)
    private mutating func fixed<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { bytes.append(contentsOf: $0) }
    }

    package mutating func uint8(_ value: UInt8) { bytes.append(value) }
    package mutating func uint16(_ value: UInt16) { fixed(value) }
    package mutating func uint32(_ value: UInt32) { fixed(value) }
    package mutating func uint64(_ value: UInt64) { fixed(value) }
    package mutating func int32(_ value: Int32) { fixed(value) }
    package mutating func int64(_ value: Int64) { fixed(value) }
    package mutating func float64(_ value: Double) { fixed(value.bitPattern) }

    /// An unsigned LEB128 length.
    package mutating func varint(_ value: Int) {
        precondition(value >= 0, "RowBinary lengths are non-negative")
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A `String` (its UTF-8 bytes).
    package mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// A `String` from raw bytes (which need not be UTF-8).
    package mutating func bytes(_ value: [UInt8]) {
        varint(value.count)
        bytes.append(contentsOf: value)
    }

    package mutating func uint32Array(_ values: [UInt32]) {
        varint(values.count)
        for value in values { uint32(value) }
    }

    package mutating func uint64Array(_ values: [UInt64]) {
        varint(values.count)
        #if _endian(little)
            values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
            for value in values { uint64(value) }
        #endif
    }

    package mutating func stringArray(_ values: [String]) {
        varint(values.count)
        for value in values { string(value) }
    }

    package mutating func float64Array(_ values: [Double]) {
        varint(values.count)
        for value in values { float64(value) }
    }

    package mutating func int32Array(_ values: [Int32]) {
        varint(values.count)
        for value in values { int32(value) }
    }
}
