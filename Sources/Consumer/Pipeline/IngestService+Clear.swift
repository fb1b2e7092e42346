/// Clearing the store while the pipeline runs (`POST /api/v1/admin/clear`).
extension IngestService {
    /// Deletes everything consumed so far: the poll thread lets the flush in flight land (waiting at most the drain
    /// timeout; on timeout nothing is changed and this throws), runs `clearStore` while it writes nothing else, then
    /// discards its window and commits the window's offsets, so no record consumed before the call reaches the store
    /// afterwards (nor after a restart). When the poll loop is not running, `clearStore` simply runs.
    /// - Parameter clearStore: The store's delete (data and per-partition progress).
    package func clearBuffered(then clearStore: @escaping @Sendable () async throws -> Void) async throws {
        if try await clearRequests.submit(clearStore) { return }
        try await clearStore()
    }

    /// The flush in flight did not finish within the drain timeout (ClickHouse slow or down); nothing was cleared.
    struct FlushStillRunning: Error, CustomStringConvertible {
        var description: String { "a flush is still running (ClickHouse slow or unreachable); nothing was cleared" }
    }
}
