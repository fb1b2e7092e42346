import Foundation
import Testing
@testable import Store

@Suite("JSONString and Hex: the one escaper and the one hex table")
struct JSONStringTests {
    @Test("the short escapes, \\u00xx for other controls and DEL, everything else copied")
    func forms() {
        #expect(JSONString.quoted("a\"b\\c") == #""a\"b\\c""#)
        #expect(JSONString.quoted("\u{08}\u{0C}\n\r\t") == #""\b\f\n\r\t""#)
        #expect(JSONString.quoted("\u{00}\u{01}\u{1F}\u{7F}") == #""\u0000\u0001\u001f\u007f""#)
        #expect(JSONString.quoted("é 日本 🙂 </script>") == "\"é 日本 🙂 </script>\"")
        #expect(JSONString.quoted("") == "\"\"")
    }

    @Test("every ASCII byte, and text with every one of them, decodes back to itself")
    func roundTrip() throws {
        var all = ""
        for value in 0..<0x80 {
            let text = "x" + String(UnicodeScalar(UInt8(value))) + "y"
            all += text
            let decoded = try JSONSerialization.jsonObject(with: Data(JSONString.quoted(text).utf8), options: .fragmentsAllowed) as? String
            #expect(decoded == text, "byte \(value)")
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(JSONString.quoted(all).utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == all)
    }

    @Test("invalid UTF-8 is copied byte for byte (callers validate), never dropped")
    func bytesCopied() {
        var out: [UInt8] = []
        let bytes: [UInt8] = [0x61, 0xFF, 0x62]
        bytes.withUnsafeBytes { JSONString.appendQuoted($0, to: &out) }
        #expect(out == [0x22, 0x61, 0xFF, 0x62, 0x22])
    }

    @Test("hex: bytes lowercase or uppercase, a UInt32 as 8 digits")
    func hex() {
        #expect(Hex.string([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        var out: [UInt8] = []
        Hex.append(0xAB, to: &out, uppercase: true)
        #expect(out == Array("AB".utf8))
        #expect(Hex.string(UInt32(0x0123_ABCD)) == "0123abcd")
        #expect(Hex.string(UInt32(0)) == "00000000")
    }
}
