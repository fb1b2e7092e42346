import Store

/// The in-window state behind one ``TemplateAggregate``; severity, service and day come from its log aggregate.
struct TemplateState {
    let signalSlot: Int32
    let templateID: Int32
    var firstSeen: EpochSeconds
    var lastSeen: EpochSeconds
    var count: UInt64 = 0
    /// The smallest original body seen (by UTF-8 bytes), truncated.
    var example: String

    init(signalSlot: Int32, templateID: Int32, timestamp: EpochSeconds, example: String) {
        self.signalSlot = signalSlot
        self.templateID = templateID
        firstSeen = timestamp
        lastSeen = timestamp
        self.example = example
    }
}
