/// The write fence of one INSERT attempt: the last second, on the ClickHouse server's clock, at which the store may
/// still apply it (``Schema/fenceDeadlineColumn``). Once the server's clock is past it, the attempt can never land: an
/// attempt the server starts later fails whole (code 395), and one it started earlier is running or finished.
package struct WriteFence: Sendable, Hashable, CustomStringConvertible {
    /// Seconds since the epoch on the server's clock.
    package var serverSeconds: UInt32

    package init(serverSeconds: UInt32) {
        self.serverSeconds = serverSeconds
    }

    /// A fence that never expires (maintenance writes that no consumer-group ownership covers).
    package static let never = WriteFence(serverSeconds: Schema.unfencedDeadline)

    package var description: String { "server second \(serverSeconds)" }
}
