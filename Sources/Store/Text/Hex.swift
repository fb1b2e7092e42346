/// Hex digits, written once: SQL byte escapes, URL percent-encoding, JSON `\u00xx` escapes, trace and span ids,
/// heavy-hitter value hashes.
package enum Hex {
    private static let lower: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upper: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends the two hex digits of `byte` (lowercase unless `uppercase`).
    @inline(__always)
    package static func append(_ byte: UInt8, to out: inout [UInt8], uppercase: Bool = false) {
        let digits = uppercase ? upper : lower
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }

    /// Appends the lowercase hex of `bytes`.
    package static func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 2 * bytes.count)
        for byte in bytes { append(byte, to: &out) }
    }

    /// `value` as 8 lowercase hex digits, most significant first.
    package static func string(_ value: UInt32) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(8)
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift)), to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `bytes` as lowercase hex.
    package static func string(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
