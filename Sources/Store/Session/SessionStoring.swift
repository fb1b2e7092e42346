/// Where sessions are kept (``ClickHouseSessionStore``): shared by every census instance on the database, kept across
/// restarts.
package protocol SessionStoring: Sendable {
    /// One page of sessions by name (without their documents) and the number of sessions.
    func sessions(limit: Int, offset: Int) async throws -> Page<StoredSession>
    /// The session called `name` with its document, or `nil`.
    func session(named name: String) async throws -> StoredSession?
    /// Stores `session`, replacing any session of that name.
    func save(_ session: StoredSession) async throws
    /// Removes the session called `name` (nothing happens when there is none).
    func delete(named name: String) async throws
    /// The metadata `session`'s range holds (its service and signal filters applied).
    func snapshot(of session: StoredSession) async throws -> SessionSnapshot
}
