import Store

/// What a ``MetadataWindow`` left out because of its ``WindowLimits`` since the last drain.
///
/// - Note: Reset by ``MetadataWindow/drain()``; read it before draining to report it.
package struct WindowOverflow: Sendable, Hashable {
    /// Key observations dropped because their aggregate already had ``WindowLimits/maxKeysPerAggregate`` keys.
    package var droppedKeyObservations: UInt64 = 0
    /// Event names (and their event keys) dropped because of ``WindowLimits/maxEventNamesPerAggregate``.
    package var droppedEventNames: UInt64 = 0
    /// Log records whose template was dropped because of ``WindowLimits/maxTemplatesPerAggregate``.
    package var droppedTemplateObservations: UInt64 = 0

    package init() {}

    /// Adds `other`'s counts (saturating).
    package mutating func add(_ other: WindowOverflow) {
        func sum(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (total, overflowed) = a.addingReportingOverflow(b)
            return overflowed ? .max : total
        }
        droppedKeyObservations = sum(droppedKeyObservations, other.droppedKeyObservations)
        droppedEventNames = sum(droppedEventNames, other.droppedEventNames)
        droppedTemplateObservations = sum(droppedTemplateObservations, other.droppedTemplateObservations)
    }

    /// Whether nothing was dropped.
    package var isEmpty: Bool { droppedKeyObservations == 0 && droppedEventNames == 0 && droppedTemplateObservations == 0 }
}
