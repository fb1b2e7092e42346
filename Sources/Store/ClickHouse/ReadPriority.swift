/// Whom a read is for: a request that waits for it, or a background refresh of a cached answer that nobody waits for.
/// The API's ``AdmissionGate`` lets callers in first; ``ReadCache`` runs its background refreshes as ``refresh``.
package enum ReadPriority: Sendable, Equatable {
    case caller
    case refresh

    /// The priority of the reads the running task makes (``caller`` unless a refresh set it).
    @TaskLocal package static var current: ReadPriority = .caller
}
