import Store

extension MetadataWindow {
    // MARK: - Aggregate lookup

    /// The slot of the (signal, name, current service, current day) aggregate, created if new.
    @inline(__always)
    mutating func signalSlot(_ signal: Signal, nameID: Int32) -> Int32 {
        let service = serviceID
        let day = day
        let hash = ValueHash.combine(
            UInt64(signal.rawValue) << 56 | UInt64(day) << 32 | UInt64(UInt32(bitPattern: service)),
            UInt64(UInt32(bitPattern: nameID)))
        let found = signalIndex.find(hash) { slot in
            let i = Int(slot)
            return signals[i].nameID == nameID && signals[i].serviceID == service && signals[i].day == day
                && signals[i].signal.rawValue == signal.rawValue
        }
        if let found { return found }
        let slot = Int32(truncatingIfNeeded: signals.count)
        var state = SignalState(signal: signal, nameID: nameID, serviceID: service, day: day, timestamp: timestamp)
        if signal == .metric {
            state.descriptionID = WellKnown.empty
            state.unitID = WellKnown.empty
        }
        signals.append(state)
        signalIndex.insert(hash, slot)
        return slot
    }

    /// The slot of a key of an aggregate, created if new; `nil` when the aggregate is at its key limit.
    @inline(__always)
    mutating func keySlot(signal slot: Int32, scope: KeyScope, event: Int32, keyID: Int32) -> Int32? {
        let hash = ValueHash.combine(
            UInt64(UInt32(bitPattern: slot)) << 32 | UInt64(UInt32(bitPattern: keyID)),
            UInt64(UInt32(bitPattern: event)) << 8 | UInt64(scope.tag))
        let found = keyIndex.find(hash) { k in
            let i = Int(k)
            return keys[i].keyID == keyID && keys[i].signalSlot == slot && keys[i].scope.tag == scope.tag && keys[i].eventNameID == event
        }
        if let found { return found }
        return addKey(hash, signal: slot, scope: scope, event: event, keyID: keyID)
    }

    @inline(never)
    private mutating func addKey(_ hash: UInt64, signal slot: Int32, scope: KeyScope, event: Int32, keyID: Int32) -> Int32? {
        guard signals[Int(slot)].keyCount < limits.maxKeysPerAggregate else { return nil }
        signals[Int(slot)].keyCount &+= 1
        let k = Int32(truncatingIfNeeded: keys.count)
        keys.append(KeyState(signalSlot: slot, scope: scope, eventNameID: event, keyID: keyID, timestamp: timestamp))
        keyIndex.insert(hash, k)
        return k
    }

    // MARK: - Attributes

    /// Counts one `KeyValue` of an item: the key once per item, the value's hash (and its observations, for the heavy
    /// hitters), and the value as a sample when it is the smallest text of its sample slot. `position` is the attribute's
    /// index in the item (for ``keyCache``).
    /// - Returns: The key id and value (the log analyzer looks for `event.name`, `message` and `msg`), and the value's
    ///   hash (metric points fold key and hash into their series fingerprint, ``seriesPair(_:)``).
    @inline(__always)
    @discardableResult
    mutating func addAttribute(
        _ keyValue: WireReader, signal slot: Int32, scope: KeyScope, event: Int32 = -1,
        item: UInt64, position: Int
    ) throws(WireError) -> (keyID: Int32, value: AnyValueView, hash: UInt64) {
        let (key, value) = try ValueText.keyValue(keyValue)
        var keyID: Int32 = -1
        var k: Int32 = -1
        if position < Self.keyCacheSize {
            let cached = keyCache[position]
            if cached.signalSlot == slot, cached.scope.tag == scope.tag, cached.event == event, strings.bytesEqual(cached.keyID, key.bytes) {
                keyID = cached.keyID
                k = cached.keySlot
            }
        }
        let hash = try ValueText.hash(value, scratch: &valueScratch)
        if k < 0 { keyID = strings.intern(key.bytes) }
        if !watch.keyIDs.isEmpty { try collectWatched(keyID, value, times: 1) }
        if k < 0 {
            guard let found = keySlot(signal: slot, scope: scope, event: event, keyID: keyID) else {
                overflow.droppedKeyObservations &+= 1
                return (keyID, value, hash)
            }
            k = found
            if position < Self.keyCacheSize {
                keyCache[position] = CachedKey(signalSlot: slot, scope: scope, event: event, keyID: keyID, keySlot: found)
            }
        }
        let seen = Self.observe(&keys[Int(k)], item: item, timestamp: timestamp, hash: hash)
        if seen.inserted {
            let members = keys[Int(k)].hashes.count
            valueTableBytes &+= ValueHashSet.bytesAdded(reaching: members)
            if members >= limits.maxDistinctValuesPerKey { keyAtValueLimit = true }
            try offerSample(Int(k), value, hash: hash)
        } else if HeavyCandidates.crossesPowerOfTwo(seen.before, seen.after), keys[Int(k)].smallOverflow {
            try offerHeavy(Int(k), value, hash: hash, count: seen.after)
        }
        return (keyID, value, hash)
    }

