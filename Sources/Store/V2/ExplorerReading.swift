/// Cross-signal keys and services (`/api/v2/keys/{key}`, `/api/v2/services/{name}`).
package protocol ExplorerReading: Sendable {
    /// Where `key` appears in `range`: overall statistics and one page of places; `nil` when the key has no data there.
    func keyUsage(key: String, range: DayRange, limit: Int, offset: Int) async throws -> KeyUsage?

    /// The keys `service` emits in `range` (of `signal` only, when given) with their cost, and its totals per signal;
    /// `nil` when the service emitted nothing in range.
    func serviceUsage(service: String, signal: Signal?, range: DayRange, limit: Int, offset: Int) async throws -> ServiceUsage?
}
