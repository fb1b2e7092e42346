import Store

/// Helpers that write JSON text into byte buffers (used by the OTLP/JSON writer and by value formatting).
package enum JSONText {

    /// Appends `bytes` as a quoted JSON string (``JSONString``, the one escaper).
    @inline(__always)
    package static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        JSONString.appendQuoted(bytes, to: &out)
    }

    /// Appends a string as a quoted JSON string.
    @inline(__always)
    package static func appendString(_ string: String, to out: inout [UInt8]) {
        JSONString.appendQuoted(string, to: &out)
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
