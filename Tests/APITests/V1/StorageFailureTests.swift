import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API
import Store

/// Storage failures reach clients without internals; a read turned away by the read limit is 503 with `Retry-After`;
/// quarantined payload bytes only with the admin token.
@Suite("Storage failures and quarantine payloads")
struct StorageFailureTests {
    /// A store whose every read throws `error`.
    struct BrokenQuarantine: QuarantineReading {
        var error: any Error
        func quarantined(limit: Int, offset: Int) async throws -> Page<QuarantinedRecord> { throw error }
    }

    struct OneQuarantined: QuarantineReading {
        func quarantined(limit: Int, offset: Int) async throws -> Page<QuarantinedRecord> {
            Page(
                items: [
                    QuarantinedRecord(
                        topic: "otlp_logs", partition: 0, offset: 7, timestamp: 1_762_702_200, size: 3, error: "empty record",
                        firstBytes: Array("abc".utf8))
                ], total: 1)
        }
    }

    /// A ClickHouse server error as 18.16 words it: SQL, host and version included.
    static let serverError = ClickHouseError(
        kind: .server,
        message: "Code: 47, e.displayText() = DB::Exception: Unknown identifier: nme, e.what() = DB::Exception "
            + "(from 127.0.0.1:8123) (version 18.16.1) SELECT nme FROM census.ingest",
        serverCode: .unknownIdentifier, httpStatus: 404)

    /// The errors of a store whose schema is not there yet (the API serves while the migrations run at start).
    static let schemaMissing = [
        ClickHouseError(
            kind: .server,
            message: "Code: 60, e.displayText() = DB::Exception: Table census.watches doesn't exist., e.what() = DB::Exception",
            serverCode: .unknownTable, httpStatus: 404),
        ClickHouseError(
            kind: .server, message: "Code: 81, e.displayText() = DB::Exception: Database census doesn't exist, e.what() = DB::Exception",
            serverCode: .unknownDatabase, httpStatus: 404),
    ]

    func app(quarantine: any QuarantineReading, token: String? = nil) -> some ApplicationProtocol {
        let router = Router()
        CensusRoutes(
            v1: V1Routes(reader: FixedReader(failing: true), version: "test"), quarantine: QuarantineRoutes(reader: quarantine, adminToken: token),
            operations: OperationsRoutes(
                readiness: OperationsRoutesTests.ProbeAnswer(report: ReadinessReport(checks: [])),
                exposition: { [] })
        ).register(on: router)
        return Application(router: router)
    }

    func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func storageFailureHidesTheServerMessage() async throws {
        try await app(quarantine: BrokenQuarantine(error: Self.serverError)).test(.router) { client in
            try await client.execute(uri: "/api/v1/quarantine", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(body(response) == #"{"error":"storage unavailable"}"# + "\n")
            }
            try await client.execute(uri: "/api/v1/metrics", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(body(response) == #"{"error":"storage unavailable"}"# + "\n")
            }
        }
    }

    @Test func busyReadIs503WithRetryAfter() async throws {
        let busy = ClickHouseError(kind: .busy, message: "4 requests in progress; none finished within 2.0 seconds")
        try await app(quarantine: BrokenQuarantine(error: busy)).test(.router) { client in
            try await client.execute(uri: "/api/v1/quarantine", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                #expect(body(response) == #"{"error":"too many concurrent reads"}"# + "\n")
            }
        }
    }

    @Test func readTimeoutIs503WithRetryAfter() async throws {
        let timeouts = [
            ClickHouseError(
                kind: .server, message: "Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 10.0 seconds",
                serverCode: .timeoutExceeded, httpStatus: 500),
            ClickHouseError(kind: .transport, message: "Operation timed out after 15000 milliseconds with 0 bytes received", curlCode: 28),
        ]
        for timeout in timeouts {
            try await app(quarantine: BrokenQuarantine(error: timeout)).test(.router) { client in
                try await client.execute(uri: "/api/v1/quarantine", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "1")
                    #expect(body(response) == #"{"error":"read timed out: storage busy"}"# + "\n")
                }
            }
        }
    }

    @Test func missingSchemaIs503WithRetryAfter() async throws {
        for error in Self.schemaMissing {
            try await app(quarantine: BrokenQuarantine(error: error)).test(.router) { client in
                try await client.execute(uri: "/api/v1/quarantine", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "1")
                    #expect(
                        body(response)
                            == #"{"error":"storage not ready: the schema does not exist yet (see /readyz)"}"# + "\n")
                    #expect(!body(response).contains("census"))
                }
            }
        }
    }

    @Test func quarantinePayloadOnlyWithTheAdminToken() async throws {
        try await app(quarantine: OneQuarantined(), token: "s3cret").test(.router) { client in
            let withoutPayload =
                #"{"data":[{"topic":"otlp_logs","partition":0,"offset":7,"timestamp":"2025-11-09T15:30:00Z","size":3,"error":"empty record"}],"total":1,"limit":100,"offset":0,"has_more":false}"#
                + "\n"
            try await client.execute(uri: "/api/v1/quarantine", method: .get) { response in
                #expect(response.status == .ok)
                #expect(body(response) == withoutPayload)
            }
            try await client.execute(uri: "/api/v1/quarantine", method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                #expect(body(response) == withoutPayload)
            }
            try await client.execute(uri: "/api/v1/quarantine", method: .get, headers: [.authorization: "Bearer s3cret"]) { response in
                #expect(body(response).contains(#""error":"empty record","first_bytes_base64":"YWJj"}"#))
            }
        }
        // No admin token configured: no request can see payloads.
        try await app(quarantine: OneQuarantined(), token: nil).test(.router) { client in
            try await client.execute(uri: "/api/v1/quarantine", method: .get, headers: [.authorization: "Bearer "]) { response in
                #expect(!body(response).contains("first_bytes_base64"))
            }
        }
    }
}
