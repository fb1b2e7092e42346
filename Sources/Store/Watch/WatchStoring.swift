/// The deep-watch list and the values collected for it (``ClickHouseWatchStore``).
package protocol WatchStoring: Sendable {
    /// Every key that is or was watched, by key.
    func watches() async throws -> [WatchedKey]
    /// Starts (or resumes) collecting the values of `key`.
    func watch(key: String) async throws
    /// Stops collecting the values of `key`; what was collected stays readable.
    func unwatch(key: String) async throws
    /// One page of the values collected for `key`.
    func values(key: String, query: WatchValuesQuery) async throws -> WatchValuesPage
    /// Loads the active keys (and the values stored for them) into `registry`; returns whether the list of keys changed.
    @discardableResult
    func refresh(_ registry: WatchRegistry) async throws -> Bool
}

extension WatchStoring {
    /// Loads the active keys into `registry` (without their stored values: the next scheduled reload adds those).
    @discardableResult
    package func refresh(_ registry: WatchRegistry) async throws -> Bool {
        registry.update(keys: try await watches().filter(\.active).map(\.key), stored: [:])
    }
}
