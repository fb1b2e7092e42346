/// The one JSON string escaper: the API's JSON (`JSONWriter`), the OTLP/JSON transcoder (`JSONText`) and the JSON log
/// lines all quote strings through it.
///
/// Rules (RFC 8259; the short forms Go's `encoding/json` writes since Go 1.22): `"` `\` and the controls with a short
/// escape (`\b \f \n \r \t`) as such; every other byte below 0x20, and DEL (0x7F), as `\u00xx` (lowercase hex). Every
/// other byte is copied, so the output is valid UTF-8 exactly when the input is, and non-ASCII text stays readable.
package enum JSONString {
    /// Appends `bytes` (UTF-8) as a quoted JSON string.
    package static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                Hex.append(byte, to: &out)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `string` as a quoted JSON string.
    package static func appendQuoted(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// `string` as a quoted JSON string.
    package static func quoted(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 2)
        appendQuoted(string, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
