/// The canonical wire layout of a `KeyValue` with a short key and value, recognised without the general field loop:
/// `0A <key length> <key> 12 <value length> <AnyValue>`, lengths below 128, nothing else in the message.
///
/// Every encoder writes fields in number order, so almost every attribute has this shape; anything else
/// (long keys, extra or reordered fields) takes the general path, which gives the same result.
package struct KeyValueShape {
    /// The key bytes.
    package let key: WireReader
    /// The `AnyValue` message.
    package let value: WireReader
    /// Whether the value is exactly one short `string_value` field (then ``string`` holds its bytes).
    package let isShortString: Bool
    /// The string bytes when ``isShortString``.
    package let string: WireReader

    /// Recognises the shape in a `KeyValue` message, or returns `nil`.
    @inline(__always)
    package init?(_ message: WireReader) {
        let start = message.index
        let end = message.end
        guard end &- start >= 4, let base = message.buffer.baseAddress else { return nil }
        guard base.load(fromByteOffset: start, as: UInt8.self) == 0x0A else { return nil }
        let keyLength = Int(base.load(fromByteOffset: start &+ 1, as: UInt8.self))
        guard keyLength < 0x80 else { return nil }
        let keyEnd = start &+ 2 &+ keyLength
        guard keyEnd &+ 2 <= end, base.load(fromByteOffset: keyEnd, as: UInt8.self) == 0x12 else { return nil }
        let valueLength = Int(base.load(fromByteOffset: keyEnd &+ 1, as: UInt8.self))
        let valueStart = keyEnd &+ 2
        guard valueLength < 0x80, valueStart &+ valueLength == end else { return nil }
        key = WireReader(buffer: message.buffer, index: start &+ 2, end: keyEnd)
        value = WireReader(buffer: message.buffer, index: valueStart, end: end)
        if valueLength >= 2, base.load(fromByteOffset: valueStart, as: UInt8.self) == 0x0A,
            Int(base.load(fromByteOffset: valueStart &+ 1, as: UInt8.self)) == valueLength &- 2
        {
            isShortString = true
            string = WireReader(buffer: message.buffer, index: valueStart &+ 2, end: end)
        } else {
            isShortString = false
            string = WireReader(buffer: message.buffer, index: end, end: end)
        }
    }
}
