import Store

/// Writes JSON text in exactly the order fields are written, with the number formatting of Go's `encoding/json`
/// (the reference implementation's encoder): integral doubles without a fraction (`100`), others in shortest form.
///
/// The V1 API promises field order and types identical to the reference, which a general-purpose encoder does
/// not guarantee; this writer makes the order part of the code.
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    package init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    /// Writes `"name":` inside an object.
    package mutating func key(_ name: String) {
        separate()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    package mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    package mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
        needsComma[needsComma.count - 1] = true
    }

    package mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    package mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
        needsComma[needsComma.count - 1] = true
    }

    package mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    package mutating func int<T: BinaryInteger>(_ value: T) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    package mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    package mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes a double as Go does: integral values below 1e21 without a fraction, others in shortest round-trip form.
    /// Non-finite values (which JSON cannot carry) are written as `null`.
    package mutating func double(_ value: Double) {
        separate()
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value == value.rounded(), abs(value) < 1e21 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    // Convenience for `"key": value` pairs.
    package mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    package mutating func field<T: BinaryInteger>(_ name: String, _ value: T) { key(name); int(value) }
    package mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }
    package mutating func field(_ name: String, _ value: Double) { key(name); double(value) }
    package mutating func field(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for value in strings { string(value) }
        endArray()
    }

    private mutating func writeString(_ value: String) {
        JSONString.appendQuoted(value, to: &bytes)
    }
}

/// A value that writes itself as JSON.
package protocol JSONWritable: Sendable {
    func write(to json: inout JSONWriter)
}

extension JSONWritable {
    /// The JSON text with a trailing newline, as Go's `json.Encoder` writes it.
    package var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        var bytes = writer.bytes
        bytes.append(0x0A)
        return bytes
    }
}
