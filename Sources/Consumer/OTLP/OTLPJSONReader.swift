/// Reads an OTLP/JSON export request (the Collector's `otlp_json` Kafka encoding) by transcoding it to the
/// equivalent protobuf bytes, which then take the same analysis path as `otlp_proto` records.
///
/// Follows the OTLP/JSON rules: lowerCamelCase field names (the original snake_case names are accepted too),
/// unknown fields ignored, `null` meaning absent, trace and span ids as hex (base64 of 8 or 16 bytes accepted too),
/// enums as integers (enum names accepted too), 64-bit integers as strings or numbers, `bytesValue` as base64
/// and doubles as numbers or `"NaN"`/`"Infinity"`/`"-Infinity"`. Because the transcoded protobuf is what gets
/// hashed and formatted, a request yields identical metadata whichever encoding carried it.
///
/// The parser is a hand-written recursive descent over the borrowed bytes, with nesting limited to
/// ``WireReader/maxDepth``.
package struct OTLPJSONReader {
    private let input: UnsafeRawBufferPointer
    private var index = 0
    /// Decoded bytes of the last string read.
    private var text: [UInt8] = []
    /// Scratch for base64 and hex decoding.
    private var decoded: [UInt8] = []

    private struct Failure: Error {
        var reason: String
        var offset: Int
    }

    private init(_ input: UnsafeRawBufferPointer) {
        self.input = input
    }

    /// Transcodes the JSON request in `json` to protobuf, appending to `writer`.
    ///
    /// An empty or all-whitespace payload is an empty request (nothing is written).
    /// - Throws: ``OTLPDecodeError`` with a reason and byte offset on a syntax error, a wrong JSON type for a
    ///   field, an out-of-range number or trailing characters.
    package static func transcode(_ json: UnsafeRawBufferPointer, as message: OTLPMessage, into writer: inout ProtoWriter) throws(OTLPDecodeError) {
        // JSON text is UTF-8 (RFC 8259); a record that is not is malformed (and is quarantined), not repaired.
        if let invalidAt = firstInvalidUTF8(json) {
            throw OTLPDecodeError(encoding: .json, reason: "invalid UTF-8", offset: invalidAt)
        }
        var reader = OTLPJSONReader(json)
        do throws(Failure) {
            reader.skipWhitespace()
            guard reader.index < json.count else { return }
            try reader.parseMessage(message, depth: 0, into: &writer)
            reader.skipWhitespace()
            guard reader.index == json.count else { throw reader.fail("unexpected characters after the request object") }
        } catch {
            throw OTLPDecodeError(encoding: .json, reason: error.reason, offset: error.offset)
        }
    }

    /// The offset of the first byte that is not part of a valid UTF-8 sequence, or `nil` when all of `bytes` is UTF-8.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = bytes.count
        // ASCII fast path, eight bytes at a time.
        while index + 8 <= count, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { index += 8 }
        guard index < count else { return nil }
        var iterator = UnsafeRawBufferPointer(rebasing: bytes[index...]).makeIterator()
        var decoder = UTF8()
        var position = index
        while true {
            let before = position
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): position += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return before
            }
        }
    }

    // MARK: - Structure

    private func fail(_ reason: String) -> Failure {
        Failure(reason: reason, offset: index)
    }

    @inline(__always)
    private func peek() -> UInt8? {
        index < input.count ? input[index] : nil
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        skipWhitespace()
        guard peek() == byte else { throw fail(peek() == nil ? "unexpected end of input, expected \(what)" : "expected \(what)") }
        index += 1
    }

    /// Consumes `null` if it is next.
    private mutating func consumeNull() -> Bool {
        skipWhitespace()
        guard input.count - index >= 4, input[index] == UInt8(ascii: "n"), input[index + 1] == UInt8(ascii: "u"),
            input[index + 2] == UInt8(ascii: "l"), input[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    private mutating func parseMessage(_ message: OTLPMessage, depth: Int, into writer: inout ProtoWriter) throws(Failure) {
        guard depth < WireReader.maxDepth else { throw fail("objects nested more than \(WireReader.maxDepth) deep") }
        let schema = OTLPSchema.schema(message)
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw fail("expected an object for \(schema.name)") }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a field name in \(schema.name)") }
            try parseString()
            let field = text.withUnsafeBytes { OTLPSchema.field(named: $0, in: message) }
            try expect(UInt8(ascii: ":"), "':'")
            if let field {
                if !consumeNull() { try parseField(field, depth: depth, into: &writer) }
            } else {
                try skipValue(depth: depth + 1)
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            case nil: throw fail("unexpected end of input in \(schema.name)")
            default: throw fail("expected ',' or '}' in \(schema.name)")
            }
        }
    }

    private mutating func parseField(_ field: OTLPField, depth: Int, into writer: inout ProtoWriter) throws(Failure) {
        guard field.isRepeated else {
            try parseValue(field, depth: depth, packed: false, into: &writer)
            return
        }
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else { throw fail("expected an array for field '\(field.jsonName)'") }
        index += 1
        let packed = field.type.isPackable
        let mark = packed ? writer.beginMessage(field.number) : nil
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                if !consumeNull() { try parseValue(field, depth: depth, packed: packed, into: &writer) }
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    if let mark { writer.endMessage(mark) }
                    return
                case nil: throw fail("unexpected end of input in array '\(field.jsonName)'")
                default: throw fail("expected ',' or ']' in array '\(field.jsonName)'")
                }
            }
        }
        if let mark { writer.endMessage(mark) }
    }

    /// Parses one value of `field` and writes it (with its tag unless `packed`).
    private mutating func parseValue(_ field: OTLPField, depth: Int, packed: Bool, into writer: inout ProtoWriter) throws(Failure) {
        skipWhitespace()
        let number = field.number
        switch field.type {
        case .message:
            guard let message = field.message else { throw fail("internal: field '\(field.jsonName)' has no message type") }
            let mark = writer.beginMessage(number)
            try parseMessage(message, depth: depth + 1, into: &writer)
            writer.endMessage(mark)
        case .string:
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string for field '\(field.jsonName)'") }
            try parseString()
            text.withUnsafeBytes { writer.bytes(number, $0) }
        case .bytes, .id:
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string for field '\(field.jsonName)'") }
            try parseString()
            decoded.removeAll(keepingCapacity: true)
            let ok = text.withUnsafeBytes { raw in
                if field.type == .id, Base64.decodeHex(raw, into: &decoded) { return true }
                decoded.removeAll(keepingCapacity: true)
                // Ids written by a plain proto3 JSON encoder are base64: accept them when they decode to an id's size.
                return Base64.decode(raw, into: &decoded) && (field.type != .id || decoded.count == 8 || decoded.count == 16)
            }
            guard ok else {
                throw fail(field.type == .id ? "invalid hex id in field '\(field.jsonName)'" : "invalid base64 in field '\(field.jsonName)'")
            }
            decoded.withUnsafeBytes { writer.bytes(number, $0) }
        case .bool:
            let value: Bool
            if matchLiteral("true") {
                value = true
            } else if matchLiteral("false") {
                value = false
            } else {
                throw fail("expected true or false for field '\(field.jsonName)'")
            }
            if !packed { writer.writeTag(number, .varint) }
            writer.writeVarint(value ? 1 : 0)
        case .double:
            let value = try parseDouble(field)
            if !packed { writer.writeTag(number, .fixed64) }
            writer.writeFixed64(value.bitPattern)
        case .int32, .int64, .uint32, .uint64, .sint32, .enumeration, .fixed64, .sfixed64, .fixed32:
            let value = try parseInteger(field)
            switch field.type {
            case .fixed64, .sfixed64:
                if !packed { writer.writeTag(number, .fixed64) }
                writer.writeFixed64(value)
            case .fixed32:
                if !packed { writer.writeTag(number, .fixed32) }
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { writer.writeRaw($0) }
            default:
                if !packed { writer.writeTag(number, .varint) }
                writer.writeVarint(value)
            }
        }
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard input.count - index >= count else { return false }
        let start = literal.utf8Start
        for i in 0..<count where input[index + i] != start[i] { return false }
        index += count
        return true
    }

    // MARK: - Scalars

    /// Reads a number token (JSON grammar) or a quoted number; returns its text range and whether it was quoted.
    private mutating func numberToken(_ field: OTLPField) throws(Failure) -> (start: Int, end: Int) {
        let quoted = peek() == UInt8(ascii: "\"")
        if quoted { index += 1 }
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { index += 1 }
        guard index > digitsStart else { throw Failure(reason: "expected a number for field '\(field.jsonName)'", offset: start) }
        if peek() == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { index += 1 }
            guard index > fractionStart else { throw fail("malformed number for field '\(field.jsonName)'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { index += 1 }
            guard index > exponentStart else { throw fail("malformed number for field '\(field.jsonName)'") }
        }
        let end = index
        if quoted {
            guard peek() == UInt8(ascii: "\"") else { throw fail("malformed number string for field '\(field.jsonName)'") }
            index += 1
        }
        return (start, end)
    }

    private mutating func parseDouble(_ field: OTLPField) throws(Failure) -> Double {
        if peek() == UInt8(ascii: "\"") {
            if matchLiteral("\"NaN\"") { return .nan }
            if matchLiteral("\"Infinity\"") { return .infinity }
            if matchLiteral("\"-Infinity\"") { return -.infinity }
        }
        let token = try numberToken(field)
        let string = String(decoding: UnsafeRawBufferPointer(rebasing: input[token.start..<token.end]), as: UTF8.self)
        guard let value = Double(string) else { throw Failure(reason: "invalid number for field '\(field.jsonName)'", offset: token.start) }
        return value
    }

    /// Parses an integer (number, quoted number or, for enums, an enum name) and range-checks it for the field's
    /// type; returns the value as protobuf writes it (two's complement, zigzag for `sint32`).
    private mutating func parseInteger(_ field: OTLPField) throws(Failure) -> UInt64 {
        if field.type == .enumeration, peek() == UInt8(ascii: "\"") {
            let start = index
            try parseString()
            if let value = OTLPJSONReader.enumValue(field.name, text) { return UInt64(value) }
            index = start
        }
        let token = try numberToken(field)
        var negative = false
        var magnitude: UInt64 = 0
        var exact = true
        var i = token.start
        if input[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        while i < token.end {
            let c = input[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else {
                exact = false
                break
            }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw Failure(reason: "number out of range for field '\(field.jsonName)'", offset: token.start) }
            magnitude = m2
            i += 1
        }
        if !exact {
            // A fraction or exponent: accept only integral values that a double represents exactly.
            let string = String(decoding: UnsafeRawBufferPointer(rebasing: input[token.start..<token.end]), as: UTF8.self)
            guard let value = Double(string), let integral = UInt64(exactly: value.magnitude) else {
                throw Failure(reason: "expected an integer for field '\(field.jsonName)'", offset: token.start)
            }
            negative = value < 0
            magnitude = integral
        }
        let outOfRange = Failure(reason: "number out of range for field '\(field.jsonName)'", offset: token.start)
        switch field.type {
        case .uint32, .fixed32:
            guard !negative || magnitude == 0, magnitude <= UInt64(UInt32.max) else { throw outOfRange }
            return magnitude
        case .uint64, .fixed64:
            guard !negative || magnitude == 0 else { throw outOfRange }
            return magnitude
        case .int32, .enumeration:
            guard magnitude <= (negative ? 1 << 31 : UInt64(Int32.max)) else { throw outOfRange }
            return negative ? UInt64(bitPattern: -Int64(magnitude)) : magnitude
        case .sint32:
            guard magnitude <= (negative ? 1 << 31 : UInt64(Int32.max)) else { throw outOfRange }
            let value = negative ? Int32(truncatingIfNeeded: -Int64(magnitude)) : Int32(truncatingIfNeeded: magnitude)
            return UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
        default:  // int64, sfixed64
            guard magnitude <= (negative ? 1 << 63 : UInt64(Int64.max)) else { throw outOfRange }
            return negative ? 0 &- magnitude : magnitude
        }
    }

    // MARK: - Strings

    /// Parses a JSON string into ``text`` (escapes decoded; raw bytes copied, so invalid UTF-8 survives to be
    /// replaced by U+FFFD later, exactly as in protobuf input).
    private mutating func parseString() throws(Failure) {
        if !text.isEmpty { text.removeAll(keepingCapacity: true) }
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        while true {
            // Copy the run up to the next quote, backslash or control character in one go.
            let runStart = index
            while index < input.count {
                let c = input[index]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
                index += 1
            }
            if index > runStart { text.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[runStart..<index])) }
            guard index < input.count else { throw fail("unterminated string") }
            let c = input[index]
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                guard index < input.count else { throw fail("unterminated string") }
                let e = input[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(e)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        if input.count - index >= 6, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u") {
                            let save = index
                            index += 2
                            let low = try hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = save
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    appendUTF8(scalar)
                default:
                    throw Failure(reason: "invalid escape in string", offset: index - 2)
                }
            default:
                guard c >= 0x20 else { throw Failure(reason: "unescaped control character in string", offset: index - 1) }
                text.append(c)
            }
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard input.count - index >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = input[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            text.append(UInt8(scalar))
        case 0x80..<0x800:
            text.append(UInt8(0xC0 | scalar >> 6))
            text.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            text.append(UInt8(0xE0 | scalar >> 12))
            text.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            text.append(UInt8(0x80 | scalar & 0x3F))
        default:
            text.append(UInt8(0xF0 | scalar >> 18))
            text.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            text.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            text.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: - Skipping unknown fields

    private mutating func skipValue(depth: Int) throws(Failure) {
        guard depth < WireReader.maxDepth else { throw fail("values nested more than \(WireReader.maxDepth) deep") }
        skipWhitespace()
        guard let c = peek() else { throw fail("unexpected end of input, expected a value") }
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if peek() == close {
                index += 1
                return
            }
            while true {
                if close == UInt8(ascii: "}") {
                    skipWhitespace()
                    try parseString()
                    try expect(UInt8(ascii: ":"), "':'")
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw fail("unexpected end of input") }
                index += 1
                if next == close { return }
                guard next == UInt8(ascii: ",") else {
                    index -= 1
                    throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
            }
        case UInt8(ascii: "\""):
            try parseString()
        case UInt8(ascii: "t"):
            guard matchLiteral("true") else { throw fail("invalid literal") }
        case UInt8(ascii: "f"):
            guard matchLiteral("false") else { throw fail("invalid literal") }
        case UInt8(ascii: "n"):
            guard matchLiteral("null") else { throw fail("invalid literal") }
        default:
            let any = OTLPField(0, "value", .double)
            _ = try numberToken(any)
        }
    }

    // MARK: - Enum names

    private static let enumNames: [String: [String]] = [
        "aggregation_temporality": ["AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA", "AGGREGATION_TEMPORALITY_CUMULATIVE"],
        "kind": ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"],
        "code": ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"],
        "severity_number": ["SEVERITY_NUMBER_UNSPECIFIED"]
            + ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].flatMap { level in
                ["", "2", "3", "4"].map { "SEVERITY_NUMBER_\(level)\($0)" }
            },
    ]

    private static func enumValue(_ field: String, _ name: [UInt8]) -> Int? {
        enumNames[field]?.firstIndex { Array($0.utf8) == name }
    }
}
