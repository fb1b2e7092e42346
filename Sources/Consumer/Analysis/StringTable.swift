import Store

/// Interns the strings of a window (names, services, keys, event names, scopes, templates) by their bytes.
///
/// ``intern(_:)`` hashes the wire bytes and allocates a `String` only the first time a byte sequence is seen. Bytes
/// that are not valid UTF-8 are repaired (U+FFFD) and aliased to the repaired string's id, so every id stands for a
/// distinct `String`.
struct StringTable {
    private struct Alias {
        var offset: Int
        var length: Int
        var id: Int32
    }

    /// The raw bytes of every alias.
    private var arena: [UInt8] = []
    private var aliases: [Alias] = []
    private var index = HashIndex()
    /// Strings by id.
    private(set) var strings: [String] = []
    /// ``ValueHash`` (tag `key`, unseeded) of every string by id: the same in every window and process, for series
    /// fingerprints.
    private(set) var stableHashes: [UInt64] = []
    /// The alias holding each id's own (valid UTF-8) bytes.
    private var canonical: [Int32] = []
    /// Bytes held (arena, strings and index), approximately.
    private(set) var memoryBytes = 0

    /// Seeds the hash of interned bytes: with an unkeyed hash a client could send many distinct names with one 64-bit
    /// hash (``ValueHash`` is not collision resistant), and every lookup would compare against all of them. The hash is
    /// in-memory only (never stored), so it may differ per process.
    private let hashSeed = TableSeed.process.value

    /// The hash the table uses for raw bytes: ``ValueHash`` keyed by the process's ``TableSeed``.
    @inline(__always)
    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        ValueHash.hash(bytes, seed: ValueHash.Tag.key.rawValue ^ hashSeed)
    }

    subscript(id: Int32) -> String { strings[Int(id)] }

    /// The stable hash of string `id` (see ``stableHashes``).
    @inline(__always)
    func stableHash(_ id: Int32) -> UInt64 { stableHashes[Int(id)] }

    /// Longest string kept, in UTF-8 bytes: longer ones (names, keys, services, scopes, event names, descriptions,
    /// units, templates) are cut on a UTF-8 boundary and end in ``truncationMarker``, within this length. So every
    /// name a read puts into a query stays far below ClickHouse's `max_query_size` (256 KiB), and strings that share
    /// their first ~1 KiB count as one.
    static let maxBytes = 1_024
    /// Ends a truncated string: `…` (U+2026).
    static let truncationMarker: [UInt8] = [0xE2, 0x80, 0xA6]

    /// The id of `bytes`, interning them if new; bytes beyond ``maxBytes`` are truncated first.
    @inline(__always)
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard bytes.count <= Self.maxBytes else { return internTruncated(bytes) }
        let hash = self.hash(bytes)
        if let alias = lookup(bytes, hash: hash) { return aliases[Int(alias)].id }
        return add(bytes, hash: hash)
    }

    /// The id of a string, interning it if new.
    mutating func intern(_ string: String) -> Int32 {
        var string = string
        return string.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `bytes` are exactly the UTF-8 of string `id` (a cheap check that skips hashing when the id is
    /// already a good guess).
    @inline(__always)
    func bytesEqual(_ id: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let entry = aliases[Int(canonical[Int(id)])]
        guard entry.length == bytes.count else { return false }
        guard entry.length > 0 else { return true }
        return arena.withUnsafeBytes { arena in
            guard let a = arena.baseAddress, let b = bytes.baseAddress else { return false }
            return memoryEqual(a + entry.offset, b, entry.length)
        }
    }

    @inline(__always)
    private func lookup(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        index.find(hash) { alias in
            let entry = aliases[Int(alias)]
            guard entry.length == bytes.count else { return false }
            guard entry.length > 0 else { return true }
            return arena.withUnsafeBytes { arena in
                guard let a = arena.baseAddress, let b = bytes.baseAddress else { return false }
                return memoryEqual(a + entry.offset, b, entry.length)
            }
        }
    }

    @inline(never)
    private mutating func internTruncated(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var end = Self.maxBytes &- Self.truncationMarker.count
        while end > 0, bytes[end] & 0xC0 == 0x80 { end &-= 1 }  // do not split a UTF-8 sequence
        var truncated = Array(bytes[..<end])
        truncated.append(contentsOf: Self.truncationMarker)
        return truncated.withUnsafeBytes { intern($0) }
    }

    @inline(never)
    private mutating func add(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        let id: Int32
        if let valid = String(validating: bytes, as: UTF8.self) {
            id = Int32(truncatingIfNeeded: strings.count)
            strings.append(valid)
            stableHashes.append(ValueHash.hash(bytes, tag: .key))
            canonical.append(Int32(truncatingIfNeeded: aliases.count))
            memoryBytes &+= 24 &+ (bytes.count > 15 ? bytes.count &+ 32 : 0)
        } else {
            id = intern(String(decoding: bytes, as: UTF8.self))
        }
        let alias = Int32(truncatingIfNeeded: aliases.count)
        aliases.append(Alias(offset: arena.count, length: bytes.count, id: id))
        arena.append(contentsOf: bytes)
        index.insert(hash, alias)
        memoryBytes &+= bytes.count &+ MemoryLayout<Alias>.stride &+ 32
        return id
    }
}
