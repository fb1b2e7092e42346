/// A session as census stores it: a name for a day range of the stored history (plus optional service and signal
/// filters), or, when imported, the snapshot document another tool exported (kept byte for byte).
package struct StoredSession: Sendable, Hashable {
    /// Lowercase letters, digits and inner hyphens, at most 128 bytes (the reference's rule, ``isValidName(_:)``).
    package var name: String
    package var description: String
    /// Seconds since the epoch when the session was created or imported.
    package var created: UInt32
    /// The days the session covers (open ends: all stored days on that side). Ignored for imported sessions.
    package var range: DayRange
    /// Only these services' items; empty: every service.
    package var services: [String]
    /// Only these signals (`metrics`, `spans`, `logs`); empty: all three.
    package var signals: [String]
    /// The imported document (UTF-8 JSON); `nil` for a range session, and in lists (see ``snapshotSize``).
    package var snapshot: [UInt8]?
    /// Whether the session was imported (it holds a document rather than a range).
    package var imported: Bool
    /// The imported document's size in bytes (0 for a range session).
    package var snapshotSize: Int

    package init(
        name: String, description: String = "", created: UInt32, range: DayRange = .all, services: [String] = [],
        signals: [String] = [], snapshot: [UInt8]? = nil
    ) {
        self.name = name
        self.description = description
        self.created = created
        self.range = range
        self.services = services
        self.signals = signals
        self.snapshot = snapshot
        self.imported = snapshot != nil
        self.snapshotSize = snapshot?.count ?? 0
    }

    /// The reference's session name rule: `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`, at most 128 bytes.
    package static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        func alnum(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        guard alnum(bytes[0]), alnum(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
