/// Helpers that write JSON text into byte buffers (used by the OTLP/JSON writer and by value formatting).
package enum JSONText {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` as a quoted JSON string: `"` and `\` and control characters escaped, everything else
    /// copied (so the result is valid UTF-8 exactly when `bytes` is).
    package static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in bytes {
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a string as a quoted JSON string.
    package static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Appends the UTF-8 of `string` unquoted.
    @inline(__always)
    package static func appendRaw(_ string: String, to out: inout [UInt8]) {
        out.append(contentsOf: string.utf8)
    }

    /// Appends a double as a JSON number (Swift's shortest round-trip `description`); non-finite values
    /// become the strings `"NaN"`, `"Infinity"` and `"-Infinity"` as in proto3 JSON.
    package static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN {
            appendRaw("\"NaN\"", to: &out)
        } else if value.isInfinite {
            appendRaw(value < 0 ? "\"-Infinity\"" : "\"Infinity\"", to: &out)
        } else {
            appendRaw(value.description, to: &out)
        }
    }
}
