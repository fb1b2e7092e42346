import Foundation
import Hummingbird
import Logging
import Store

/// The V1 REST API (`/api/v1/...`): maps requests to ``MetadataReading`` calls and writes the reference's JSON.
/// Holds no SQL and no state beyond its start time. Routes and their handlers are declared once, in
/// ``V1RouteTable/routes``; the handlers are grouped by resource in the `V1Routes+*.swift` files.
package struct V1Routes: Sendable {
    let reader: any MetadataReading
    let admin: (any AdminOperations)?
    /// The bearer token `POST /api/v1/admin/clear` requires; `nil` or empty disables the route (403).
    let adminToken: String?
    /// Where `/api/v1/sessions` keeps sessions; `nil`: those routes answer 503.
    let sessions: (any SessionStoring)?
    /// Deep watch (`/api/v1/attributes/{key}/watch`, the `watched` fields); `nil`: those routes answer 503.
    let watches: WatchAccess?
    let startedAt: Date
    /// What `/api/v1/version` reports (and `/api/v1/health` its version).
    let build: BuildInfo

    package init(
        reader: any MetadataReading, admin: (any AdminOperations)? = nil, adminToken: String? = nil, build: BuildInfo,
        startedAt: Date = Date(), sessions: (any SessionStoring)? = nil, watches: WatchAccess? = nil
    ) {
        self.sessions = sessions
        self.watches = watches
        self.reader = reader
        self.admin = admin
        self.adminToken = adminToken
        self.build = build
        self.startedAt = startedAt
    }

    /// A build known only by its version (commit and date `unknown`), as tests and tools construct it.
    package init(
        reader: any MetadataReading, admin: (any AdminOperations)? = nil, adminToken: String? = nil, version: String,
        startedAt: Date = Date()
    ) {
        self.init(
            reader: reader, admin: admin, adminToken: adminToken, build: BuildInfo(version: version, commit: "unknown", buildDate: "unknown"),
            startedAt: startedAt)
    }

    /// Adds the JSON error middleware (it also covers the router's not-found responder) and every route of
    /// ``V1RouteTable/routes`` with its handler.
    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.add(middleware: V1ErrorMiddleware<Context>())
        let group = router.group(RouterPath(V1RouteTable.prefix))
        for route in V1RouteTable.routes {
            group.on(RouterPath(route.path), method: route.method) { request, context in
                try await route.handle(self, request, context.parameters)
            }
        }
    }

    // MARK: - Handlers

    func health() -> Response {
        V1Response.json { json in
            json.beginObject()
            json.field("status", "ok")
            json.field("timestamp", HealthFormatting.timestamp(Date()))
            json.field("version", build.version)
            json.field("uptime", HealthFormatting.goDuration(Date().timeIntervalSince(startedAt)))
            let memory = ProcessMemory.current()
            json.key("memory")
            json.beginObject()
            json.field("alloc_mb", memory.residentBytes >> 20)
            json.field("total_alloc_mb", memory.peakResidentBytes >> 20)
            json.field("sys_mb", memory.virtualBytes >> 20)
            json.field("num_gc", 0)
            json.endObject()
            json.endObject()
        }
    }

    func listMetrics(_ request: Request) async throws -> Response {
        try await listPage(request, fetch: reader.metrics) { V1Encoding.writeMetric($0, withType: true, to: &$1) }
    }

    func metric(_ request: Request, parameters: Parameters) async throws -> Response {
        try await detail(parameters, parameter: "name", what: "metric name", notFound: "metric not found", fetch: reader.metric(named:)) {
            V1Encoding.writeMetric($0, withType: true, to: &$1)
        }
    }

    func listSpans(_ request: Request) async throws -> Response {
        try await listPage(request, fetch: reader.spans) { V1Encoding.writeSpan($0, to: &$1) }
    }

    func span(_ request: Request, parameters: Parameters) async throws -> Response {
        try await detail(parameters, parameter: "name", what: "span name", notFound: "span not found", fetch: reader.span(named:)) {
            V1Encoding.writeSpan($0, to: &$1)
        }
    }

    func listLogs(_ request: Request) async throws -> Response {
        try await listPage(request, fetch: reader.logs, logPatterns: reader.logTemplateCount) { V1Encoding.writeLog($0, to: &$1) }
    }

    func log(_ request: Request, parameters: Parameters) async throws -> Response {
        try await detail(
            parameters, parameter: "severity", what: "severity", notFound: "log severity not found",
            fetch: { try await reader.log(severity: $0.isEmpty ? "UNSET" : $0) }
        ) {
            V1Encoding.writeLog($0, to: &$1)
        }
    }

    /// A list endpoint (2, 4, 6): `service` filter, reference paging, the list envelope (with `total_log_patterns` when
    /// `logPatterns` is given: the distinct body templates over every severity and service, as the reference counts them).
    func listPage<Item: Sendable>(
        _ request: Request, fetch: (String?, Int, Int) async throws -> Page<Item>,
        logPatterns: (() async throws -> Int)? = nil,
        write: (Item, inout JSONWriter) -> Void
    ) async throws -> Response {
        let query = FormQuery(request)
        let paging = Pagination(query.pairs)
        let service = query["service"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        return try await storage {
            let page = try await fetch(service, paging.limit, paging.offset)
            let patterns = try await logPatterns?()
            return V1Response.page(
                total: page.total, limit: paging.limit, offset: paging.offset, sampleCount: page.sampleCount,
                logPatterns: patterns
            ) { json in
                for item in page.items { write(item, &json) }
            }
        }
    }

    /// A single-name endpoint: decodes the path parameter once, 400 on bad encoding, 404 when unknown.
    func detail<Item: Sendable>(
        _ parameters: Parameters, parameter: String, what: String, notFound: String,
        fetch: (String) async throws -> Item?,
        write: @escaping (Item, inout JSONWriter) -> Void
    ) async throws -> Response {
        guard let value = PathParameter.decoded(parameters.get(parameter)) else {
            return V1Response.error("invalid \(what) encoding", status: .badRequest)
        }
        return try await storage {
            guard let item = try await fetch(value) else { return V1Response.error(notFound, status: .notFound) }
            return V1Response.json { write(item, &$0) }
        }
    }

    func listAttributes(_ request: Request) async throws -> Response {
        let query = AttributeListParameters(FormQuery(request).pairs)
        return try await storage {
            let page = try await reader.attributes(query.storeQuery)
            return V1Response.json { json in
                // A Go map: keys in alphabetical order.
                json.beginObject()
                json.key("data")
                json.beginArray()
                for attribute in page.items { V1Encoding.writeAttribute(attribute, watched: isWatched(attribute.key), to: &json) }
                json.endArray()
                json.field("has_more", V1Response.hasMore(offset: query.offset, count: page.items.count, total: page.total))
                json.field("limit", query.limit)
                json.field("offset", query.offset)
                json.field("total", page.total)
                json.endObject()
            }
        }
    }

    func attribute(_ request: Request, parameters: Parameters) async throws -> Response {
        guard let key = PathParameter.decoded(parameters.get("key")) else {
            return V1Response.error("invalid attribute key encoding", status: .badRequest)
        }
        guard !key.isEmpty else { return V1Response.error("Attribute key is required", status: .badRequest) }
        return try await storage {
            guard let attribute = try await reader.attribute(key: key) else {
                return V1Response.error("Attribute not found: attribute not found: \(key)", status: .notFound)
            }
            return V1Response.json { json in
                json.beginObject()
                json.key("data")
                V1Encoding.writeAttribute(attribute, to: &json)
                json.field("watched", isWatched(key))
                json.endObject()
            }
        }
    }

    /// Runs a storage call; a storage failure is thrown as a ``StorageFailure`` (``V1ErrorMiddleware`` logs it and
    /// answers `500 {"error":"storage unavailable"}`, or 503 when every read slot stayed busy).
    func storage(_ body: () async throws -> Response) async throws -> Response {
        try await StorageFailure.wrapping(body)
    }
}

