/// Checks that protobuf bytes are a well-formed OTLP message before anything is applied.
///
/// Walks every field of every known (nested) message: tags, varints, lengths, wire types of declared fields,
/// packed lengths and nesting depth; unknown fields are skipped. After a successful validation the analyzers'
/// reads cannot fail, which is how ``MetadataWindow`` guarantees that a bad record never half-applies.
/// Strings are not checked for UTF-8 (readers replace invalid sequences with U+FFFD).
package enum WireValidator {
    /// Validates `bytes` as a `message`.
    /// - Returns: An upper bound on the aggregate rows the request can add to a ``MetadataWindow`` (see ``RowTally``).
    /// - Throws: ``OTLPDecodeError`` naming the problem, the message path and the byte offset.
    @discardableResult
    package static func validate(_ bytes: UnsafeRawBufferPointer, as message: OTLPMessage) throws(OTLPDecodeError) -> Int {
        var tally = RowTally()
        let outcome = OTLPSchema.specs.withUnsafeBufferPointer { specs in
            Result { () throws(WireError) in
                var reader = WireReader(bytes)
                try check(&reader, message: message.rawValue, specs: specs, depth: 0, tally: &tally)
            }
        }
        guard case .failure(let error) = outcome else { return tally.bound }
        throw describe(error, in: bytes, as: message)
    }

    /// Counts, during the fast pass, an upper bound on the rows a request can add to an empty window: per item
    /// (`Metric`, `Span`, `LogRecord`) a signal row and a template row, one key row per `KeyValue` inside items (data
    /// point, span, event, link and log attributes; keys inside `kvlist` values are not keys), and for every item
    /// of a `Resource*` one key row per attribute of its resource and scopes. Never below the real count; tight enough
    /// that ordinary records (hundreds of items sharing a few aggregates) stay far below the record cap, so only
    /// suspicious records pay for an exact count (``MetadataWindow``).
    struct RowTally {
        var bound = 0
        /// Of the `Resource*` being walked: its items, and the attributes of its resource and scopes.
        var items = 0
        var sharedKeys = 0

        @inline(__always)
        static func isResourceItems(_ message: Int) -> Bool {
            message == OTLPMessage.resourceMetrics.rawValue || message == OTLPMessage.resourceSpans.rawValue
                || message == OTLPMessage.resourceLogs.rawValue
        }

        @inline(__always)
        static func isItem(_ message: Int) -> Bool {
            message == OTLPMessage.metric.rawValue || message == OTLPMessage.span.rawValue || message == OTLPMessage.logRecord.rawValue
        }
    }

    /// The fast pass: no bookkeeping, with hand-written checks for `KeyValue` and `AnyValue` (most of the bytes).
    private static func check(
        _ reader: inout WireReader, message: Int, specs: UnsafeBufferPointer<OTLPSchema.FieldSpec>,
        depth: Int, tally: inout RowTally
    ) throws(WireError) {
        guard depth < WireReader.maxDepth else { throw .nestingTooDeep }
        let base = message &* OTLPSchema.fieldStride
        while let field = try reader.nextField() {
            let spec = field.number < UInt32(OTLPSchema.fieldStride) ? specs[base &+ Int(field.number)] : OTLPSchema.FieldSpec(raw: 0)
            guard spec.isKnown else {
                try reader.skip(field.type)
                continue
            }
            if field.type.rawValue == spec.wireType {
                if spec.isMessage {
                    var sub = try reader.readLengthDelimited()
                    if spec.message == OTLPMessage.keyValue.rawValue {
                        try checkKeyValue(&sub, specs: specs, depth: depth &+ 1)
                        if message == OTLPMessage.resource.rawValue || message == OTLPMessage.instrumentationScope.rawValue {
                            tally.sharedKeys &+= 1
                        } else if message != OTLPMessage.keyValueList.rawValue {
                            tally.bound &+= 1
                        }
                    } else if RowTally.isResourceItems(spec.message) {
                        tally.items = 0
                        tally.sharedKeys = 0
                        try check(&sub, message: spec.message, specs: specs, depth: depth &+ 1, tally: &tally)
                        tally.bound &+= tally.items &* (2 &+ tally.sharedKeys)
                    } else {
                        if RowTally.isItem(spec.message) { tally.items &+= 1 }
                        try check(&sub, message: spec.message, specs: specs, depth: depth &+ 1, tally: &tally)
                    }
                } else {
                    try reader.skip(field.type)
                }
            } else if spec.isPackable && field.type == .lengthDelimited {
                try checkPacked(&reader, field: field.number, spec: spec)
            } else {
                throw .wrongWireType(field: field.number, actual: field.type)
            }
        }
    }

    @inline(__always)
    private static func checkKeyValue(_ reader: inout WireReader, specs: UnsafeBufferPointer<OTLPSchema.FieldSpec>, depth: Int) throws(WireError) {
        guard depth < WireReader.maxDepth else { throw .nestingTooDeep }
        if let shape = KeyValueShape(reader), shape.isShortString { return }  // a short key and string value: well-formed
        while let field = try reader.nextField() {
            switch field.number {
            case CommonFields.KeyValue.key:
                guard field.type == .lengthDelimited else { throw .wrongWireType(field: field.number, actual: field.type) }
                _ = try reader.readLengthDelimited()
            case CommonFields.KeyValue.value:
                guard field.type == .lengthDelimited else { throw .wrongWireType(field: field.number, actual: field.type) }
                var value = try reader.readLengthDelimited()
                try checkAnyValue(&value, specs: specs, depth: depth &+ 1)
            case CommonFields.KeyValue.keyStrindex:
                guard field.type == .varint else { throw .wrongWireType(field: field.number, actual: field.type) }
                _ = try reader.readVarint()
            default:
                try reader.skip(field.type)
            }
        }
    }

    @inline(__always)
    private static func checkAnyValue(_ reader: inout WireReader, specs: UnsafeBufferPointer<OTLPSchema.FieldSpec>, depth: Int) throws(WireError) {
        guard depth < WireReader.maxDepth else { throw .nestingTooDeep }
        while let field = try reader.nextField() {
            let expected: WireType
            switch field.number {
            case CommonFields.AnyValue.stringValue, CommonFields.AnyValue.bytesValue, CommonFields.AnyValue.arrayValue,
                CommonFields.AnyValue.kvlistValue:
                expected = .lengthDelimited
            case CommonFields.AnyValue.boolValue, CommonFields.AnyValue.intValue, CommonFields.AnyValue.stringValueStrindex: expected = .varint
            case CommonFields.AnyValue.doubleValue: expected = .fixed64
            default:
                try reader.skip(field.type)
                continue
            }
            guard field.type == expected else { throw .wrongWireType(field: field.number, actual: field.type) }
            switch field.number {
            case CommonFields.AnyValue.arrayValue:
                var sub = try reader.readLengthDelimited()
                var ignored = RowTally()
                try check(&sub, message: OTLPMessage.arrayValue.rawValue, specs: specs, depth: depth &+ 1, tally: &ignored)
            case CommonFields.AnyValue.kvlistValue:
                var sub = try reader.readLengthDelimited()
                var ignored = RowTally()
                try check(&sub, message: OTLPMessage.keyValueList.rawValue, specs: specs, depth: depth &+ 1, tally: &ignored)
            default:
                try reader.skip(field.type)
            }
        }
    }

    @inline(__always)
    private static func checkPacked(_ reader: inout WireReader, field: UInt32, spec: OTLPSchema.FieldSpec) throws(WireError) {
        var packed = try reader.readLengthDelimited()
        switch spec.wireType {
        case WireType.fixed64.rawValue:
            guard packed.remainingCount % 8 == 0 else { throw .invalidPackedLength(field: field) }
        case WireType.fixed32.rawValue:
            guard packed.remainingCount % 4 == 0 else { throw .invalidPackedLength(field: field) }
        default:
            while !packed.isAtEnd { _ = try packed.readVarint() }
        }
    }

    // MARK: - Describing a failure (slow path, only after the fast pass failed)

    private struct Failure {
        var path: [(message: Int, field: UInt32)] = []
        var offset = -1
    }

    /// Re-validates with the generic schema walk, recording the message path and offset of the failure.
    private static func describe(_ fastError: WireError, in bytes: UnsafeRawBufferPointer, as message: OTLPMessage) -> OTLPDecodeError {
        var reader = WireReader(bytes)
        var failure = Failure()
        let outcome = OTLPSchema.specs.withUnsafeBufferPointer { specs in
            Result { () throws(WireError) in try trace(&reader, message: message.rawValue, specs: specs, depth: 0, failure: &failure) }
        }
        guard case .failure(let error) = outcome else {
            return OTLPDecodeError(encoding: .proto, reason: fastError.reason, offset: 0)
        }
        let path = failure.path.reversed().map { entry -> String in
            let schema = OTLPSchema.messages[entry.message]
            guard entry.field != 0 else { return schema.name }
            return "\(schema.name).\(schema.field(entry.field)?.name ?? "#\(entry.field)")"
        }
        return OTLPDecodeError(encoding: .proto, reason: "\(error.reason) in \(path.joined(separator: " > "))", offset: max(failure.offset, 0))
    }

    private static func trace(
        _ reader: inout WireReader, message: Int, specs: UnsafeBufferPointer<OTLPSchema.FieldSpec>, depth: Int,
        failure: inout Failure
    ) throws(WireError) {
        var current: UInt32 = 0
        do throws(WireError) {
            guard depth < WireReader.maxDepth else { throw WireError.nestingTooDeep }
            let base = message &* OTLPSchema.fieldStride
            while let field = try reader.nextField() {
                current = field.number
                let spec = field.number < UInt32(OTLPSchema.fieldStride) ? specs[base &+ Int(field.number)] : OTLPSchema.FieldSpec(raw: 0)
                guard spec.isKnown else {
                    try reader.skip(field.type)
                    continue
                }
                if field.type.rawValue == spec.wireType {
                    if spec.isMessage {
                        var sub = try reader.readLengthDelimited()
                        try trace(&sub, message: spec.message, specs: specs, depth: depth &+ 1, failure: &failure)
                    } else {
                        try reader.skip(field.type)
                    }
                } else if spec.isPackable && field.type == .lengthDelimited {
                    try checkPacked(&reader, field: field.number, spec: spec)
                } else {
                    throw WireError.wrongWireType(field: field.number, actual: field.type)
                }
            }
        } catch {
            if failure.offset < 0 { failure.offset = reader.index }
            failure.path.append((message, current))
            throw error
        }
    }
}
