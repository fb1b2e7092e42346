import Store

/// The in-window state behind one ``KeyAggregate``.
struct KeyState {
    let signalSlot: Int32
    let scope: KeyScope
    /// Event name id for ``KeyScope/event`` keys, else -1.
    let eventNameID: Int32
    let keyID: Int32
    var firstSeen: EpochSeconds
    var lastSeen: EpochSeconds
    var count: UInt64 = 0
    /// The last item (data point, span, event, link, record) counted, so a key repeated on one item counts once.
    var lastItem: UInt64 = 0
    var hashes = ValueHashSet()
    /// The ``KeyAggregate/sampleSlots`` so far: empty until the first sample, then ``KeyAggregate/maxSamples`` slots.
    var sampleSlots: [String?] = []
    /// The distinct sample texts so far (``KeyAggregate/smallValues``), at most ``KeyAggregate/maxSamples``; cleared and
    /// no longer collected once ``smallOverflow`` is set.
    var smallValues: [String] = []
    /// The ``ValueHash`` of each of ``smallValues``, in the same order.
    var smallHashes: [UInt64] = []
    /// Heavy-hitter candidates with their texts, once the key is past its small set.
    var heavy = HeavyCandidates()
    /// Whether more than ``KeyAggregate/maxSamples`` distinct sample texts were seen in this window.
    var smallOverflow = false

    init(signalSlot: Int32, scope: KeyScope, eventNameID: Int32, keyID: Int32, timestamp: EpochSeconds) {
        self.signalSlot = signalSlot
        self.scope = scope
        self.eventNameID = eventNameID
        self.keyID = keyID
        firstSeen = timestamp
        lastSeen = timestamp
    }
}