    /// Counts `times` observations of `value` when `keyID` is a deep-watched key (``WatchCollector``).
    @inline(never)
    mutating func collectWatched(_ keyID: Int32, _ value: AnyValueView, times: UInt64) throws(WireError) {
        guard let w = watch.keyIDs.firstIndex(of: keyID), w < 64, watchMask & (1 << UInt64(w)) != 0 else { return }
        let text = try ValueText.withText(value, maxScalars: limits.maxSampleLength, scratch: &sampleScratch) { String(decoding: $0, as: UTF8.self) }
        extraBytes &+= watch.record(watch: w, text: text, day: day, timestamp: timestamp, times: times)
    }

    /// The current resource's part of a data point's series fingerprint, computed once per resource.
    @inline(__always)
    mutating func seriesBase() -> UInt64 {
        if let resourceFingerprint { return resourceFingerprint }
        var fingerprint: UInt64 = 0
        for attribute in resourceAttributes {
            fingerprint &+= SeriesFingerprint.pair(key: strings.stableHash(attribute.keyID), value: attribute.hash)
        }
        resourceFingerprint = fingerprint
        return fingerprint
    }

    /// The series-fingerprint contribution of an attribute ``addAttribute`` counted.
    @inline(__always)
    mutating func seriesPair(_ attribute: (keyID: Int32, value: AnyValueView, hash: UInt64)) -> UInt64 {
        SeriesFingerprint.pair(key: strings.stableHash(attribute.keyID), value: attribute.hash)
    }

    /// Counts an observation of a key (once per item) and of its value hash.
    @inline(__always)
    static func observe(_ key: inout KeyState, item: UInt64, timestamp: EpochSeconds, hash: UInt64) -> (inserted: Bool, before: UInt32, after: UInt32)
    {
        if key.lastItem != item {
            key.lastItem = item
            key.count &+= 1
        }
        if timestamp < key.firstSeen { key.firstSeen = timestamp }
        if timestamp > key.lastSeen { key.lastSeen = timestamp }
        return key.hashes.observe(hash, times: 1)
    }

    /// Makes a value that just reached `count` observations (a power of two) a heavy-hitter candidate of key `i`
    /// (``HeavyCandidates``), capturing its text: appended while there is room, else it replaces the candidate seen
    /// least often, if that one was seen less often. Only for keys past their exact small set.
    @inline(never)
    mutating func offerHeavy(_ i: Int, _ value: AnyValueView, hash: UInt64, count: UInt32) throws(WireError) {
        if keys[i].heavy.contains(hash: hash) { return }
        let victim = keys[i].heavy.replacement(for: count, in: keys[i].hashes)
        guard victim != nil || !keys[i].heavy.isFull else { return }
        let text = try ValueText.withText(value, maxScalars: limits.maxSampleLength, scratch: &sampleScratch) { String(decoding: $0, as: UTF8.self) }
        extraBytes &+= keys[i].heavy.insert(hash: hash, text: text, replacing: victim)
    }

    /// Offers `value` (whose ``ValueHash`` is `hash`) to its sample slot (``SampleSlots``): the slot keeps the smallest
    /// text, by UTF-8 bytes after truncation to ``WindowLimits/maxSampleLength`` scalars and U+FFFD repair.
    ///
    /// The text is compared as raw bytes (from the payload for strings, from reused scratch for other kinds) before any
    /// `String` is made; only a value that wins its slot allocates. Invalid UTF-8 compares by its repaired text, as the
    /// stored string would, so the choice never depends on which values a window happened to see.
    @inline(__always)
    mutating func offerSample(_ i: Int, _ value: AnyValueView, hash: UInt64) throws(WireError) {
        let slot = SampleSlots.slot(ofHash: hash)
        var scratch: [UInt8] = []
        swap(&scratch, &sampleScratch)
        defer { swap(&scratch, &sampleScratch) }
        try ValueText.withText(value, maxScalars: limits.maxSampleLength, scratch: &scratch) { text in
            if keys[i].sampleSlots.isEmpty {
                keys[i].sampleSlots = SampleSlots.empty
                extraBytes &+= KeyAggregate.maxSamples &* 16
            }
            let current = keys[i].sampleSlots[slot]
            let valid = ValueText.isValidUTF8(text)
            var string: String?
            if !keys[i].smallOverflow {
                string = offerSmallValue(i, text, valid: valid, hash: hash)
            }
            if let current, valid, Self.compare(text, current) >= 0 { return }
            let made = string ?? String(decoding: text, as: UTF8.self)
            if let current, !valid, !SampleSlots.precedes(made, current) { return }
            extraBytes &+= made.utf8.count &- (current?.utf8.count ?? 0)
            keys[i].sampleSlots[slot] = made
        }
    }

