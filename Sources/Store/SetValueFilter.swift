import Synchronization

/// Which set values a writer has stored lately — histogram bounds, scales and event names of signal rows, small value
/// sets of key and catalog rows, heavy-hitter texts of key rows — so that each is sent once per row, writer and period
/// instead of with every flush window.
///
/// Why: migration 9 stores these sets as `groupArrayArray(N)` states (``Schema/setStates``), which keep what they are
/// given up to N entries without removing repeats. A metric's bounds sent with every window would fill its day's state
/// with copies in a few windows, and a value first seen later would find no room. Sending each value once keeps the
/// states to their distinct values plus a few repeats: one per writer process and ``period`` (the filter forgets after
/// one to two periods, so a store cleared or a day deleted by retention gets its values again within two periods).
///
/// A value counts as stored only once the INSERT that carried it was acknowledged (``confirm(_:)``); a failed or
/// unanswered attempt confirms nothing, so its values are sent again. Between attempts of one batch nothing is confirmed
/// (one writer flushes one batch at a time), so a retried batch is encoded to the same bytes.
///
/// Memory: two generations of at most ``capacity`` 64-bit fingerprints each (the default 1,000,000: ≈ 40 MB at most);
/// a generation that fills early ends the period early. The fingerprint is the row's identity (kind, signal, name,
/// service, scope, sub, key, day), the column and the value, hashed (``ValueHash``); two values sharing one (a
/// one-in-10¹³ event per pair among a million) would only keep the second from being sent in that period.
package final class SetValueFilter: Sendable {
    /// Fingerprints of the values an encoded batch carries, to ``confirm(_:)`` once the batch is stored.
    package struct Pending: Sendable {
        fileprivate var fingerprints: Set<UInt64> = []
        /// How many values the batch carries for the first time (in this period).
        package var count: Int { fingerprints.count }
    }

    /// Most fingerprints per generation.
    package let capacity: Int
    /// How long a stored value is remembered at least (between one and two periods).
    package let period: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var current: Set<UInt64> = []
        var previous: Set<UInt64> = []
        var generationStart: ContinuousClock.Instant
    }

    /// - Parameters:
    ///   - capacity: Most fingerprints per generation (clamped to at least 1).
    ///   - period: Length of a generation (clamped to at least 1 s).
    ///   - now: The clock (tests inject one).
    package init(
        capacity: Int = 1_000_000, period: Duration = .seconds(3600), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.capacity = max(1, capacity)
        self.period = max(.seconds(1), period)
        self.now = now
        self.state = Mutex(State(generationStart: now()))
    }

    /// The columns a value is sent in (part of its fingerprint).
    enum Column: UInt64 {
        case bounds = 1, scales = 2, eventNames = 3, smallValues = 4, heavyTexts = 5
    }

    /// Removes from `row` the set values already stored, or already carried by an earlier row of the same batch
    /// (`pending`), and adds the fingerprints of those left in to `pending`, for ``confirm(_:)``.
    func thin(_ row: inout IngestRow, into pending: inout Pending) {
        guard row.carriesSets else { return }
        let identity = row.identityHash
        state.withLock { state in
            rotateIfDue(&state)
            func fresh(_ fingerprint: UInt64) -> Bool {
                !state.current.contains(fingerprint) && !state.previous.contains(fingerprint) && pending.fingerprints.insert(fingerprint).inserted
            }
            row.bounds.removeAll { !fresh(Self.fingerprint(identity, .bounds, $0.bitPattern)) }
            row.scales.removeAll { !fresh(Self.fingerprint(identity, .scales, UInt64(UInt32(bitPattern: $0)))) }
            row.eventNames.removeAll { !fresh(Self.fingerprint(identity, .eventNames, $0)) }
            row.smallValues.removeAll { !fresh(Self.fingerprint(identity, .smallValues, $0)) }
            row.heavyTexts.removeAll { !fresh(Self.fingerprint(identity, .heavyTexts, $0)) }
        }
    }

    /// Records the values of a stored batch.
    package func confirm(_ pending: Pending) {
        guard !pending.fingerprints.isEmpty else { return }
        state.withLock { state in
            rotateIfDue(&state)
            for fingerprint in pending.fingerprints {
                if state.current.count >= capacity { rotate(&state) }
                state.current.insert(fingerprint)
            }
        }
    }

    /// Forgets everything (the store was cleared by this process).
    package func reset() {
        state.withLock { state in
            state.current = []
            state.previous = []
            state.generationStart = now()
        }
    }

    /// Fingerprints remembered now (both generations).
    package var remembered: Int {
        state.withLock { $0.current.count + $0.previous.count }
    }

    private func rotateIfDue(_ state: inout State) {
        if now() - state.generationStart >= period { rotate(&state) }
    }

    private func rotate(_ state: inout State) {
        state.previous = state.current
        state.current = []
        state.current.reserveCapacity(min(capacity, state.previous.count))
        state.generationStart = now()
    }

    static func fingerprint(_ identity: UInt64, _ column: Column, _ value: UInt64) -> UInt64 {
        ValueHash.avalanche(ValueHash.round(ValueHash.round(identity, column.rawValue), value))
    }

    static func fingerprint(_ identity: UInt64, _ column: Column, _ value: String) -> UInt64 {
        var value = value
        let seed = ValueHash.round(identity, column.rawValue)
        return value.withUTF8 { ValueHash.hash(UnsafeRawBufferPointer($0), seed: seed) }
    }
}
