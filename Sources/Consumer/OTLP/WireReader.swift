/// Reads protobuf wire format from borrowed bytes without copying or allocating per field.
///
/// A length-delimited field becomes a sub-reader over the same bytes (``readLengthDelimited()``), so strings and
/// nested messages stay as byte ranges until someone needs them. Every read is bounds-checked against the
/// reader's own end and throws ``WireError`` instead of trapping.
///
/// - Important: Borrows its bytes (typically a Kafka message payload): a reader and everything derived from it
///   must not escape the scope that owns the buffer.
package struct WireReader {
    /// Deepest nesting of messages (and `AnyValue`s) that readers descend into, like protobuf's default recursion limit.
    package static let maxDepth = 100

    /// The whole buffer the reader (and its parents and children) borrows.
    package let buffer: UnsafeRawBufferPointer
    /// Offset of the next unread byte in ``buffer``.
    package private(set) var index: Int
    /// Offset one past the reader's last byte in ``buffer``.
    package let end: Int

    /// A reader over all of `bytes`.
    @inline(__always)
    package init(_ bytes: UnsafeRawBufferPointer) {
        buffer = bytes
        index = 0
        end = bytes.count
    }

    @inline(__always)
    init(buffer: UnsafeRawBufferPointer, index: Int, end: Int) {
        self.buffer = buffer
        self.index = index
        self.end = end
    }

    /// Whether every byte has been read.
    @inline(__always)
    package var isAtEnd: Bool { index >= end }

    /// Unread bytes.
    @inline(__always)
    package var remainingCount: Int { end - index }

    /// The unread bytes (for hashing or decoding a string or bytes field read with ``readLengthDelimited()``).
    @inline(__always)
    package var bytes: UnsafeRawBufferPointer {
        guard let base = buffer.baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + index, count: end - index)
    }

    @inline(__always)
    private func byte(at offset: Int) -> UInt8 {
        buffer.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// Reads the next tag, or returns `nil` at the end of the message.
    /// - Throws: ``WireError/invalidWireType(_:)``, ``WireError/invalidFieldNumber``, ``WireError/unsupportedGroup``
    ///   or a varint error.
    @inline(__always)
    package mutating func nextField() throws(WireError) -> (number: UInt32, type: WireType)? {
        guard index < end else { return nil }
        let tag: UInt64
        let first = byte(at: index)
        if first < 0x80 {
            index &+= 1
            tag = UInt64(first)
        } else {
            tag = try readVarint()
        }
        let rawType = UInt8(truncatingIfNeeded: tag & 7)
        let number = tag >> 3
        guard number > 0, number <= 0x1FFF_FFFF else { throw .invalidFieldNumber }
        guard let type = WireType(rawValue: rawType) else { throw .invalidWireType(rawType) }
        if type == .startGroup || type == .endGroup { throw .unsupportedGroup }
        return (UInt32(truncatingIfNeeded: number), type)
    }

    /// Reads a base-128 varint (up to 10 bytes; bits beyond 64 are discarded, as protobuf does).
    @inline(__always)
    package mutating func readVarint() throws(WireError) -> UInt64 {
        guard index < end else { throw .truncated }
        let first = byte(at: index)
        if first < 0x80 {
            index &+= 1
            return UInt64(first)
        }
        return try readVarintSlow()
    }

    @inline(never)
    private mutating func readVarintSlow() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = index
        while true {
            guard position < end else { throw .truncated }
            let b = byte(at: position)
            position &+= 1
            result |= UInt64(b & 0x7F) &<< shift
            if b < 0x80 { break }
            shift &+= 7
            guard shift < 70 else { throw .varintTooLong }
        }
        index = position
        return result
    }

    /// Reads a little-endian 8-byte value (`fixed64`, `sfixed64`, `double`).
    @inline(__always)
    package mutating func readFixed64() throws(WireError) -> UInt64 {
        guard end &- index >= 8 else { throw .truncated }
        let value = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        index &+= 8
        return value
    }

    /// Reads a little-endian 4-byte value (`fixed32`, `sfixed32`, `float`).
    @inline(__always)
    package mutating func readFixed32() throws(WireError) -> UInt32 {
        guard end &- index >= 4 else { throw .truncated }
        let value = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        index &+= 4
        return value
    }

    /// Reads a length-delimited field (string, bytes, message or packed repeated scalars) as a sub-reader over
    /// the same bytes, and moves past it.
    @inline(__always)
    package mutating func readLengthDelimited() throws(WireError) -> WireReader {
        let length = try readVarint()
        guard length <= UInt64(end &- index) else { throw .truncated }
        let start = index
        index &+= Int(truncatingIfNeeded: length)
        return WireReader(buffer: buffer, index: start, end: index)
    }

    /// Skips the value of a field of the given wire type.
    @inline(__always)
    package mutating func skip(_ type: WireType) throws(WireError) {
        switch type {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end &- index >= 8 else { throw .truncated }
            index &+= 8
        case .fixed32:
            guard end &- index >= 4 else { throw .truncated }
            index &+= 4
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup: throw .unsupportedGroup
        }
    }

    /// Whether every unread byte is zero (an all-zero trace or span id means "absent").
    package var isAllZero: Bool {
        var position = index
        while position < end {
            if byte(at: position) != 0 { return false }
            position &+= 1
        }
        return true
    }

    /// Whether the unread bytes equal `other`'s bytes.
    @inline(__always)
    package func bytesEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        let count = end &- index
        guard count == other.count else { return false }
        guard count > 0, let a = buffer.baseAddress, let b = other.baseAddress else { return true }
        return memoryEqual(a + index, b, count)
    }
}

/// Compares `count` bytes (a `memcmp` that needs no Foundation or libc import).
@inline(__always)
package func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var i = 0
    while i &+ 8 <= count {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i &+= 8
    }
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i &+= 1
    }
    return true
}

/// Orders two byte strings lexicographically (unsigned bytes, shorter prefix first): `-1`, `0` or `1`.
package func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let count = min(a.count, b.count)
    var i = 0
    while i < count {
        let x = a[i], y = b[i]
        if x != y { return x < y ? -1 : 1 }
        i &+= 1
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
