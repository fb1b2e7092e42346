/// What census does when a partition's stored progress lies beyond the partition's end (its high watermark): the
/// topic was deleted and re-created (offsets start again at 0), or census points at a different cluster whose topic
/// has the same name.
package enum OffsetRegressionAction: String, Sendable, Hashable, CaseIterable {
    /// Log an error naming topic, partition and offsets, count it, consume nothing more and exit with an error: an
    /// operator decides. The default, because the alternative silently mixes two topics' records into one census.
    case fail
    /// Start a new incarnation of the partition's progress (the old offsets no longer hide the new topic's records) and
    /// read the partition from its low watermark. Metadata already stored from the old topic stays.
    case reset
}
