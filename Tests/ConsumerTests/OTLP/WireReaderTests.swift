import Consumer
import Testing

@Suite("WireReader")
struct WireReaderTests {
    func read<T>(_ bytes: [UInt8], _ body: (inout WireReader) throws(WireError) -> T) throws(WireError) -> T {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) -> T in
                var reader = WireReader(raw)
                return try body(&reader)
            }
        }
        return try result.get()
    }

    @Test(
        "reads varints of every length",
        arguments: [
            ([0x00], 0), ([0x7F], 127), ([0x80, 0x01], 128), ([0xAC, 0x02], 300),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], UInt64(UInt32.max)),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], UInt64.max),
        ] as [([UInt8], UInt64)])
    func varints(bytes: [UInt8], value: UInt64) throws {
        #expect(try read(bytes) { (r) throws(WireError) in try r.readVarint() } == value)
    }

    @Test("rejects varints longer than 10 bytes and truncated ones")
    func badVarints() {
        #expect(throws: WireError.varintTooLong) {
            try read([UInt8](repeating: 0xFF, count: 11) + [0x01]) { (r) throws(WireError) in try r.readVarint() }
        }
        #expect(throws: WireError.truncated) { try read([0x80, 0x80]) { (r) throws(WireError) in try r.readVarint() } }
        #expect(throws: WireError.truncated) { try read([]) { (r) throws(WireError) in try r.readVarint() } }
    }

    @Test("reads tags, fixed-width values and length-delimited sub-readers without copying")
    func fields() throws {
        // field 1 varint 150, field 2 "hi", field 3 fixed64, field 4 fixed32
        let bytes: [UInt8] = [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x25, 2, 0, 0, 0]
        try read(bytes) { (r) throws(WireError) in
            #expect(try r.nextField()! == (1, .varint))
            #expect(try r.readVarint() == 150)
            #expect(try r.nextField()! == (2, .lengthDelimited))
            let sub = try r.readLengthDelimited()
            #expect(Array(sub.bytes) == Array("hi".utf8))
            #expect(sub.bytes.baseAddress == r.buffer.baseAddress! + 5)
            #expect(try r.nextField()! == (3, .fixed64))
            #expect(try r.readFixed64() == 1)
            #expect(try r.nextField()! == (4, .fixed32))
            #expect(try r.readFixed32() == 2)
            #expect(try r.nextField() == nil)
            #expect(r.isAtEnd)
        }
    }

    @Test("skips every wire type")
    func skips() throws {
        let bytes: [UInt8] = [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x25, 2, 0, 0, 0, 0x28, 7]
        let last = try read(bytes) { (r) throws(WireError) -> UInt64 in
            for _ in 0..<4 {
                let field = try r.nextField()!
                try r.skip(field.type)
            }
            _ = try r.nextField()
            return try r.readVarint()
        }
        #expect(last == 7)
    }

    @Test("rejects bad tags")
    func badTags() {
        #expect(throws: WireError.invalidFieldNumber) { try read([0x00]) { (r) throws(WireError) in try r.nextField() } }
        #expect(throws: WireError.invalidWireType(6)) { try read([0x0E]) { (r) throws(WireError) in try r.nextField() } }
        #expect(throws: WireError.invalidWireType(7)) { try read([0x0F]) { (r) throws(WireError) in try r.nextField() } }
        #expect(throws: WireError.unsupportedGroup) { try read([0x0B]) { (r) throws(WireError) in try r.nextField() } }
        #expect(throws: WireError.unsupportedGroup) { try read([0x0C]) { (r) throws(WireError) in try r.nextField() } }
    }

    @Test("bounds-checks lengths and fixed-width values")
    func truncation() {
        #expect(throws: WireError.truncated) {
            try read([0x12, 0x05, 0x68]) { (r) throws(WireError) in
                _ = try r.nextField(); return try r.readLengthDelimited().remainingCount
            }
        }
        #expect(throws: WireError.truncated) {
            try read([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) { (r) throws(WireError) in
                _ = try r.nextField(); return try r.readLengthDelimited().remainingCount
            }
        }
        #expect(throws: WireError.truncated) { try read([1, 2, 3]) { (r) throws(WireError) in try r.readFixed64() } }
        #expect(throws: WireError.truncated) { try read([1, 2, 3]) { (r) throws(WireError) in try r.readFixed32() } }
    }

    @Test("a sub-reader cannot read past its own end")
    func subReaderBounds() throws {
        // field 1 = [0x08, 0x96] (a varint cut in the middle by the sub-message length), then 0x01
        #expect(throws: WireError.truncated) {
            try read([0x0A, 0x02, 0x08, 0x96, 0x01]) { (r) throws(WireError) in
                _ = try r.nextField()
                var sub = try r.readLengthDelimited()
                _ = try sub.nextField()
                return try sub.readVarint()
            }
        }
    }

    @Test("all-zero and byte-equality checks")
    func helpers() throws {
        try read([0, 0, 0]) { (r) throws(WireError) in #expect(r.isAllZero) }
        try read([0, 1, 0]) { (r) throws(WireError) in #expect(!r.isAllZero) }
        try read([]) { (r) throws(WireError) in #expect(r.isAllZero) }
        let other: [UInt8] = [1, 2, 3]
        try read([1, 2, 3]) { (r) throws(WireError) in other.withUnsafeBytes { #expect(r.bytesEqual($0)) } }
        try read([1, 2, 4]) { (r) throws(WireError) in other.withUnsafeBytes { #expect(!r.bytesEqual($0)) } }
    }
}
