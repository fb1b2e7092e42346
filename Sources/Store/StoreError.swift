/// An error of the store layer that is not a ClickHouse transport or server failure.
///
/// ClickHouse failures surface as ``ClickHouseError``; this type covers what the store itself rejects or cannot read.
package struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    package enum Kind: Sendable, Hashable {
        /// A name that must be a plain SQL identifier (`[A-Za-z_][A-Za-z0-9_]*`) was not.
        case invalidIdentifier
        /// A batch has more rows than one INSERT block may carry (see ``MetadataWriter/maxRowsPerInsert``).
        case batchTooLarge
        /// A ClickHouse response could not be decoded as the expected RowBinary columns.
        case malformedResponse
        /// The schema in ClickHouse is older than this build expects (run the migrations).
        case schemaOutdated
        /// The schema in ClickHouse is newer than this build knows.
        case schemaTooNew
    }

    /// What went wrong.
    package var kind: Kind
    /// A human-readable detail (never contains credentials).
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { "StoreError.\(kind): \(message)" }
}
