import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API
import Store

/// No quarantined records (the quarantine route's JSON is checked end to end in Tests/e2e).
struct EmptyQuarantine: QuarantineReading {
    func quarantined(limit: Int, offset: Int) async throws -> Page<QuarantinedRecord> { Page(items: [], total: 0) }
}

/// `docs/openapi.json` describes exactly the routes census serves, and the served copy is that file.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let repositoryDocument = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.json")

    static func documentedRoutes() throws -> Set<String> {
        let data = try Data(contentsOf: repositoryDocument)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var routes = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    /// Every route group, as the executable registers them (with fixed answers).
    static func routes() -> CensusRoutes {
        CensusRoutes(
            v1: V1Routes(reader: FixedReader(), version: "test"), v2: V2Routes(reader: UnavailableV2Reader()),
            quarantine: QuarantineRoutes(reader: EmptyQuarantine()),
            operations: OperationsRoutes(
                readiness: OperationsRoutesTests.ProbeAnswer(report: ReadinessReport(checks: [])),
                exposition: { Array("census_up 1\n".utf8) }))
    }

    static func servedRoutes() -> Set<String> {
        let router = Router()
        Self.routes().register(on: router)
        return Set(router.routes.map { "\($0.method) \($0.path)" })
    }

    @Test("every served route is documented and every documented route is served")
    func routesMatch() throws {
        let documented = try Self.documentedRoutes()
        let served = Self.servedRoutes()
        #expect(served.subtracting(documented).sorted() == [], "served but not in docs/openapi.json")
        #expect(documented.subtracting(served).sorted() == [], "in docs/openapi.json but not served")
        #expect(served.count >= 19)
    }

    /// The query parameters docs/openapi.json lists per operation (`"GET /api/v1/metrics"`), resolving `$ref`s.
    static func documentedQueries() throws -> [String: Set<String>] {
        let data = try Data(contentsOf: repositoryDocument)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let shared = (document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
        func resolve(_ parameter: [String: Any]) -> [String: Any] {
            guard let ref = parameter["$ref"] as? String else { return parameter }
            return shared[String(ref.split(separator: "/").last ?? "")] ?? [:]
        }
        var queries: [String: Set<String>] = [:]
        for (path, item) in paths {
            let common = (item["parameters"] as? [[String: Any]] ?? []).map(resolve)
            for (method, operation) in item where ["get", "post", "put", "patch", "delete"].contains(method) {
                let own = ((operation as? [String: Any])?["parameters"] as? [[String: Any]] ?? []).map(resolve)
                let names = (common + own).filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String }
                queries["\(method.uppercased()) \(path)"] = Set(names)
            }
        }
        return queries
    }

    @Test("each route's declared query parameters (the response-cache key) are the ones docs/openapi.json lists")
    func queryParametersMatch() throws {
        let documented = try Self.documentedQueries()
        var declared: [String: Set<String>] = [:]
        for route in V1RouteTable.patterns { declared["\(route.method) /\(V1RouteTable.prefix)/\(route.path)"] = route.query }
        for route in V2Routes.table { declared["\(route.method) /\(V2Routes.prefix)/\(route.path)"] = route.query }
        for (operation, names) in declared.sorted(by: { $0.key < $1.key }) {
            #expect(
                documented[operation] == names,
                "\(operation): declared \(names.sorted()), documented \(documented[operation].map { $0.sorted() } ?? [])")
        }
    }

    @Test("the embedded copy is docs/openapi.json (regenerate both with scripts/gen-openapi.py)")
    func embeddedCopyIsTheFile() throws {
        let file = try String(contentsOf: Self.repositoryDocument, encoding: .utf8)
        #expect(file == OpenAPIDocument.json + "\n")
    }

    @Test("GET /api/v1/openapi.json serves the document")
    func served() async throws {
        let router = Router()
        Self.routes().register(on: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let served = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(served?["openapi"] as? String == "3.0.3")
            }
        }
    }
}
