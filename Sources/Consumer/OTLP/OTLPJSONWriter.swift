/// Writes OTLP/JSON from OTLP protobuf bytes, schema-driven: lowerCamelCase names, hex trace and span ids,
/// base64 `bytes`, enums and 32-bit integers as numbers, 64-bit integers as strings, repeated fields as arrays
/// (packed or not), unknown fields dropped.
///
/// Used by the demo generator for its `otlp_json` output and by tests that check the two encodings agree. Not on
/// the ingest path.
package enum OTLPJSONWriter {
    /// The OTLP/JSON text of the `message` in `proto`.
    /// - Throws: ``OTLPDecodeError`` when `proto` is not a well-formed `message`.
    package static func transcode(_ proto: UnsafeRawBufferPointer, as message: OTLPMessage) throws(OTLPDecodeError) -> [UInt8] {
        try WireValidator.validate(proto, as: message)
        var out: [UInt8] = []
        out.reserveCapacity(proto.count * 2)
        do {
            try write(WireReader(proto), message, to: &out)
        } catch {
            throw OTLPDecodeError(encoding: .proto, reason: error.reason, offset: 0)
        }
        return out
    }

    /// The OTLP/JSON text of a protobuf request in an array.
    package static func transcode(_ proto: [UInt8], as message: OTLPMessage) throws(OTLPDecodeError) -> [UInt8] {
        let result = proto.withUnsafeBytes { raw in Result { () throws(OTLPDecodeError) -> [UInt8] in try transcode(raw, as: message) } }
        return try result.get()
    }

    private enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(WireReader)
    }

    private static func write(_ message: WireReader, _ type: OTLPMessage, to out: inout [UInt8]) throws(WireError) {
        let schema = OTLPSchema.schema(type)
        var order: [UInt32] = []
        var values: [UInt32: [Value]] = [:]
        var reader = message
        while let field = try reader.nextField() {
            guard let spec = schema.field(field.number) else {
                try reader.skip(field.type)
                continue
            }
            let value: Value
            switch field.type {
            case .varint: value = .varint(try reader.readVarint())
            case .fixed64: value = .fixed64(try reader.readFixed64())
            case .fixed32: value = .fixed32(try reader.readFixed32())
            default: value = .bytes(try reader.readLengthDelimited())
            }
            if values[field.number] == nil { order.append(field.number) }
            var list = values[field.number] ?? []
            if spec.isRepeated, spec.type.isPackable, case .bytes(var packed) = value {
                while !packed.isAtEnd {
                    switch spec.type.wireType {
                    case .fixed64: list.append(.fixed64(try packed.readFixed64()))
                    case .fixed32: list.append(.fixed32(try packed.readFixed32()))
                    default: list.append(.varint(try packed.readVarint()))
                    }
                }
            } else if spec.isRepeated {
                list.append(value)
            } else {
                list = [value]
            }
            values[field.number] = list
        }
        out.append(UInt8(ascii: "{"))
        var first = true
        for number in order {
            guard let spec = schema.field(number), let list = values[number] else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(spec.jsonName, to: &out)
            out.append(UInt8(ascii: ":"))
            if spec.isRepeated {
                out.append(UInt8(ascii: "["))
                for (i, value) in list.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    try writeValue(value, spec, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            } else if let value = list.last {
                try writeValue(value, spec, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeValue(_ value: Value, _ field: OTLPField, to out: inout [UInt8]) throws(WireError) {
        switch value {
        case .bytes(let reader):
            switch field.type {
            case .message:
                guard let message = field.message else { return }
                try write(reader, message, to: &out)
            case .string:
                let repaired = String(decoding: reader.bytes, as: UTF8.self)
                JSONText.appendString(repaired, to: &out)
            case .id:
                out.append(UInt8(ascii: "\""))
                Base64.encodeHex(reader.bytes, into: &out)
                out.append(UInt8(ascii: "\""))
            default:
                out.append(UInt8(ascii: "\""))
                Base64.encode(reader.bytes, into: &out)
                out.append(UInt8(ascii: "\""))
            }
        case .varint(let v):
            switch field.type {
            case .bool: JSONText.appendRaw(v != 0 ? "true" : "false", to: &out)
            case .int32, .enumeration: JSONText.appendRaw(String(Int32(truncatingIfNeeded: v)), to: &out)
            case .uint32: JSONText.appendRaw(String(UInt32(truncatingIfNeeded: v)), to: &out)
            case .sint32:
                let raw = UInt32(truncatingIfNeeded: v)
                JSONText.appendRaw(String(Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))), to: &out)
            case .int64: JSONText.appendRaw("\"\(Int64(bitPattern: v))\"", to: &out)
            default: JSONText.appendRaw("\"\(v)\"", to: &out)
            }
        case .fixed64(let v):
            switch field.type {
            case .double: JSONText.appendDouble(Double(bitPattern: v), to: &out)
            case .sfixed64: JSONText.appendRaw("\"\(Int64(bitPattern: v))\"", to: &out)
            default: JSONText.appendRaw("\"\(v)\"", to: &out)
            }
        case .fixed32(let v):
            JSONText.appendRaw(String(v), to: &out)
        }
    }
}