    /// Adds a sample text to key `i`'s exact small set (``KeyAggregate/smallValues``) unless it is already there; the
    /// first text past ``KeyAggregate/maxSamples`` distinct ones clears the set and marks it overflowed. Valid UTF-8 is compared as
    /// raw bytes (no allocation for a text already held); invalid UTF-8 by its repaired text. Returns the `String` made for
    /// `text`, if one was.
    @inline(__always)
    mutating func offerSmallValue(_ i: Int, _ text: UnsafeRawBufferPointer, valid: Bool, hash: UInt64) -> String? {
        var string: String?
        if valid {
            for held in keys[i].smallValues where Self.compare(text, held) == 0 { return nil }
        } else {
            let repaired = String(decoding: text, as: UTF8.self)
            for held in keys[i].smallValues where held.utf8.elementsEqual(repaired.utf8) { return repaired }
            string = repaired
        }
        guard keys[i].smallValues.count < KeyAggregate.maxSamples else {
            // The values seen often enough so far become the first heavy-hitter candidates (their texts are here).
            for (held, heldHash) in zip(keys[i].smallValues, keys[i].smallHashes) {
                extraBytes &-= held.utf8.count &+ 24
                if keys[i].hashes.observations(of: heldHash) >= HeavyCandidates.minimumCount {
                    extraBytes &+= keys[i].heavy.insert(hash: heldHash, text: held, replacing: nil)
                }
            }
            keys[i].smallValues = []
            keys[i].smallHashes = []
            keys[i].smallOverflow = true
            return string
        }
        let made = string ?? String(decoding: text, as: UTF8.self)
        extraBytes &+= made.utf8.count &+ 24
        keys[i].smallValues.append(made)
        keys[i].smallHashes.append(hash)
        return made
    }

    /// Compares raw bytes with a string's UTF-8: -1, 0 or 1.
    @inline(__always)
    static func compare(_ bytes: UnsafeRawBufferPointer, _ string: String) -> Int {
        var string = string
        return string.withUTF8 { compareBytes(bytes, UnsafeRawBufferPointer($0)) }
    }

    /// Compares two strings by their UTF-8 bytes: -1, 0 or 1.
    static func compare(_ a: String, _ b: String) -> Int {
        var a = a
        return a.withUTF8 { compare(UnsafeRawBufferPointer($0), b) }
    }

    // MARK: - Resources

    /// Decodes the resource of a `Resource*` message once: its attributes (duplicates: the last wins) and service.
    mutating func loadResource(_ resourceItems: WireReader) throws(WireError) {
        resourceAttributes.removeAll(keepingCapacity: true)
        var order: Int32 = 0
        var reader = resourceItems
        while let field = try reader.nextField() {
            guard field.number == CommonFields.ResourceItems.resource, field.type == .lengthDelimited else {
                try reader.skip(field.type)
                continue
            }
            var resource = try reader.readLengthDelimited()
            while let field = try resource.nextField() {
                guard field.number == CommonFields.Resource.attributes, field.type == .lengthDelimited else {
                    try resource.skip(field.type)
                    continue
                }
                let (key, value) = try ValueText.keyValue(resource.readLengthDelimited())
                let keyID = strings.intern(key.bytes)
                let hash = try ValueText.hash(value, scratch: &valueScratch)
                resourceAttributes.append(ResourceAttribute(keyID: keyID, hash: hash, value: value, order: order))
                order &+= 1
            }
        }
        if resourceAttributes.count > 1 {
            resourceAttributes.sort { ($0.keyID, $0.order) < ($1.keyID, $1.order) }
            var unique: [ResourceAttribute] = []
            unique.reserveCapacity(resourceAttributes.count)
            for attribute in resourceAttributes {
                if let last = unique.last, last.keyID == attribute.keyID {
                    unique[unique.count - 1] = attribute
                } else {
                    unique.append(attribute)
                }
            }
            resourceAttributes = unique
        }
        var service: WireReader?
        var host: WireReader?
        for attribute in resourceAttributes where attribute.value.isNonEmptyString {
            if attribute.keyID == WellKnown.serviceName { service = attribute.value.reader }
            if attribute.keyID == WellKnown.hostName { host = attribute.value.reader }
        }
        if let name = service ?? host {
            serviceID = strings.intern(name.bytes)
        } else {
            serviceID = WellKnown.unknown
        }
        resourceFingerprint = nil
    }

