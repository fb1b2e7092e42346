/// The stable 64-bit hash census stores for attribute values (and uses to identify keys in memory).
///
/// A single-lane variant of xxHash64's round and avalanche functions, read 8 bytes at a time.
/// - Important: Hashes are persisted inside ClickHouse `uniqCombined` states: changing this function changes
///   every stored cardinality. Treat it as a file format ("census value hash v1").
///
/// `public` (nothing outside census uses it) because Swift 6.3 inlines `@inlinable` functions into another module only
/// when they are public, not `package`: the analyzer in Consumer hashes every attribute value and key.
public enum ValueHash {
    @usableFromInline static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// Type tags mixed into the seed so that equal bytes of different OTLP types hash differently.
    public enum Tag: UInt64, Sendable {
        case string = 1, bool = 2, int = 3, double = 4, bytes = 5, composite = 6, empty = 7, key = 8
    }

    @inlinable @inline(__always)
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var acc = acc &+ input &* p2
        acc = (acc << 31) | (acc >> 33)
        return acc &* p1
    }

    @inlinable @inline(__always)
    static func avalanche(_ h: UInt64) -> UInt64 {
        var h = h
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }

    /// Hashes raw bytes with a seed.
    @inlinable @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let count = bytes.count
        var h = seed &+ p5 &+ UInt64(truncatingIfNeeded: count)
        var index = 0
        if let base = bytes.baseAddress {
            while index + 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                h ^= round(0, word)
                h = ((h << 27) | (h >> 37)) &* p1 &+ p4
                index += 8
            }
            if index + 4 <= count {
                let word = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
                h ^= word &* p1
                h = ((h << 23) | (h >> 41)) &* p2 &+ p3
                index += 4
            }
            while index < count {
                h ^= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) &* p5
                h = ((h << 11) | (h >> 53)) &* p1
                index += 1
            }
        }
        return avalanche(h)
    }

    /// Hashes bytes of a value of the given type.
    @inlinable @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer, tag: Tag) -> UInt64 {
        hash(bytes, seed: tag.rawValue)
    }

    /// Hashes a string's UTF-8 bytes.
    @inlinable
    public static func hash(_ string: String, tag: Tag = .string) -> UInt64 {
        var copy = string
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), tag: tag) }
    }

    /// Hashes a fixed-width scalar (int, double bits, bool).
    @inlinable @inline(__always)
    public static func hash(scalar: UInt64, tag: Tag) -> UInt64 {
        avalanche(round(tag.rawValue &+ p5 &+ 8, scalar))
    }

    /// Combines two hashes (for composite in-memory identities).
    @inlinable @inline(__always)
    public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        avalanche(round(a, b) ^ p4)
    }
}