/// `/api/v1/attributes` query parameters, parsed like the reference (non-numbers fall back to defaults), except
/// that `limit` is capped at 10,000 and a non-positive limit means that cap rather than "everything".
struct AttributeListParameters: Sendable {
    var signal: Signal?
    var scope: AttributeQuery.Scope?
    var minCardinality: UInt64 = 0
    var maxCardinality: UInt64 = 0
    var sortBy: AttributeQuery.SortField = .cardinality
    var descending = true
    var limit = 100
    var offset = 0

    static let maxLimit = 10_000

    init(_ query: some Collection<(key: Substring, value: Substring)>) {
        for (key, value) in query {
            switch key {
            case "signal_type": signal = Signal(apiName: String(value))
            case "scope": scope = AttributeQuery.Scope(rawValue: String(value))
            case "min_cardinality": minCardinality = QueryInteger.cardinality(value)
            case "max_cardinality": maxCardinality = QueryInteger.cardinality(value)
            case "sort_by": sortBy = AttributeQuery.SortField(rawValue: String(value)) ?? .cardinality
            case "sort_order": descending = value.isEmpty || value == "desc"
            case "limit":
                if let parsed = QueryInteger.parse(value) { limit = parsed <= 0 ? Self.maxLimit : min(parsed, Self.maxLimit) }
            case "offset":
                offset = QueryInteger.nonNegative(value, default: offset)
            default: break
            }
        }
    }

    var storeQuery: AttributeQuery {
        AttributeQuery(
            signal: signal, scope: scope, minCardinality: minCardinality, maxCardinality: maxCardinality, sortBy: sortBy,
            descending: descending, limit: limit, offset: offset)
    }
}
