import Foundation
import Hummingbird
import NIOCore
import Store

/// `/api/v1/sessions…`: the OTLP Cardinality Checker's snapshot sessions, as named day ranges of the stored history
/// (see docs/API.md, "Sessions"). Reads are open; every write (create, delete, import, load, merge) needs the admin
/// token, like `POST /api/v1/admin/clear`.
extension V1Routes {
    /// The largest body `POST /sessions` and `POST /sessions/import` read.
    static let maxSessionBodyBytes = 32 << 20
    /// Sessions per page of `GET /sessions` (`limit` is clamped to it).
    static let maxSessionPage = 100

    /// `GET` (metadata and stats) or `DELETE` (204) `/sessions/{name}`.
    func session(_ request: Request, parameters: Parameters) async throws -> Response {
        try await withSession(request, parameters, write: request.method == .delete) { session, store in
            if request.method == .delete {
                try await store.delete(named: session.name)
                return Response(status: .noContent)
            }
            let stats = try await self.sessionStats(session, store)
            return V1Response.json { SessionEncoding.writeMetadata(session, stats: stats, to: &$0) }
        }
    }

    /// `GET /sessions/{name}/export`: the reference's session document, as an attachment.
    func exportSession(_ request: Request, parameters: Parameters) async throws -> Response {
        try await withSession(request, parameters, write: false) { session, store in
            var response = V1Response.json(try await self.document(session, store))
            response.headers[.contentDisposition] = "attachment; filename=\"\(session.name).json\""
            return response
        }
    }

    /// `POST /sessions/{name}/load` (`action` `replace`) and `/merge` (`merge`).
    func sessionData(_ request: Request, parameters: Parameters, message: String, action: String) async throws -> Response {
        try await withSession(request, parameters, write: true) { session, store in
            try await self.sessionData(request, session, store, message: message, action: action)
        }
    }

    // MARK: - Handlers

    /// `{"sessions": [SessionMetadata…], "total": n}`, one page (`limit` 1–100, default 100; `offset`).
    func listSessions(_ request: Request) async throws -> Response {
        guard let store = sessions else { return Self.sessionsUnavailable }
        let query = FormQuery(request)
        let limit =
            query["limit"].map { QueryInteger.positive($0, default: Self.maxSessionPage) }.map { min($0, Self.maxSessionPage) } ?? Self.maxSessionPage
        let offset = query["offset"].map { QueryInteger.nonNegative($0, default: 0) } ?? 0
        return try await storage {
            let page = try await store.sessions(limit: limit, offset: offset)
            var stats: [SessionDocument.Stats] = []
            for session in page.items { stats.append(try await sessionStats(session, store)) }
            return V1Response.json { json in
                json.beginObject()
                json.key("sessions")
                json.beginArray()
                for (session, stat) in zip(page.items, stats) { SessionEncoding.writeMetadata(session, stats: stat, to: &json) }
                json.endArray()
                json.field("total", page.total)
                json.endObject()
            }
        }
    }

