/// What a failed INSERT attempt may have done to the store: all a writer needs to decide whether to resend.
package enum InsertOutcome: Sendable, Hashable {
    /// Certainly not applied (refused before or while parsing, connection refused, a definite server error).
    case notApplied
    /// Certainly not applied because the server's clock was past the attempt's write fence (``WriteFence``).
    case fenced
    /// Not applied, and the same batch would be refused every time (too large for one INSERT): never resend it.
    case refusedForever
    /// The answer was lost (timeout, connection reset after sending, …): it may have been applied, or may still be.
    case mayHaveBeenApplied
}

extension ClickHouseError {
    /// What this failure of an INSERT means for the data it carried. 395: the write fence refused the block (nothing
    /// stored). 216: an earlier attempt with the same query id still runs. Otherwise the client's own judgement
    /// (``mayHaveBeenApplied``: timeouts, resets after sending, 5xx without a definite answer).
    package var insertOutcome: InsertOutcome {
        if serverCode == .throwIfValueNonZero { return .fenced }
        if mayHaveBeenApplied || serverCode == .queryWithSameIDIsAlreadyRunning { return .mayHaveBeenApplied }
        return .notApplied
    }
}
