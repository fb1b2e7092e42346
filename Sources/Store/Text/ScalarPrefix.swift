/// Cutting UTF-8 text to a number of Unicode scalars without splitting a sequence. `public` for the reason
/// ``ValueHash`` is: the analyzer cuts every sample with it.
public enum ScalarPrefix {
    /// The length of the longest prefix of `bytes` with at most `maxScalars` Unicode scalars (counting lead bytes,
    /// so the cut never splits a UTF-8 sequence).
    @inlinable
    public static func length(_ bytes: UnsafeRawBufferPointer, maxScalars: Int) -> Int {
        guard bytes.count > maxScalars else { return bytes.count }
        var scalars = 0
        for i in 0..<bytes.count where bytes[i] & 0xC0 != 0x80 {
            if scalars == maxScalars { return i }
            scalars &+= 1
        }
        return bytes.count
    }
}
