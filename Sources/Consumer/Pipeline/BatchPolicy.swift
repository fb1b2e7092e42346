/// When the pipeline flushes its in-memory window to ClickHouse, and how much it may hold.
///
/// Defaults follow ClickHouse practice: about one INSERT per second, far below ClickHouse's one-million-row
/// block size so that each INSERT lands as one part.
package struct BatchPolicy: Sendable, Hashable {
    /// Flush when the window would write this many rows. Default 50,000.
    package var maxRows: Int
    /// Flush when the window holds this many bytes of aggregates. Default 64 MiB. While a flush is in flight the window
    /// may grow past it, within ``windowBudget`` (``fillLimit(writing:)``).
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
        /// The window reached its limit while the previous flush is still running (``fillLimit(writing:)``): stop
        /// filling it until that flush completes or holds less.
        case pause
    }

    /// Two windows: what the window filling and the flush in flight may hold together once that flush is encoded, and
    /// the most one window may hold.
    package var windowBudget: Int { maxBytes > Int.max / 2 ? Int.max : maxBytes * 2 }

    /// Bytes the window may hold before it stops filling.
    ///
    /// With no flush in flight that is ``maxBytes``: the window is handed to the flusher once it is full. While one
    /// is written, the window keeps filling into what that flush leaves of ``windowBudget``, and at least to
    /// ``maxBytes`` (as far as it could fill before): once encoded, a flush holds only its INSERT body (a quarter to
    /// half of its window's bytes), so analysis keeps going while ClickHouse writes instead of waiting for it. A window
    /// that grew past ``maxBytes`` this way is flushed as soon as the flusher is free. So a window holds at most
    /// ``windowBudget``; the window and the flush in flight together hold at most ``windowBudget`` once that flush is
    /// encoded, and while it is encoded at most its window (up to ``windowBudget``) and ``maxBytes``.
    /// - Parameter writing: Bytes the flush in flight holds (``Flusher/heldBytes``); `nil` when none is.
    /// - Note: A window fills on past ``maxBytes`` only up to ``maxFilledOnBytes``: its INSERT body (a quarter to half of
    ///   its bytes) must stay well within one INSERT's limit (`MetadataWriter.maxBytesPerInsert`, 200 MiB), or the batch
    ///   could never be written. With `--flush-bytes` at or above that, windows are flushed at `--flush-bytes` as before.
    package func fillLimit(writing: Int?) -> Int {
        guard let writing else { return maxBytes }
        return max(maxBytes, min(windowBudget - max(0, writing), Self.maxFilledOnBytes))
    }

    /// The most bytes a window fills on to while a flush is in flight (see ``fillLimit(writing:)``): 256 MiB.
    package static let maxFilledOnBytes = 256 << 20

    /// Whether the window must stop filling (see ``fillLimit(writing:)``): its rows fill one INSERT (rows are never
    /// taken past ``maxRows``, ``InsertBudget``), a key reached its distinct-value limit, or its bytes reached the limit.
    package func atLimit(rows: Int, bytes: Int, keyAtValueLimit: Bool = false, writing: Int?) -> Bool {
        rows >= maxRows || keyAtValueLimit || bytes >= fillLimit(writing: writing)
    }

    /// Decides from the window's size and age whether to flush, keep going, or pause.
    /// - Parameters:
    ///   - rows: rows the window would write now.
    ///   - bytes: bytes the window holds.
    ///   - age: time since the first record entered the window (zero when empty).
    ///   - hasPendingOffsets: whether records (possibly all invalid) were consumed since the last flush.
    ///   - writing: bytes the flush in flight holds (``Flusher/heldBytes``); `nil` when no flush is in flight.
    ///   - keyAtValueLimit: whether a key of the window reached its distinct-value limit
    ///     (``MetadataWindow/hasKeyAtValueLimit``): the window then counts as full.
    ///   - firstAfterAssignment: whether this is the first window since partitions were assigned (due after
    ///     ``firstMaxAge``).
    package func decide(
        rows: Int, bytes: Int, age: Duration, hasPendingOffsets: Bool, writing: Int?,
        keyAtValueLimit: Bool = false, firstAfterAssignment: Bool = false
    ) -> Decision {
        let full = atLimit(rows: rows, bytes: bytes, keyAtValueLimit: keyAtValueLimit, writing: writing)
        if writing != nil { return full ? .pause : .keepGoing }
        let limit = firstAfterAssignment ? min(maxAge, firstMaxAge) : maxAge
        return full || (hasPendingOffsets && age >= limit) ? .flush : .keepGoing
    }
}
