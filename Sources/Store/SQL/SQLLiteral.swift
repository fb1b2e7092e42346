/// The one audited way values enter SQL text.
///
/// ClickHouse 18.16 has no query parameters (`param_…`), so every value census puts into a statement is rendered here:
/// - strings become single-quoted literals in which `\` and `'` are backslash-escaped and every control byte
///   (0x00–0x1F, 0x7F) becomes `\xNN`; the result is always valid UTF-8 with no raw control characters;
/// - byte strings that are not valid UTF-8 have every non-ASCII byte written as `\xNN`, so the SQL text stays ASCII
///   and the server still stores the exact bytes;
/// - identifiers (database names) are allow-listed, never quoted or escaped;
/// - numbers are rendered from their values (no locale, no exponent surprises).
package enum SQLLiteral {

    /// A single-quoted ClickHouse string literal whose value is exactly `value`'s UTF-8 bytes.
    package static func string(_ value: String) -> String {
        var copy = value
        return copy.withUTF8 { render(UnsafeRawBufferPointer($0), escapeNonASCII: false) }
    }

    /// A single-quoted ClickHouse string literal whose value is exactly `bytes` (any bytes, including NUL and invalid UTF-8).
    package static func string(bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        let isValidUTF8 = String(validating: array, as: UTF8.self) != nil
        return array.withUnsafeBytes { render($0, escapeNonASCII: !isValidUTF8) }
    }

    /// `['a', 'b']`: an `Array(String)` literal.
    package static func stringArray(_ values: some Sequence<String>) -> String {
        "[" + values.map(string).joined(separator: ", ") + "]"
    }

    /// `('a', 'b')`: the right-hand side of `x IN …`.
    ///
    /// - Precondition: `values` is not empty (`x IN ()` is not valid SQL); callers skip the query instead.
    package static func stringList(_ values: some Collection<String>) -> String {
        precondition(!values.isEmpty, "an IN list needs at least one value")
        return "(" + values.map(string).joined(separator: ", ") + ")"
    }

    /// A decimal integer literal.
    package static func integer(_ value: some BinaryInteger) -> String {
        String(value)
    }

    /// A `Float64` literal: the shortest round-tripping decimal, or `inf` / `-inf` / `nan`.
    package static func float(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return "\(value)"
    }

    /// Whether `name` is a plain identifier: `[A-Za-z_][A-Za-z0-9_]*`, at most 128 bytes.
    package static func isValidIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        guard isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// `name` unchanged if it is a plain identifier (see ``isValidIdentifier(_:)``).
    ///
    /// - Throws: ``StoreError/Kind/invalidIdentifier`` otherwise; the identifier is never escaped instead.
    package static func identifier(_ name: String) throws(StoreError) -> String {
        guard isValidIdentifier(name) else {
            throw StoreError(.invalidIdentifier, "not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*): \(string(name))")
        }
        return name
    }

    private static func render(_ bytes: UnsafeRawBufferPointer, escapeNonASCII: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 2)
        output.append(UInt8(ascii: "'"))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "'"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0x00...0x1F, 0x7F:
                appendHexEscape(byte, to: &output)
            case 0x80...0xFF where escapeNonASCII:
                appendHexEscape(byte, to: &output)
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "'"))
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendHexEscape(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "x"))
        Hex.append(byte, to: &output)
    }
}
