/// When the pipeline flushes its in-memory window to ClickHouse, and how much it may hold.
///
/// Defaults follow ClickHouse practice: about one INSERT per second, far below ClickHouse's one-million-row
/// block size so that each INSERT lands as one part.
package struct BatchPolicy: Sendable, Hashable {
    /// Flush when the window would write this many rows. Default 50,000.
    package var maxRows: Int
    /// Flush when the window holds this many bytes of aggregates. Default 64 MiB.
    package var maxBytes: Int
    /// Flush a non-empty window at least this often. Default 1 second.
    package var maxAge: Duration
    /// Flush the first window after partitions were assigned once it is this old (at most ``maxAge``). Default 0.1 s:
    /// a member that just joined commits its first offsets (and confirms its ownership lease) within moments instead of
    /// a whole ``maxAge`` later; it costs one small INSERT per assignment.
    package var firstMaxAge: Duration
    /// Give up waiting for a flush during a rebalance or shutdown after this long; the data is then dropped
    /// uncommitted and read again by whoever owns the partitions next. Default 30 seconds.
    package var drainTimeout: Duration

    package init(
        maxRows: Int = 50_000, maxBytes: Int = 64 << 20, maxAge: Duration = .seconds(1), firstMaxAge: Duration = .milliseconds(100),
        drainTimeout: Duration = .seconds(30)
    ) {
        precondition(maxRows > 0 && maxBytes > 0, "batch limits must be positive")
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.maxAge = maxAge
        self.firstMaxAge = firstMaxAge
        self.drainTimeout = drainTimeout
    }

    /// What the poll loop should do with its window now.
    package enum Decision: Sendable, Hashable {
        /// Keep consuming into the window.
        case keepGoing
        /// Hand the window to the flusher.
        case flush
        /// The window is full but the previous flush is still running: pause fetching until it completes.
        case pause
    }

    /// Decides from the window's size and age whether to flush, keep going, or pause.
    /// - Parameters:
    ///   - rows: rows the window would write now.
    ///   - bytes: bytes the window holds.
    ///   - age: time since the first record entered the window (zero when empty).
    ///   - hasPendingOffsets: whether records (possibly all invalid) were consumed since the last flush.
    ///   - flushInFlight: whether the previous flush is still being written.
    ///   - keyAtValueLimit: whether a key of the window reached its distinct-value limit
    ///     (``MetadataWindow/hasKeyAtValueLimit``): the window then counts as full.
    ///   - firstAfterAssignment: whether this is the first window since partitions were assigned (due after
    ///     ``firstMaxAge``).
    package func decide(
        rows: Int, bytes: Int, age: Duration, hasPendingOffsets: Bool, flushInFlight: Bool,
        keyAtValueLimit: Bool = false, firstAfterAssignment: Bool = false
    ) -> Decision {
        let full = rows >= maxRows || bytes >= maxBytes || keyAtValueLimit
        let limit = firstAfterAssignment ? min(maxAge, firstMaxAge) : maxAge
        let due = full || (hasPendingOffsets && age >= limit)
        guard due else { return .keepGoing }
        if flushInFlight { return full ? .pause : .keepGoing }
        return .flush
    }
}
