import Store

/// A read the store could not answer, on its way to ``V1ErrorMiddleware``, which logs ``underlying`` once with the
/// route and answers without it: 503 with `Retry-After` when the store is too busy or not ready (``retryLaterReason``:
/// the read limit turned it away, it ran out of time, or the schema is not there yet), else
/// `500 {"error":"storage unavailable"}`. ClickHouse's message (SQL, host, version) never reaches a client.
struct StorageFailure: Error {
    /// What the store threw.
    let underlying: any Error

    /// Why the store cannot answer now but may shortly, or `nil` when it failed otherwise: every read slot stayed busy
    /// (the read never reached ClickHouse), the read ran out of time (`max_execution_time`, or the HTTP timeout above
    /// it), or census's database or tables are not there yet (the API serves while the schema is created or migrated at
    /// start; `GET /readyz` says when it is done).
    var retryLaterReason: String? {
        guard let error = underlying as? ClickHouseError else { return nil }
        if error.kind == .busy { return "too many concurrent reads" }
        if error.serverCode == .timeoutExceeded || error.curlCode == 28 { return "read timed out: storage busy" }
        if isSchemaMissing { return "storage not ready: the schema does not exist yet (see /readyz)" }
        return nil
    }

    /// Whether census's database or one of its tables does not exist: a process that serves while its schema is
    /// created or migrated (or a `census serve` started before any census created it).
    var isSchemaMissing: Bool {
        guard let error = underlying as? ClickHouseError else { return false }
        return error.serverCode == .unknownTable || error.serverCode == .unknownDatabase
    }

    /// Runs a storage call; whatever it throws comes out as a ``StorageFailure``.
    static func wrapping<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let failure as StorageFailure {
            throw failure
        } catch {
            throw StorageFailure(underlying: error)
        }
    }
}
