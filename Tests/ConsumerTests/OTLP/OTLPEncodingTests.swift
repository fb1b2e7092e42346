import Consumer
import Testing

@Suite("OTLPEncoding and Base64")
struct OTLPEncodingTests {
    @Test(
        "auto detects JSON by the first non-whitespace byte",
        arguments: [
            ("{}", OTLPEncoding.json), ("  \n\t{\"a\":1}", .json), ("", .proto), ("   ", .proto), ("\u{0A}\u{02}", .proto), ("[]", .proto),
        ])
    func detection(text: String, expected: OTLPEncoding) {
        var text = text
        text.withUTF8 { bytes in
            #expect(OTLPEncoding.auto.resolved(for: UnsafeRawBufferPointer(bytes)) == expected)
            #expect(OTLPEncoding.proto.resolved(for: UnsafeRawBufferPointer(bytes)) == .proto)
            #expect(OTLPEncoding.json.resolved(for: UnsafeRawBufferPointer(bytes)) == .json)
        }
    }

    @Test("base64 round-trips and accepts URL-safe and unpadded input")
    func base64() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            var encoded: [UInt8] = []
            bytes.withUnsafeBytes { Base64.encode($0, into: &encoded) }
            var decoded: [UInt8] = []
            #expect(encoded.withUnsafeBytes { Base64.decode($0, into: &decoded) })
            #expect(decoded == bytes)
        }
        var out: [UInt8] = []
        #expect(Array("_-8".utf8).withUnsafeBytes { Base64.decode($0, into: &out) })
        #expect(out == [0xFF, 0xEF])
        out = []
        #expect(!Array("a$==".utf8).withUnsafeBytes { Base64.decode($0, into: &out) })
        #expect(!Array("a".utf8).withUnsafeBytes { Base64.decode($0, into: &out) })
        #expect([UInt8]([0xFB, 0xFF]).withUnsafeBytes { Base64.encode($0) } == "+/8=")
    }

    @Test("hex round-trips and rejects odd lengths and non-hex characters")
    func hex() {
        var out: [UInt8] = []
        #expect(Array("00ff10Ab".utf8).withUnsafeBytes { Base64.decodeHex($0, into: &out) })
        #expect(out == [0x00, 0xFF, 0x10, 0xAB])
        var text: [UInt8] = []
        out.withUnsafeBytes { Base64.encodeHex($0, into: &text) }
        #expect(String(decoding: text, as: UTF8.self) == "00ff10ab")
        #expect(!Array("abc".utf8).withUnsafeBytes { Base64.decodeHex($0, into: &out) })
        #expect(!Array("zz".utf8).withUnsafeBytes { Base64.decodeHex($0, into: &out) })
    }
}
