/// Where a 64-bit hash goes in census's in-memory open-addressing tables (``HashSet64``; Consumer's `ValueHashSet` and `HashIndex`).
///
/// The hashes these tables hold are ``ValueHash`` outputs: unkeyed and invertible, so a client can craft values
/// whose hashes share their low bits. Indexing a linear-probing table by those bits directly then puts every crafted
/// value into one cluster, and inserting n of them costs n²/2 probes (131,072 crafted integers: about 10¹⁰). Tables
/// therefore place a hash by a per-process random seed mixed into it (SplitMix64's finalizer, a bijection with full
/// avalanche), so which hashes collide in a table is unknowable from outside the process.
///
/// Only placement changes: the hashes stored, compared and sent to ClickHouse (`uniqCombined`) are the unmixed ones.
///
/// `public` (census is one package, nothing outside uses it) because Swift 6.3 inlines an `@inlinable` function into
/// another module only when it is public, not `package`: Consumer's tables probe with ``slot(_:mask:)`` on every
/// observation, and a call per probe cost the analyzer ~2 % when this type moved here from Consumer.
public struct TableSeed: Sendable {
    /// The process's seed: random, drawn once.
    package static let process = TableSeed(UInt64.random(in: .min ... .max))

    public let value: UInt64

    package init(_ value: UInt64) { self.value = value }

    /// The table position of `hash` for a power-of-two table of `mask + 1` slots.
    @inlinable @inline(__always)
    public func slot(_ hash: UInt64, mask: Int) -> Int {
        var x = hash ^ value
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return Int(truncatingIfNeeded: x) & mask
    }
}
