import Store

/// A read the store could not answer, on its way to ``V1ErrorMiddleware``, which logs ``underlying`` once with the
/// route and answers without it: `503 {"error":"too many concurrent reads"}` with `Retry-After` when the read was
/// turned away by the read limit (``isBusy``), else `500 {"error":"storage unavailable"}`. ClickHouse's message (SQL,
/// host, version) never reaches a client.
struct StorageFailure: Error {
    /// What the store threw.
    let underlying: any Error

    /// Whether the read was turned away before it reached ClickHouse (every read slot stayed busy).
    var isBusy: Bool {
        (underlying as? ClickHouseError)?.kind == .busy
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
