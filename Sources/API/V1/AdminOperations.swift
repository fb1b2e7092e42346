/// What `POST /api/v1/admin/clear` does, implemented by the executable's wiring (store + ingest pipeline).
package protocol AdminOperations: Sendable {
    /// Deletes every stored answer and the per-partition progress, and discards what the ingest pipeline buffered
    /// but has not acknowledged, so nothing consumed before the call appears afterwards and a later replay rebuilds
    /// the same answers. Throws when the store could not be cleared.
    func clearAll() async throws
}
