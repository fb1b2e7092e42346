import Consumer
import Testing

@Suite("ProtoWriter")
struct ProtoWriterTests {
    @Test("writes canonical scalars")
    func scalars() {
        var w = ProtoWriter()
        w.varint(1, 150)
        w.int64(2, -1)
        w.sint32(3, -2)
        w.bool(4, true)
        w.fixed64(5, 1)
        w.fixed32(6, 2)
        w.string(7, "hi")
        #expect(w.bytes == [0x08, 0x96, 0x01,
                            0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                            0x18, 0x03, 0x20, 0x01,
                            0x29, 1, 0, 0, 0, 0, 0, 0, 0,
                            0x35, 2, 0, 0, 0,
                            0x3A, 0x02, 0x68, 0x69])
    }

    @Test("back-patches nested message lengths, moving the body when the length needs more bytes", arguments: [0, 1, 127, 128, 300, 20_000])
    func nested(size: Int) throws {
        var w = ProtoWriter()
        w.message(1) { w in
            w.message(2) { w in w.bytes(3, [UInt8](repeating: 0xAB, count: size)) }
            w.varint(4, 9)
        }
        try w.bytes.withUnsafeBytes { (raw) throws(WireError) in
            var r = WireReader(raw)
            #expect(try r.nextField()! == (1, .lengthDelimited))
            var outer = try r.readLengthDelimited()
            #expect(r.isAtEnd)
            #expect(try outer.nextField()! == (2, .lengthDelimited))
            var inner = try outer.readLengthDelimited()
            #expect(try inner.nextField()! == (3, .lengthDelimited))
            let payload = try inner.readLengthDelimited()
            #expect(payload.remainingCount == size)
            #expect(payload.bytes.allSatisfy { $0 == 0xAB })
            #expect(try outer.nextField()! == (4, .varint))
            #expect(try outer.readVarint() == 9)
        }
    }

    @Test("writes packed repeated fields")
    func packed() {
        var w = ProtoWriter()
        w.packedDoubles(1, [1.0])
        w.packedFixed64(2, [])
        w.packedVarints(3, [1, 300])
        #expect(w.bytes == [0x0A, 0x08, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x1A, 0x03, 0x01, 0xAC, 0x02])
    }
}
