import Testing

@testable import Store

@Suite("ClickHouseError")
struct ClickHouseErrorTests {
    @Test("parses the 18.16 body format")
    func legacyFormat() {
        let body = Array("Code: 60, e.displayText() = DB::Exception: Table census.nope doesn't exist., e.what() = DB::Exception\n".utf8)
        let error = ClickHouseError.server(status: 404, exceptionCodeHeader: nil, body: body)
        #expect(error.serverCode == .unknownTable)
        #expect(error.message == "Code: 60, e.displayText() = DB::Exception: Table census.nope doesn't exist., e.what() = DB::Exception")
        #expect(!error.isRetriable)
    }

    @Test("parses the 26.x body format and prefers the header")
    func modernFormat() {
        let body = Array("Code: 241. DB::Exception: Memory limit (for query) exceeded. (MEMORY_LIMIT_EXCEEDED) (version 26.9.2.1)".utf8)
        #expect(ClickHouseError.server(status: 500, exceptionCodeHeader: nil, body: body).serverCode == .memoryLimitExceeded)
        let headed = ClickHouseError.server(status: 500, exceptionCodeHeader: " 159\r\n", body: body)
        #expect(headed.serverCode == .timeoutExceeded)
        #expect(headed.isRetriable)
    }

    @Test(
        "classifies server codes",
        arguments: [
            (159, true), (202, true), (203, true), (209, true), (210, true), (241, true), (242, true), (252, true), (285, true),
            (319, true), (425, true), (60, false), (62, false), (164, false), (193, false), (47, false),
        ])
    func serverCodes(code: Int, retriable: Bool) {
        let error = ClickHouseError(kind: .server, message: "x", serverCode: .init(code), httpStatus: 500)
        #expect(error.isRetriable == retriable)
    }

    @Test("classifies HTTP statuses without a code", arguments: [(502, true), (503, true), (504, true), (500, false), (404, false), (401, false)])
    func statuses(status: Int, retriable: Bool) {
        let error = ClickHouseError.server(status: status, exceptionCodeHeader: nil, body: Array("Bad Gateway".utf8))
        #expect(error.serverCode == nil)
        #expect(error.isRetriable == retriable)
    }

    @Test("classifies transport failures", arguments: [(7, true), (28, true), (52, true), (55, true), (56, true), (6, true), (1, false), (3, false)])
    func transport(curlCode: Int32, retriable: Bool) {
        #expect(ClickHouseError(kind: .transport, message: "x", curlCode: curlCode).isRetriable == retriable)
        #expect(!ClickHouseError(kind: .cancelled, message: "x").isRetriable)
    }

    @Test("tells definite failures from ambiguous ones")
    func mayHaveBeenApplied() {
        #expect(!ClickHouseError(kind: .transport, message: "refused", curlCode: 7).mayHaveBeenApplied)
        #expect(ClickHouseError(kind: .transport, message: "timeout", curlCode: 28).mayHaveBeenApplied)
        #expect(ClickHouseError(kind: .transport, message: "empty reply", curlCode: 52).mayHaveBeenApplied)
        #expect(!ClickHouseError(kind: .server, message: "x", serverCode: .unknownTable, httpStatus: 404).mayHaveBeenApplied)
        #expect(!ClickHouseError(kind: .server, message: "x", serverCode: .tooManyParts, httpStatus: 500).mayHaveBeenApplied)
        #expect(ClickHouseError(kind: .server, message: "x", serverCode: .unknownStatusOfInsert, httpStatus: 500).mayHaveBeenApplied)
    }

    @Test("caps long messages and ignores text without a code")
    func messages() {
        let long = Array(repeating: UInt8(ascii: "x"), count: 10_000)
        #expect(ClickHouseError.serverMessage(long).utf8.count == ClickHouseError.maxMessageBytes)
        #expect(ClickHouseError.parseCode("no code here") == nil)
        #expect(ClickHouseError.parseCode("Code: ") == nil)
        #expect(ClickHouseError.parseCode("prefix Code: 81. DB::Exception") == .unknownDatabase)
    }

    @Test("configuration description redacts the password")
    func redaction() {
        let configuration = ClickHouseClient.Configuration(url: "http://127.0.0.1:8123", user: "census", password: "census-secret")
        #expect(!configuration.description.contains("census-secret"))
        #expect(configuration.description.contains("<redacted>"))
    }

    @Test("backoff grows exponentially with jitter and is capped")
    func backoff() {
        let policy = ClickHouseClient.RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
        var generator = SplitMix64(seed: 7)
        for attempt in 1...12 {
            let nominal = min(Duration.milliseconds(100) * (1 << (attempt - 1)), .seconds(1))
            let wait = policy.backoff(afterAttempt: attempt, using: &generator)
            #expect(wait >= nominal / 2 && wait <= nominal)
        }
        #expect(ClickHouseClient.RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test("URL parameters are percent-encoded")
    func percentEncoding() {
        #expect(
            ClickHouseClient.queryString([("query", "SELECT 'a&b=c' + 1\n"), ("database", "census")])
                == "query=SELECT%20%27a%26b%3Dc%27%20%2B%201%0A&database=census")
    }
}