    /// Records that `count` items of the current resource belong to aggregate `slot`.
    @inline(__always)
    mutating func touch(_ slot: Int32, items count: UInt64) {
        guard count > 0 else { return }
        let i = Int(slot)
        if signals[i].pendingResourceItems == 0 { touched.append(slot) }
        signals[i].pendingResourceItems &+= count
    }

    /// Counts the current resource's attributes once per item for every aggregate its items touched.
    mutating func finishResource() {
        let attributes = resourceAttributes
        for slot in touched {
            let items = signals[Int(slot)].pendingResourceItems
            signals[Int(slot)].pendingResourceItems = 0
            for attribute in attributes {
                // Cannot throw: the value was decoded (and validated) when the resource was loaded.
                if !watch.keyIDs.isEmpty { try? collectWatched(attribute.keyID, attribute.value, times: items) }
                guard let k = keySlot(signal: slot, scope: .resource, event: -1, keyID: attribute.keyID) else {
                    overflow.droppedKeyObservations &+= items
                    continue
                }
                let i = Int(k)
                keys[i].count &+= items
                if timestamp < keys[i].firstSeen { keys[i].firstSeen = timestamp }
                if timestamp > keys[i].lastSeen { keys[i].lastSeen = timestamp }
                let seen = keys[i].hashes.observe(attribute.hash, times: UInt32(clamping: items))
                if seen.inserted {
                    let members = keys[i].hashes.count
                    valueTableBytes &+= ValueHashSet.bytesAdded(reaching: members)
                    if members >= limits.maxDistinctValuesPerKey { keyAtValueLimit = true }
                    // Cannot throw: the value was decoded (and validated) when the resource was loaded.
                    try? offerSample(i, attribute.value, hash: attribute.hash)
                }
                if HeavyCandidates.crossesPowerOfTwo(seen.before, seen.after), keys[i].smallOverflow {
                    try? offerHeavy(i, attribute.value, hash: attribute.hash, count: seen.after)
                }
            }
        }
        touched.removeAll(keepingCapacity: true)
    }

    // MARK: - Shared signal facts

    /// Counts `items` items of aggregate `slot` from the current record, with their scope.
    @inline(__always)
    mutating func count(_ slot: Int32, items: UInt64, scope: ScopeIDs) {
        let i = Int(slot)
        signals[i].count &+= items
        if timestamp < signals[i].firstSeen { signals[i].firstSeen = timestamp }
        if timestamp > signals[i].lastSeen { signals[i].lastSeen = timestamp }
        let currentName = signals[i].scopeNameID
        if currentName != scope.name || signals[i].scopeVersionID != scope.version {
            if currentName < 0 || Self.isSmaller(scope, than: (currentName, signals[i].scopeVersionID), in: strings) {
                signals[i].scopeNameID = scope.name
                signals[i].scopeVersionID = scope.version
            }
        }
        touch(slot, items: items)
    }

    /// Whether `scope` sorts before `current` (by name, then version). Static over the string table: a method on the
    /// window called from its mutating methods made the compiler copy the whole window (and retain its arrays).
    private static func isSmaller(_ scope: ScopeIDs, than current: (name: Int32, version: Int32), in strings: borrowing StringTable) -> Bool {
        let byName = compare(strings[scope.name], strings[current.name])
        if byName != 0 { return byName < 0 }
        return compare(strings[scope.version], strings[current.version]) < 0
    }

    /// The larger (by UTF-8 bytes) of two interned strings (static for the reason given at ``isSmaller(_:than:in:)``).
    static func larger(_ a: Int32, _ b: Int32, in strings: borrowing StringTable) -> Int32 {
        guard a != b else { return a }
        guard a >= 0 else { return b }
        guard b >= 0 else { return a }
        return compare(strings[a], strings[b]) >= 0 ? a : b
    }

    /// Adds an event name to aggregate `slot`; `false` when the aggregate is at its event-name limit.
    mutating func addEventName(_ slot: Int32, _ nameID: Int32) -> Bool {
        let i = Int(slot)
        if signals[i].eventNameIDs.contains(nameID) { return true }
        guard signals[i].eventNameIDs.count < limits.maxEventNamesPerAggregate else {
            overflow.droppedEventNames &+= 1
            return false
        }
        signals[i].eventNameIDs.append(nameID)
        extraBytes &+= 4
        return true
    }

    /// The next item number (items are counted once per key).
    @inline(__always)
    mutating func nextItem() -> UInt64 {
        item &+= 1
        return item
    }
}
