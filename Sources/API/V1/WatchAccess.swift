import Store

/// What the deep-watch routes need: the stored watch list and values, this process's ``WatchRegistry`` (reloaded at
/// once after a change, so the local ingest and the `watched` fields follow without waiting for the next scheduled
/// reload), and what to forget after a change (rendered answers).
package struct WatchAccess: Sendable {
    let store: any WatchStoring
    let registry: WatchRegistry
    let afterChange: @Sendable () -> Void

    package init(store: any WatchStoring, registry: WatchRegistry, afterChange: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.registry = registry
        self.afterChange = afterChange
    }
}
