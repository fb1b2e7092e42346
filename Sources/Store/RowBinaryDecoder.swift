/// Reads ClickHouse `RowBinary` output (the format every census SELECT asks for), column by column.
///
/// Every read checks bounds and throws ``StoreError/Kind/malformedResponse`` instead of trapping.
package struct RowBinaryDecoder: Sendable {
    private let bytes: [UInt8]
    private var index = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte has been read (no more rows).
    package var isAtEnd: Bool { index >= bytes.count }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(StoreError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - index >= size else { throw Self.truncated }
        // RowBinary is little-endian; one unaligned load instead of a bounds-checked read per byte.
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: T.self) }
        index += size
        return T(littleEndian: value)
    }

    package mutating func uint8() throws(StoreError) -> UInt8 { try fixed(UInt8.self) }
    package mutating func uint16() throws(StoreError) -> UInt16 { try fixed(UInt16.self) }
    package mutating func uint32() throws(StoreError) -> UInt32 { try fixed(UInt32.self) }
    package mutating func uint64() throws(StoreError) -> UInt64 { try fixed(UInt64.self) }
    package mutating func int32() throws(StoreError) -> Int32 { try fixed(Int32.self) }
    package mutating func int64() throws(StoreError) -> Int64 { try fixed(Int64.self) }
    package mutating func float64() throws(StoreError) -> Double { Double(bitPattern: try fixed(UInt64.self)) }

    /// An unsigned LEB128 length (at most `Int32.max`, more than any census response holds).
    package mutating func varint() throws(StoreError) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.count else { throw Self.truncated }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift < 64 else { throw StoreError(.malformedResponse, "RowBinary length varint too long") }
        }
        guard result <= UInt64(Int32.max) else { throw StoreError(.malformedResponse, "RowBinary length \(result) too large") }
        return Int(result)
    }

    /// Where a `String` column's bytes are in the bytes being read: read in place, without making a `String`.
    package mutating func stringRange() throws(StoreError) -> Range<Int> {
        let length = try varint()
        guard bytes.count - index >= length else { throw Self.truncated }
        defer { index += length }
        return index..<(index + length)
    }

    /// A `String` column's raw bytes.
    package mutating func bytesValue() throws(StoreError) -> ArraySlice<UInt8> {
        let length = try varint()
        guard bytes.count - index >= length else { throw Self.truncated }
        defer { index += length }
        return bytes[index..<(index + length)]
    }

    /// A `String` column (invalid UTF-8 is repaired with U+FFFD).
    package mutating func string() throws(StoreError) -> String {
        String(decoding: try bytesValue(), as: UTF8.self)
    }

    /// An `Array(T)` column, reading each element with `element`.
    package mutating func array<T>(_ element: (inout RowBinaryDecoder) throws(StoreError) -> T) throws(StoreError) -> [T] {
        let count = try varint()
        guard count <= bytes.count - index else { throw Self.truncated }  // every element takes at least one byte
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try element(&self)) }
        return values
    }

    package mutating func stringArray() throws(StoreError) -> [String] {
        try array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.string() }
    }
    package mutating func float64Array() throws(StoreError) -> [Double] {
        try array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.float64() }
    }
    package mutating func int32Array() throws(StoreError) -> [Int32] {
        try array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.int32() }
    }
    package mutating func uint8Array() throws(StoreError) -> [UInt8] {
        try array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.uint8() }
    }
    package mutating func uint32Array() throws(StoreError) -> [UInt32] {
        try array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.uint32() }
    }
    package mutating func uint64Array() throws(StoreError) -> [UInt64] {
        try array { (decoder: inout RowBinaryDecoder) throws(StoreError) in try decoder.uint64() }
    }

    /// An `Array(UInt64)` column into `values` (emptied first, its storage reused): no allocation per row.
    package mutating func uint64Array(into values: inout [UInt64]) throws(StoreError) {
        let count = try varint()
        guard count <= (bytes.count - index) / 8 else { throw Self.truncated }
        values.removeAll(keepingCapacity: true)
        for _ in 0..<count { values.append(try uint64()) }
    }

    private static let truncated = StoreError(.malformedResponse, "RowBinary response ended early")
}
