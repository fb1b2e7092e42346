import API
import Consumer
import Logging
import Store

/// ``AdminOperations`` of one census process: clears ClickHouse (data and per-partition progress) and, when this
/// process consumes, the ingest pipeline's buffered window and in-flight flush with it; then forgets the API's cached
/// answers (`afterClear`).
///
/// Other census instances sharing the database keep their own buffers: a clear there covers only what they had
/// acknowledged (see docs/API.md).
struct CensusAdmin: AdminOperations {
    let store: StoreAdmin
    let ingest: IngestService?
    let afterClear: @Sendable () -> Void
    let logger: Logger

    func clearAll() async throws {
        let store = self.store
        let clearStore: @Sendable () async throws -> Void = { try await store.clearAll(keepProgress: false) }
        do {
            if let ingest {
                try await ingest.clearBuffered(then: clearStore)
            } else {
                try await clearStore()
            }
            afterClear()
        } catch {
            logger.error("admin clear failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
