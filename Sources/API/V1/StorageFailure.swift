import Store

/// A read the store could not answer, on its way to ``V1ErrorMiddleware``, which logs ``underlying`` once with the
/// route and answers without it: 503 with `Retry-After` when the store is too busy (``overload``: the read limit turned
/// it away, or it ran out of time), else `500 {"error":"storage unavailable"}`. ClickHouse's message (SQL, host,
/// version) never reaches a client.
struct StorageFailure: Error {
    /// What the store threw.
    let underlying: any Error

    /// Why the store is too busy to answer now, or `nil` when it failed otherwise: every read slot stayed busy (the
    /// read never reached ClickHouse), or the read ran out of time (`max_execution_time`, or the HTTP timeout above it).
    var overload: String? {
        guard let error = underlying as? ClickHouseError else { return nil }
        if error.kind == .busy { return "too many concurrent reads" }
        if error.serverCode == .timeoutExceeded || error.curlCode == 28 { return "read timed out: storage busy" }
        return nil
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
