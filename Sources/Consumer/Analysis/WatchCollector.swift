import Store

/// The values of deep-watched keys one ``MetadataWindow`` collects (see ``WatchRegistry``): per (watched key, day, value)
/// the observations and first/last seen, and per (watched key, day) the observations of values the registry did not
/// admit (past the key's limit). Drained into ``MetadataBatch/watchedValues`` with the rest of the window, so they land
/// in the same INSERT as the metadata and its progress rows.
struct WatchCollector {
    /// Where the watch list and the admission of values come from; `nil`: nothing is watched.
    let registry: WatchRegistry?
    /// The keys this window collects (the registry's list when the window started).
    private(set) var keys: [String] = []
    /// Their ids in the window's string table, in ``keys`` order.
    var keyIDs: [Int32] = []
    private var entries: [Entry] = []
    private var index: [EntryKey: Int] = [:]
    /// The registry's answer per (watched key, value) text, asked once per window.
    private var admitted: [AdmitKey: Bool] = [:]

    private struct EntryKey: Hashable {
        var watch: Int
        var day: UInt16
        /// `nil`: the key's overflow.
        var text: String?
    }

    private struct AdmitKey: Hashable {
        var watch: Int
        var text: String
    }

    private struct Entry {
        var key: EntryKey
        var firstSeen: EpochSeconds
        var lastSeen: EpochSeconds
        var count: UInt64
    }

    /// The registry's ``WatchRegistry/generation`` of ``keys``.
    private(set) var generation: UInt64 = 0

    init(registry: WatchRegistry?) {
        self.registry = registry
        if let current = registry?.current {
            keys = current.keys
            generation = current.generation
        }
    }

    /// A collector of exactly `keys` (a list the owner chose: ``MetadataWindow/pinWatch(keys:)``).
    init(registry: WatchRegistry?, keys: [String]) {
        self.registry = registry
        self.keys = keys
        generation = registry?.generation ?? 0
    }

    /// Whether the registry's list changed since this collector read it.
    var isOutdated: Bool {
        guard let registry else { return false }
        return registry.generation != generation
    }

    /// Rows a drain produces.
    var rowCount: Int { entries.count }

    /// Counts `times` observations of `text` for watched key number `watch`; returns the bytes newly held.
    mutating func record(watch: Int, text: String, day: UInt16, timestamp: EpochSeconds, times: UInt64) -> Int {
        let admitKey = AdmitKey(watch: watch, text: text)
        let isAdmitted: Bool
        var added = 0
        if let known = admitted[admitKey] {
            isAdmitted = known
        } else {
            isAdmitted = registry?.admit(key: keys[watch], value: text) ?? false
            admitted[admitKey] = isAdmitted
            added &+= text.utf8.count &+ 48
        }
        let key = EntryKey(watch: watch, day: day, text: isAdmitted ? text : nil)
        if let i = index[key] {
            entries[i].count &+= times
            if timestamp < entries[i].firstSeen { entries[i].firstSeen = timestamp }
            if timestamp > entries[i].lastSeen { entries[i].lastSeen = timestamp }
            return added
        }
        index[key] = entries.count
        entries.append(Entry(key: key, firstSeen: timestamp, lastSeen: timestamp, count: times))
        return added &+ (isAdmitted ? text.utf8.count : 0) &+ 64
    }

    /// The window's watched-value rows.
    func aggregates() -> [WatchedValueAggregate] {
        entries.map { entry in
            WatchedValueAggregate(
                key: keys[entry.key.watch], value: entry.key.text, day: entry.key.day, firstSeen: entry.firstSeen,
                lastSeen: entry.lastSeen, count: entry.count)
        }
    }
}
