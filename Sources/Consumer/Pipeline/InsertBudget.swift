import Store

/// Keeps every window within ONE INSERT (``MetadataWriter/maxRowsPerInsert``, 1,000,000 rows), whatever records arrive.
///
/// The INSERT of a window carries its rows, as many catalog rows at most (derived from its key rows) and one progress row
/// per partition. The poll thread stops handing records to the analyzer once the window holds `--flush-rows` rows, but
/// the records already queued on the analyzer lanes (at most ``ParallelAnalyzer/queuedPerLane`` per lane, plus the one
/// each lane is analyzing; with one lane only the record being analyzed) still land, each adding at most the per-record
/// cap (``WindowLimits/maxRecordRows``). So a window holds fewer than
///
///     flushRows + recordsInFlight × recordRows
///
/// rows, and the INSERT fewer than twice that plus the progress rows. The budget keeps
/// `2 × (flushRows + recordsInFlight × recordRows) + progressReserve ≤ maxRowsPerInsert` by lowering the per-record cap
/// (not below ``minRecordRows``, or half the window's rows shared by the records in flight when that is less) and
/// then, if still needed, the flush threshold. With the defaults (`--flush-rows` 50,000, `--max-record-rows` 100,000):
/// one lane keeps 100,000; two lanes (10 records in flight) 44,500; four lanes (20) 22,250.
package struct InsertBudget: Sendable, Hashable {
    /// Progress rows (partitions of one window) the budget leaves room for.
    package static let progressReserve = 10_000
    /// The per-record cap is never derived below this; the flush threshold gives way instead.
    package static let minRecordRows = 10_000

    /// Window rows at which the window counts as full (at most the configured `--flush-rows`).
    package let flushRows: Int
    /// Rows one record may add (at most the configured `--max-record-rows`).
    package let recordRows: Int
    /// Records that may still land in a window after it counts as full.
    package let recordsInFlight: Int

    /// - Parameters:
    ///   - flushRows: The configured `--flush-rows`.
    ///   - recordRows: The configured `--max-record-rows`.
    ///   - lanes: Analyzer lanes (``ParallelAnalyzer/lanes``).
    package init(flushRows: Int, recordRows: Int, lanes: Int) {
        recordsInFlight = lanes <= 1 ? 1 : lanes * (ParallelAnalyzer.queuedPerLane + 1)
        let windowRows = (MetadataWriter.maxRowsPerInsert - Self.progressReserve) / 2
        // What the configured flush threshold leaves; but never below minRecordRows, nor so low (many lanes) that the
        // records in flight would not get half of the window's rows.
        let floor = min(Self.minRecordRows, windowRows / 2 / recordsInFlight)
        let derived = max(floor, (windowRows - max(1, flushRows)) / recordsInFlight)
        self.recordRows = max(1, min(recordRows, derived))
        self.flushRows = max(1, min(flushRows, windowRows - recordsInFlight * self.recordRows))
    }

    /// The most rows the INSERT of a window may carry under this budget (catalog and progress rows included).
    package var maxInsertRows: Int { 2 * (flushRows + recordsInFlight * recordRows) + Self.progressReserve }
}
