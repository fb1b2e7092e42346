import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Store

/// `--retention-days N`: at start and then every ``interval``, removes from `metadata` the data rows of days before
/// today − N + 1 (UTC), so rows of old days that arrive later (replays) go at the next pass. Progress rows stay. A
/// failed pass (ClickHouse down, schema not created yet) is logged and tried again after at most ``retryDelay``; it never
/// stops the process.
struct RetentionService: Service {
    let retention: MetadataRetention
    /// Days kept, today included (at least 1).
    let days: Int
    /// Time between passes.
    let interval: Duration
    /// Today's UTC day (days since 1970-01-01): the clock passes are cut by (the system clock unless replaced).
    var today: @Sendable () -> UInt16 = { DayRange.day(ofEpochSeconds: Int64(Date().timeIntervalSince1970)) }
    let logger: Logger
    var factory: (any MetricsFactory)?

    /// Longest wait before a failed pass is tried again.
    static let retryDelay: Duration = .seconds(30)

    func run() async throws {
        let factory = factory ?? MetricsSystem.factory
        let passes = Counter(label: "census_retention_passes_total", factory: factory)
        let deletes = Counter(label: "census_retention_deletes_total", factory: factory)
        let failures = Counter(label: "census_retention_failures_total", factory: factory)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let cutoff = MetadataRetention.cutoff(today: today(), days: days)
                var wait = interval
                do {
                    if try await retention.deleteDays(before: cutoff) == .deleteStarted {
                        deletes.increment()
                        logger.info(
                            "retention: deleting the days before the cutoff",
                            metadata: [
                                "cutoff": "\(DayRange.format(cutoff))", "retention_days": "\(days)",
                            ])
                    }
                    passes.increment()
                } catch {
                    failures.increment()
                    wait = min(interval, Self.retryDelay)
                    logger.warning("retention pass failed; trying again", metadata: ["error": "\(error)", "in": "\(wait)"])
                }
                try await Task.sleep(for: wait)
            }
        }
    }
}