    /// Body `{"name", "description"?, "signals"?, "services"?, "from"?, "to"?}`; 201 `{"message","session"}`.
    func createSession(_ request: Request) async throws -> Response {
        if let refusal = adminRefusal(request) { return refusal }
        guard let store = sessions else { return Self.sessionsUnavailable }
        guard let body = await Self.body(request) else { return Self.bodyTooLarge }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body), options: [])) as? [String: Any] else {
            return V1Response.error("Invalid request body: expected a JSON object", status: .badRequest)
        }
        let name = object["name"] as? String ?? ""
        guard StoredSession.isValidName(name) else { return Self.invalidName }
        var session = StoredSession(name: name, description: object["description"] as? String ?? "", created: Self.now())
        for (field, day) in [("from", \DayRange.from), ("to", \DayRange.to)] {
            guard let value = object[field], !(value is NSNull) else { continue }
            guard let text = value as? String, let parsed = DayRange.parseDay(text) else {
                return V1Response.error("invalid \(field): expected YYYY-MM-DD or an RFC 3339 time", status: .badRequest)
            }
            session.range[keyPath: day] = parsed
        }
        guard !session.range.isEmpty else { return V1Response.error("from is after to", status: .badRequest) }
        session.services = Self.strings(object["services"])
        session.signals = Self.strings(object["signals"])
        if let unknown = session.signals.first(where: { ClickHouseSessionStore.signal(named: $0) == nil }) {
            return V1Response.error("invalid signal \(unknown): expected metrics, spans or logs", status: .badRequest)
        }
        guard session.services.count <= 1000, session.signals.count <= 3, session.description.utf8.count <= 4096 else {
            return V1Response.error("too many services or signals, or description too long", status: .badRequest)
        }
        return try await storage {
            if FormQuery(request)["force"] != "true", try await store.session(named: name) != nil { return Self.sessionExists }
            try await store.save(session)
            let stats = try await sessionStats(session, store)
            return V1Response.json(status: .created) { json in
                json.beginObject()
                json.field("message", "Session created successfully")
                json.key("session")
                SessionEncoding.writeMetadata(session, stats: stats, to: &json)
                json.endObject()
            }
        }
    }

    /// `?from=&to=` (session names), optional `signal_type`, `service`, `min_severity`: the reference's `DiffResult`.
    func diffSessions(_ request: Request) async throws -> Response {
        guard let store = sessions else { return Self.sessionsUnavailable }
        let query = FormQuery(request)
        guard let from = query["from"].map(String.init), let to = query["to"].map(String.init), !from.isEmpty, !to.isEmpty else {
            return V1Response.error("Both 'from' and 'to' query parameters are required", status: .badRequest)
        }
        let minSeverity = query["min_severity"].flatMap { ChangeSeverity(name: $0) } ?? .info
        let signal = query["signal_type"].flatMap { Signal(apiName: String($0)) }
        let service = query["service"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        return try await storage {
            guard let fromSession = try await store.session(named: from) else {
                return V1Response.error("Source session '\(from)' not found", status: .notFound)
            }
            guard let toSession = try await store.session(named: to) else {
                return V1Response.error("Target session '\(to)' not found", status: .notFound)
            }
            var entries = SessionDiff.compare(from: try await snapshot(fromSession, store), to: try await snapshot(toSession, store))
            if let signal { entries = entries.filter { $0.signal == signal } }
            if let service {
                let fromSnapshot = try await snapshot(fromSession, store), toSnapshot = try await snapshot(toSession, store)
                entries = entries.filter { entry in
                    let id = SessionSnapshot.ItemID(signal: entry.signal, name: entry.name)
                    return (toSnapshot.items[id] ?? fromSnapshot.items[id])?.services[service] != nil
                }
            }
            return V1Response.json { SessionEncoding.writeDiff(from: from, to: to, entries: entries, minSeverity: minSeverity, json: &$0) }
        }
    }

    /// Body: a session document (the reference's export format), stored as it is; 201 `{"message","session"}`.
    func importSession(_ request: Request) async throws -> Response {
        if let refusal = adminRefusal(request) { return refusal }
        guard let store = sessions else { return Self.sessionsUnavailable }
        guard let body = await Self.body(request) else { return Self.bodyTooLarge }
        let document: SessionDocument
        do {
            document = try SessionDocument(json: body)
        } catch {
            return V1Response.error("Invalid session JSON: \(error.message)", status: .badRequest)
        }
        guard StoredSession.isValidName(document.id) else {
            return V1Response.error("Invalid session name: invalid session name: must be lowercase alphanumeric with hyphens", status: .badRequest)
        }
        let session = StoredSession(
            name: document.id, description: document.description, created: document.created,
            signals: document.signals, snapshot: body)
        return try await storage {
            if FormQuery(request)["force"] != "true", try await store.session(named: session.name) != nil { return Self.sessionExists }
            try await store.save(session)
            return V1Response.json(status: .created) { json in
                json.beginObject()
                json.field("message", "Session imported successfully")
                json.field("session", session.name)
                json.endObject()
            }
        }
    }

    // MARK: - Helpers

    /// Decodes `{name}`, checks the admin token for writes, loads the session (404 when unknown) and runs `body`.
    private func withSession(
        _ request: Request, _ parameters: Parameters, write: Bool,
        _ body: (StoredSession, any SessionStoring) async throws -> Response
    ) async throws -> Response {
        if write, let refusal = adminRefusal(request) { return refusal }
        guard let store = sessions else { return Self.sessionsUnavailable }
        guard let name = PathParameter.decoded(parameters.get("name")) else {
            return V1Response.error("Invalid session name encoding", status: .badRequest)
        }
        return try await storage {
            guard StoredSession.isValidName(name), let session = try await store.session(named: name) else {
                return V1Response.error("Session not found", status: .notFound)
            }
            return try await body(session, store)
        }
    }

    /// The metadata a session covers: its range read from the store, or its imported document.
    private func snapshot(_ session: StoredSession, _ store: any SessionStoring) async throws -> SessionSnapshot {
        if session.imported, let bytes = session.snapshot, let document = try? SessionDocument(json: bytes) { return document.snapshot }
        if session.imported { return SessionSnapshot() }
        return try await store.snapshot(of: session)
    }

    /// An imported session's own `stats` (as the document says), a range session's counted from its range.
    private func sessionStats(_ session: StoredSession, _ store: any SessionStoring) async throws -> SessionDocument.Stats {
        if session.imported {
            let full = session.snapshot == nil ? try await store.session(named: session.name) : session
            if let bytes = full?.snapshot, let document = try? SessionDocument(json: bytes) {
                return document.stats ?? SessionEncoding.stats(document.snapshot)
            }
            return SessionDocument.Stats()
        }
        return SessionEncoding.stats(try await store.snapshot(of: session))
    }

    /// The session document: an imported session's bytes as imported, a range session's written from its range.
    private func document(_ session: StoredSession, _ store: any SessionStoring) async throws -> [UInt8] {
        if session.imported, let bytes = session.snapshot { return bytes }
        var json = JSONWriter()
        SessionEncoding.writeDocument(session, snapshot: try await store.snapshot(of: session), to: &json)
        var bytes = json.bytes
        bytes.append(0x0A)
        return bytes
    }

    /// `load` and `merge`: census never overwrites its stored history, so both answer the reference's client-side
    /// form: `{"message", "session", "stats", "data", "action"}` (`signals=metrics,spans,logs` filters `data`).
    private func sessionData(
        _ request: Request, _ session: StoredSession, _ store: any SessionStoring, message: String,
        action: String
    ) async throws -> Response {
        var snapshot = try await self.snapshot(session, store)
        if let filter = FormQuery(request)["signals"], !filter.isEmpty {
            let keep = Set(
                filter.split(separator: ",").compactMap { ClickHouseSessionStore.signal(named: String($0.trimmingCharacters(in: .whitespaces))) })
            snapshot.items = snapshot.items.filter { keep.contains($0.key.signal) }
        }
        let stats = try await sessionStats(session, store)
        return V1Response.json { json in
            json.beginObject()
            json.field("message", message)
            json.field("session", session.name)
            json.key("stats")
            SessionEncoding.writeStats(stats, to: &json)
            json.key("data")
            SessionEncoding.writeData(snapshot, to: &json)
            json.field("action", action)
            json.endObject()
        }
    }

    /// The request body, or `nil` when it is larger than ``maxSessionBodyBytes`` (or broke off).
    private static func body(_ request: Request) async -> [UInt8]? {
        guard var buffer = try? await request.body.collect(upTo: maxSessionBodyBytes) else { return nil }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    private static var bodyTooLarge: Response {
        V1Response.error("request body too large (at most 32 MiB)", status: .contentTooLarge)
    }

    private static func strings(_ value: Any?) -> [String] {
        (value as? [Any])?.compactMap { $0 as? String } ?? []
    }

    private static func now() -> UInt32 {
        UInt32(clamping: Int64(Date().timeIntervalSince1970))
    }

    private static var invalidName: Response {
        V1Response.error("invalid session name: must be lowercase alphanumeric with hyphens", status: .badRequest)
    }

    private static var sessionExists: Response {
        V1Response.error("Session already exists. Use ?force=true to overwrite.", status: .conflict)
    }

    private static var sessionsUnavailable: Response {
        V1Response.error("sessions are not available", status: .serviceUnavailable)
    }
}
