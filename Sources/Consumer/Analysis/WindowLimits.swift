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

    package init(maxKeysPerAggregate: Int = 1_000, maxEventNamesPerAggregate: Int = 256, maxTemplatesPerAggregate: Int = 1_000,
                 maxTemplateLength: Int = BodyTemplater.defaultMaxLength, maxExampleLength: Int = 200, maxSampleLength: Int = 256) {
        self.maxKeysPerAggregate = maxKeysPerAggregate
        self.maxEventNamesPerAggregate = maxEventNamesPerAggregate
        self.maxTemplatesPerAggregate = maxTemplatesPerAggregate
        self.maxTemplateLength = maxTemplateLength
        self.maxExampleLength = maxExampleLength
        self.maxSampleLength = maxSampleLength
    }
}
