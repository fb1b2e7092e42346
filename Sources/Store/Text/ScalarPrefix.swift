/// Cutting UTF-8 text to a number of Unicode scalars without splitting a sequence.
package enum ScalarPrefix {
    /// The length of the longest prefix of `bytes` with at most `maxScalars` Unicode scalars (counting lead bytes,
    /// so the cut never splits a UTF-8 sequence).
    @inlinable
    package static func length(_ bytes: UnsafeRawBufferPointer, maxScalars: Int) -> Int {
        guard bytes.count > maxScalars else { return bytes.count }
        var scalars = 0
        for i in 0..<bytes.count where bytes[i] & 0xC0 != 0x80 {
            if scalars == maxScalars { return i }
            scalars &+= 1
        }
        return bytes.count
    }
}
