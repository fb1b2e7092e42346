import Foundation
import Logging
import ServiceLifecycle
import Store

/// Reloads the deep-watch list (``WatchRegistry``) from ClickHouse every ``interval``, so that every census process
/// sharing the store collects the same keys. A failed reload (ClickHouse down, schema not migrated yet) keeps the
/// previous list and is tried again at the next tick; it never stops the process.
struct WatchRefreshService: Service {
    let store: ClickHouseWatchStore
    let registry: WatchRegistry
    let interval: Duration
    let logger: Logger
    /// Called when a reload changed the list (rendered answers carrying `watched` fields are then out of date).
    var afterChange: @Sendable () -> Void = {}

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    if try await store.refresh(registry) { afterChange() }
                    if failing { logger.info("deep-watch list loaded again") }
                    failing = false
                } catch {
                    if !failing { logger.warning("could not load the deep-watch list; keeping the previous one", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Loads the list once, retrying every second until it succeeds or `deadline` passes (before the ingest starts, so
    /// its first window already collects the watched keys).
    static func loadInitially(_ store: ClickHouseWatchStore, into registry: WatchRegistry, for duration: Duration, logger: Logger) async {
        let deadline = ContinuousClock.now + duration
        while true {
            do {
                try await store.refresh(registry)
                return
            } catch {
                guard ContinuousClock.now < deadline, !Task.isCancelled else {
                    logger.warning(
                        "could not load the deep-watch list before starting; continuing without it until the next reload",
                        metadata: ["error": "\(error)"])
                    return
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
