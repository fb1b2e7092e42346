import Store

/// How census turns an attribute value into its stable hash and its sample text.
///
/// | kind | text | hash (``ValueHash``) |
/// |---|---|---|
/// | string | as is (invalid UTF-8 → U+FFFD) | raw bytes, tag `.string` |
/// | int | decimal, `-42` | 64-bit two's complement, tag `.int` |
/// | double | Swift's shortest round-trip `description`: `200.0`, `0.1`, `1e-09`, `inf`, `nan` | bit pattern (NaNs canonical), tag `.double` |
/// | bool | `true` / `false` | 1 / 0, tag `.bool` |
/// | bytes | standard padded base64 | raw bytes, tag `.bytes` |
/// | array, kvlist | canonical compact JSON (below) | its bytes, tag `.composite` |
/// | empty | `""` | no bytes, tag `.empty` |
///
/// Canonical JSON: no whitespace; arrays in order; key-value lists as objects with keys sorted by their UTF-8 bytes
/// (stable for duplicates); strings escaped minimally (`"`, `\`, control characters); ints as numbers; doubles as
/// above but `"NaN"`, `"Infinity"`, `"-Infinity"` as strings; bytes as base64 strings; empty values as `null`.
/// Every input is the protobuf form (OTLP/JSON is transcoded first), so both encodings give the same text and hash.
package enum ValueText {
    /// The stable hash of a value; composite values are rendered into `scratch`.
    @inline(__always)
    package static func hash(_ value: AnyValueView, scratch: inout [UInt8]) throws(WireError) -> UInt64 {
        switch value.kind {
        case .string: return ValueHash.hash(value.reader.bytes, tag: .string)
        case .bytes: return ValueHash.hash(value.reader.bytes, tag: .bytes)
        case .int: return ValueHash.hash(scalar: value.scalar, tag: .int)
        case .bool: return ValueHash.hash(scalar: value.scalar, tag: .bool)
        case .double: return ValueHash.hash(scalar: canonicalDoubleBits(value.scalar), tag: .double)
        case .empty: return ValueHash.hash(UnsafeRawBufferPointer(start: nil, count: 0), tag: .empty)
        case .array, .kvlist:
            scratch.removeAll(keepingCapacity: true)
            try appendJSON(value, to: &scratch, depth: 0)
            return scratch.withUnsafeBytes { ValueHash.hash($0, tag: .composite) }
        }
    }

    /// Calls `body` with the sample text's UTF-8 bytes, truncated to `maxScalars` Unicode scalars; strings are
    /// passed straight from the payload, other kinds rendered into `scratch`.
    @inline(__always)
    package static func withText<R>(_ value: AnyValueView, maxScalars: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R)
        throws(WireError) -> R
    {
        if value.kind == .string {
            let bytes = value.reader.bytes
            return body(UnsafeRawBufferPointer(rebasing: bytes[..<ScalarPrefix.length(bytes, maxScalars: maxScalars)]))
        }
        scratch.removeAll(keepingCapacity: true)
        try appendText(value, to: &scratch)
        return scratch.withUnsafeBytes { bytes in
            body(UnsafeRawBufferPointer(rebasing: bytes[..<ScalarPrefix.length(bytes, maxScalars: maxScalars)]))
        }
    }

    /// The sample text of a value (untruncated).
    package static func string(_ value: AnyValueView) throws(WireError) -> String {
        var scratch: [UInt8] = []
        return try withText(value, maxScalars: .max, scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `bytes` are well-formed UTF-8 (exactly when `String(decoding:as:)` keeps them unchanged); ASCII is
    /// checked eight bytes at a time.
    @inline(__always)
    package static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            while i &+ 8 <= count, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i &+= 8 }
            guard i < count else { return true }
            let lead = base.load(fromByteOffset: i, as: UInt8.self)
            if lead < 0x80 {
                i &+= 1
                continue
            }
            return isValidUTF8Tail(base, count, from: i)
        }
        return true
    }

    /// ``isValidUTF8(_:)`` from a non-ASCII byte at `start` on.
    @inline(never)
    static func isValidUTF8Tail(_ base: UnsafeRawPointer, _ count: Int, from start: Int) -> Bool {
        var i = start
        func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        while i < count {
            let lead = byte(i)
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard count - i >= length else { return false }
            let second = byte(i + 1)
            guard second >= low, second <= high else { return false }
            for k in 2..<max(2, length) where byte(i + k) & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }

    /// The bits of a double with every NaN mapped to the one canonical NaN (so NaN payloads are one value).
    @inline(__always)
    package static func canonicalDoubleBits(_ bits: UInt64) -> UInt64 {
        let value = Double(bitPattern: bits)
        return value.isNaN ? Double.nan.bitPattern : bits
    }

    /// Appends the sample text of a value.
    package static func appendText(_ value: AnyValueView, to out: inout [UInt8]) throws(WireError) {
        switch value.kind {
        case .string: out.append(contentsOf: value.reader.bytes)
        case .bytes: Base64.encode(value.reader.bytes, into: &out)
        case .int: out.append(contentsOf: String(Int64(bitPattern: value.scalar)).utf8)
        case .bool: out.append(contentsOf: (value.scalar != 0 ? "true" : "false").utf8)
        case .double:
            let double = Double(bitPattern: value.scalar)
            out.append(contentsOf: (double.isNaN ? "nan" : double.description).utf8)
        case .empty: break
        case .array, .kvlist: try appendJSON(value, to: &out, depth: 0)
        }
    }

    /// Appends the canonical JSON of a value.
    package static func appendJSON(_ value: AnyValueView, to out: inout [UInt8], depth: Int) throws(WireError) {
        guard depth < WireReader.maxDepth else { throw .nestingTooDeep }
        switch value.kind {
        case .string: JSONText.appendString(value.reader.bytes, to: &out)
        case .bytes:
            out.append(UInt8(ascii: "\""))
            Base64.encode(value.reader.bytes, into: &out)
            out.append(UInt8(ascii: "\""))
        case .int: out.append(contentsOf: String(Int64(bitPattern: value.scalar)).utf8)
        case .bool: out.append(contentsOf: (value.scalar != 0 ? "true" : "false").utf8)
        case .double: JSONText.appendDouble(Double(bitPattern: value.scalar), to: &out)
        case .empty: out.append(contentsOf: "null".utf8)
        case .array:
            out.append(UInt8(ascii: "["))
            var reader = value.reader
            var first = true
            while let field = try reader.nextField() {
                guard field.number == CommonFields.listValues, field.type == .lengthDelimited else {
                    try reader.skip(field.type)
                    continue
                }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                try appendJSON(AnyValueView(reader.readLengthDelimited()), to: &out, depth: depth &+ 1)
            }
            out.append(UInt8(ascii: "]"))
        case .kvlist:
            var entries: [(key: WireReader, value: AnyValueView)] = []
            var reader = value.reader
            while let field = try reader.nextField() {
                guard field.number == CommonFields.listValues, field.type == .lengthDelimited else {
                    try reader.skip(field.type)
                    continue
                }
                entries.append(try keyValue(reader.readLengthDelimited()))
            }
            // Stable sort by key bytes.
            let order = entries.indices.sorted { a, b in
                let c = compareBytes(entries[a].key.bytes, entries[b].key.bytes)
                return c != 0 ? c < 0 : a < b
            }
            out.append(UInt8(ascii: "{"))
            for (n, i) in order.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(entries[i].key.bytes, to: &out)
                out.append(UInt8(ascii: ":"))
                try appendJSON(entries[i].value, to: &out, depth: depth &+ 1)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Reads a `KeyValue` message: its key bytes and value (empty when absent); last occurrences win.
    @inline(__always)
    package static func keyValue(_ message: WireReader) throws(WireError) -> (key: WireReader, value: AnyValueView) {
        if let shape = KeyValueShape(message) {
            if shape.isShortString {
                var value = AnyValueView(emptyIn: message.buffer)
                value.kind = .string
                value.reader = shape.string
                return (shape.key, value)
            }
            if let value = try? AnyValueView(shape.value) { return (shape.key, value) }
        }
        return try readKeyValue(message)
    }

    @inline(never)
    private static func readKeyValue(_ message: WireReader) throws(WireError) -> (key: WireReader, value: AnyValueView) {
        var reader = message
        var key = WireReader(buffer: message.buffer, index: 0, end: 0)
        var value: WireReader?
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (CommonFields.KeyValue.key, .lengthDelimited): key = try reader.readLengthDelimited()
            case (CommonFields.KeyValue.value, .lengthDelimited): value = try reader.readLengthDelimited()
            default: try reader.skip(field.type)
            }
        }
        guard let value else { return (key, AnyValueView(emptyIn: message.buffer)) }
        return (key, try AnyValueView(value))
    }
}
