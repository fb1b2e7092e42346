import Store

/// The in-window state behind one ``SignalAggregate``: ids into the window's ``StringTable`` instead of strings.
struct SignalState {
    let signal: Signal
    let nameID: Int32
    let serviceID: Int32
    let day: UInt16
    var firstSeen: EpochSeconds
    var lastSeen: EpochSeconds
    var count: UInt64 = 0

    var descriptionID: Int32 = -1
    var unitID: Int32 = -1
    var metricType: MetricType = .unknown
    var temporality: UInt8 = 0
    var explicitBounds: Set<Double> = []
    var scales: Set<Int32> = []
    /// Hash of the last packed `explicit_bounds` merged (identical bounds on every point are merged once).
    var lastBoundsHash: UInt64 = 0
    var lastScale: Int32 = .min
    /// Series fingerprints of the data points (metrics only).
    var series = ValueHashSet()

    var spanKind: UInt8 = 0
    var statusCodes: StatusCodeSet = []
    var eventNameIDs: [Int32] = []
    var droppedAttributes = DroppedStats()
    var droppedEvents = DroppedStats()
    var droppedLinks = DroppedStats()
    var severityNumber: UInt8 = 0
    var flags: SignalFlags = []
    var scopeNameID: Int32 = -1
    var scopeVersionID: Int32 = -1

    /// Keys and templates created for this aggregate (for the limits).
    var keyCount = 0
    var templateCount = 0
    /// Items of the resource being applied that still owe their resource keys.
    var pendingResourceItems: UInt64 = 0

    init(signal: Signal, nameID: Int32, serviceID: Int32, day: UInt16, timestamp: EpochSeconds) {
        self.signal = signal
        self.nameID = nameID
        self.serviceID = serviceID
        self.day = day
        firstSeen = timestamp
        lastSeen = timestamp
    }

    @inline(__always)
    mutating func seen(_ timestamp: EpochSeconds) {
        if timestamp < firstSeen { firstSeen = timestamp }
        if timestamp > lastSeen { lastSeen = timestamp }
    }
}
