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
        #expect(
            w.bytes == [
                0x08, 0x96, 0x01,
                0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                0x18, 0x03, 0x20, 0x01,
                0x29, 1, 0, 0, 0, 0, 0, 0, 0,
                0x35, 2, 0, 0, 0,
                0x3A, 0x02, 0x68, 0x69,
            ])
    }

    @Test("back-patches nested message lengths, moving the body when the length needs more bytes", arguments: [0, 1, 127, 128, 300, 20_000])
    func nested(size: Int) throws {
        var w = ProtoWriter()
        w.message(1) { w in
            w.message(2) { w in w.bytes(3, [UInt8](repeating: 0xAB, count: size)) }
            w.varint(4, 9)
        }
        let bytes = w.bytes
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) -> (Int, Bool, UInt64, Bool) in
                var r = WireReader(raw)
                _ = try r.nextField()
                var outer = try r.readLengthDelimited()
                let outerConsumedAll = r.isAtEnd
                _ = try outer.nextField()
                var inner = try outer.readLengthDelimited()
                _ = try inner.nextField()
                let payload = try inner.readLengthDelimited()
                guard payload.bytes.allSatisfy({ $0 == 0xAB }) else { return (-1, false, 0, false) }
                _ = try outer.nextField()
                return (payload.remainingCount, outerConsumedAll, try outer.readVarint(), outer.isAtEnd)
            }
        }
        let (count, consumed, trailing, outerDone) = try result.get()
        #expect(count == size)
        #expect(consumed)
        #expect(trailing == 9)
        #expect(outerDone)
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
