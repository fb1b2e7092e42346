import Foundation
import Logging
import Synchronization

/// Maps this process's clock onto the ClickHouse server's, conservatively, for write fences (``WriteFence``).
///
/// A sample asks the server for `now()` (whole seconds) between two readings of the local wall clock. The server's second
/// `s` was read no later than the second local reading `t1`, so `s - t1` is a lower bound of (server clock − local
/// clock): a local deadline mapped with it lands at or before the same instant on the server, whatever the two clocks
/// say and however long the request took. The fence is then rounded down and one second is taken off, because the
/// server compares whole seconds (`now() > fence` only from `fence + 1` on). Samples are refreshed every
/// ``resampleAfter``, so clock steps on either side are followed.
package final class ServerClock: Sendable {
    private let client: ClickHouseClient
    private let logger: Logger
    private let sample = Mutex<Sample?>(nil)
    /// How old a sample may get before the next fence asks the server again.
    package static let resampleAfter: Duration = .seconds(30)

    private struct Sample {
        /// Lower bound of (server clock − local wall clock), in seconds.
        var offset: Double
        var takenAt: ContinuousClock.Instant
    }

    package init(client: ClickHouseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The server's clock now, in whole seconds.
    package func serverNow() async throws -> UInt32 {
        var decoder = RowBinaryDecoder(try await client.execute(MetadataQueries.serverTime(), retryPolicy: .noRetry, logger: logger))
        return try decoder.uint32()
    }

    /// Whether the server's clock is past `fence` (then no attempt carrying it can be applied any more).
    package func hasPassed(_ fence: WriteFence) async throws -> Bool {
        try await serverNow() > fence.serverSeconds
    }

    /// The fence that expires on the server no later than `deadline` passes here.
    package func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence {
        let offset = try await currentOffset()
        let remaining = deadline - ContinuousClock.now
        let localWall = Date().timeIntervalSince1970 + remaining.inSeconds
        let server = (localWall + offset).rounded(.down) - 1
        return WriteFence(serverSeconds: UInt32(clamping: Int64(max(0, server))))
    }

    private func currentOffset() async throws -> Double {
        if let current = sample.withLock({ $0 }), ContinuousClock.now - current.takenAt < Self.resampleAfter { return current.offset }
        let now = try await serverNow()
        let after = Date().timeIntervalSince1970
        let offset = Double(now) - after
        let previous = sample.withLock { state -> Sample? in
            defer { state = Sample(offset: offset, takenAt: .now) }
            return state
        }
        if previous == nil || abs((previous?.offset ?? offset) - offset) > 2 {
            logger.info("ClickHouse server clock sampled for write fences", metadata: ["clock_offset_seconds": "\(String(format: "%.3f", offset))"])
        }
        return offset
    }
}
