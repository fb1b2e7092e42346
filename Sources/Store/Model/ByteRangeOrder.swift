#if canImport(Glibc)
    import Glibc
#endif

extension UnsafeBufferPointer<UInt8> {
    /// The byte order of two ranges of these bytes (UTF-8 strings read in place: byte order is code point order, and
    /// ClickHouse's order of `String` values): negative when `a` comes first, 0 when equal, positive otherwise.
    package func order(_ a: Range<Int>, _ b: Range<Int>) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0 {
            let result = memcmp(baseAddress! + a.lowerBound, baseAddress! + b.lowerBound, common)
            if result != 0 { return Int(result) }
        }
        return a.count - b.count
    }
}
