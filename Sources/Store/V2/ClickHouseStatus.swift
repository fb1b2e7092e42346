/// The ClickHouse server census writes to, as `/api/v2/system/clickhouse` reports it.
package struct ClickHouseStatus: Sendable, Hashable {
    /// `version()`, e.g. `18.16.1` or `26.9.2.1`.
    package var version: String
    /// `uptime()`: seconds since the server started.
    package var uptimeSeconds: UInt64
    /// Merges running now on the census database's tables (`system.merges`).
    package var mergesInProgress: UInt64
    /// Mutations (such as retention's DELETE) not yet done on the census database's tables (`system.mutations`).
    package var mutationsInProgress: UInt64
    /// Active parts of the census database's tables (`system.parts`).
    package var activeParts: UInt64
    /// Free and total bytes over the server's disks (`system.disks`); `nil` on servers without that table
    /// (ClickHouse before 19.15, such as 18.16).
    package var disk: DiskSpace?

    /// Free and total bytes of the server's disks, summed.
    package struct DiskSpace: Sendable, Hashable {
        package var freeBytes: UInt64
        package var totalBytes: UInt64

        package init(freeBytes: UInt64, totalBytes: UInt64) {
            self.freeBytes = freeBytes
            self.totalBytes = totalBytes
        }
    }

    package init(
        version: String, uptimeSeconds: UInt64, mergesInProgress: UInt64, mutationsInProgress: UInt64, activeParts: UInt64,
        disk: DiskSpace?
    ) {
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.mergesInProgress = mergesInProgress
        self.mutationsInProgress = mutationsInProgress
        self.activeParts = activeParts
        self.disk = disk
    }
}
