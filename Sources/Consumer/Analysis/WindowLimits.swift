import Store

/// Bounds on what one ``MetadataWindow`` keeps, so that hostile or broken telemetry cannot grow it without limit.
///
/// Observations beyond a bound are counted in ``WindowOverflow``; the signal counts themselves are never capped.
package struct WindowLimits: Sendable, Hashable {
    /// Keys (of all scopes) per signal aggregate, i.e. per (signal, name, service, day). Default 1,000.
    package var maxKeysPerAggregate: Int
    /// Span event names or log event names per signal aggregate. Default 256.
    package var maxEventNamesPerAggregate: Int
    /// Body templates per (severity, service, day). Default 1,000.
    package var maxTemplatesPerAggregate: Int
    /// Template length in Unicode scalars. Default 256.
    package var maxTemplateLength: Int
    /// Template example length in Unicode scalars. Default 200.
    package var maxExampleLength: Int
    /// Value sample length in Unicode scalars. Default 256.
    package var maxSampleLength: Int
    /// Distinct value hashes one key may hold in one window before the window asks to be flushed
    /// (``MetadataWindow/hasKeyAtValueLimit``). Default 131,072 (at most about 2 MiB of hash table per key).
    ///
    /// This bounds the memory of a cardinality explosion without changing the answer: the hashes are sent in more,
    /// smaller windows and ClickHouse folds them into the same `uniqCombined` state. A key can exceed the limit by
    /// the values of the one record that crossed it, since records are never split between windows.
    package var maxDistinctValuesPerKey: Int
    /// Rows (signal, key and template aggregates) one record may add to a window; a record that would add more is
    /// refused whole (``OTLPDecodeError/Kind/tooManyRows``: quarantined) and leaves the window unchanged. Default
    /// 100,000; the ingest pipeline lowers it so that a window always fits one INSERT (``InsertBudget``).
    package var maxRecordRows: Int

    package init(
        maxKeysPerAggregate: Int = 1_000, maxEventNamesPerAggregate: Int = 256, maxTemplatesPerAggregate: Int = 1_000,
        maxTemplateLength: Int = BodyTemplater.defaultMaxLength, maxExampleLength: Int = 200, maxSampleLength: Int = 256,
        maxDistinctValuesPerKey: Int = 1 << 17, maxRecordRows: Int = 100_000
    ) {
        self.maxKeysPerAggregate = maxKeysPerAggregate
        self.maxEventNamesPerAggregate = maxEventNamesPerAggregate
        self.maxTemplatesPerAggregate = maxTemplatesPerAggregate
        self.maxTemplateLength = maxTemplateLength
        self.maxExampleLength = maxExampleLength
        self.maxSampleLength = maxSampleLength
        self.maxDistinctValuesPerKey = max(1, maxDistinctValuesPerKey)
        self.maxRecordRows = max(1, maxRecordRows)
    }
}
