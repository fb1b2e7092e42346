import Kafka
import Testing
@testable import Consumer
import Store

@Suite("BatchPolicy decides flush, pause and keep-going")
struct BatchPolicyTests {
    let policy = BatchPolicy(maxRows: 100, maxBytes: 1_000, maxAge: .seconds(1))

    struct Case: Sendable, CustomTestStringConvertible {
        var rows: Int
        var bytes: Int
        var age: Duration
        var pending: Bool
        var writing: Int?
        var expected: BatchPolicy.Decision
        var testDescription: String {
            "rows \(rows) bytes \(bytes) age \(age) pending \(pending) writing \(writing.map(String.init) ?? "none") → \(expected)"
        }
    }

    @Test(arguments: [
        Case(rows: 0, bytes: 0, age: .zero, pending: false, writing: nil, expected: .keepGoing),
        Case(rows: 10, bytes: 10, age: .milliseconds(500), pending: true, writing: nil, expected: .keepGoing),
        Case(rows: 10, bytes: 10, age: .seconds(1), pending: true, writing: nil, expected: .flush),
        Case(rows: 0, bytes: 0, age: .seconds(2), pending: true, writing: nil, expected: .flush),  // only invalid records: still commit
        Case(rows: 0, bytes: 0, age: .seconds(2), pending: false, writing: nil, expected: .keepGoing),
        Case(rows: 100, bytes: 10, age: .zero, pending: true, writing: nil, expected: .flush),
        Case(rows: 10, bytes: 1_000, age: .zero, pending: true, writing: nil, expected: .flush),
        Case(rows: 100, bytes: 10, age: .zero, pending: true, writing: 0, expected: .pause),  // rows never pass maxRows
        Case(rows: 10, bytes: 10, age: .seconds(5), pending: true, writing: 1_000, expected: .keepGoing),
        // While a flush is in flight the window fills into what it leaves of the 2,000-byte budget, at least to maxBytes.
        Case(rows: 10, bytes: 1_000, age: .zero, pending: true, writing: 300, expected: .keepGoing),
        Case(rows: 10, bytes: 1_699, age: .seconds(5), pending: true, writing: 300, expected: .keepGoing),
        Case(rows: 10, bytes: 1_700, age: .zero, pending: true, writing: 300, expected: .pause),
        Case(rows: 10, bytes: 1_000, age: .zero, pending: true, writing: 1_000, expected: .pause),
        Case(rows: 10, bytes: 400, age: .zero, pending: true, writing: 1_600, expected: .keepGoing),  // encoding an overfilled window
        Case(rows: 10, bytes: 1_000, age: .zero, pending: true, writing: 1_600, expected: .pause),
        Case(rows: 0, bytes: 0, age: .zero, pending: false, writing: 2_500, expected: .keepGoing),
    ])
    func decision(_ c: Case) {
        #expect(policy.decide(rows: c.rows, bytes: c.bytes, age: c.age, hasPendingOffsets: c.pending, writing: c.writing) == c.expected)
    }

    @Test(
        "the window fills into what the flush in flight leaves of two windows, at least to maxBytes; rows and a key at its value limit stop it as before"
    )
    func fillLimit() {
        #expect(policy.windowBudget == 2_000)
        #expect(policy.fillLimit(writing: nil) == 1_000)
        #expect(policy.fillLimit(writing: 0) == 2_000)
        #expect(policy.fillLimit(writing: 300) == 1_700)
        #expect(policy.fillLimit(writing: 1_200) == 1_000)
        #expect(policy.fillLimit(writing: 5_000) == 1_000)
        #expect(policy.fillLimit(writing: -1) == 2_000)
        #expect(!policy.atLimit(rows: 99, bytes: 1_999, writing: 0))
        #expect(policy.atLimit(rows: 99, bytes: 1_000, writing: nil))
        #expect(policy.atLimit(rows: 100, bytes: 0, writing: 0))
        #expect(policy.atLimit(rows: 0, bytes: 0, keyAtValueLimit: true, writing: 0))
        let huge = BatchPolicy(maxRows: 100, maxBytes: .max)
        #expect(huge.windowBudget == .max)
        #expect(huge.fillLimit(writing: 10) == .max)
        // Filling on stops at 256 MiB, so that no INSERT body nears one INSERT's limit; larger windows flush as before.
        let large = BatchPolicy(maxRows: 100, maxBytes: 200 << 20)
        #expect(large.fillLimit(writing: 50 << 20) == BatchPolicy.maxFilledOnBytes)
        #expect(large.fillLimit(writing: 300 << 20) == 200 << 20)
        let larger = BatchPolicy(maxRows: 100, maxBytes: 512 << 20)
        #expect(larger.fillLimit(writing: 0) == 512 << 20)
    }

    @Test("the first window after an assignment is due after firstMaxAge, never later than maxAge")
    func firstWindowAfterAssignment() {
        func decide(_ policy: BatchPolicy, age: Duration, first: Bool, writing: Int? = nil) -> BatchPolicy.Decision {
            policy.decide(rows: 10, bytes: 10, age: age, hasPendingOffsets: true, writing: writing, firstAfterAssignment: first)
        }
        #expect(policy.firstMaxAge == .milliseconds(100))
        #expect(decide(policy, age: .milliseconds(50), first: true) == .keepGoing)
        #expect(decide(policy, age: .milliseconds(100), first: true) == .flush)
        #expect(decide(policy, age: .milliseconds(100), first: false) == .keepGoing)
        #expect(decide(policy, age: .milliseconds(100), first: true, writing: 10) == .keepGoing)
        let slow = BatchPolicy(maxRows: 100, maxBytes: 1_000, maxAge: .milliseconds(50), firstMaxAge: .seconds(5))
        #expect(decide(slow, age: .milliseconds(50), first: true) == .flush)
        let immediate = BatchPolicy(maxRows: 100, maxBytes: 1_000, maxAge: .seconds(1), firstMaxAge: .zero)
        #expect(decide(immediate, age: .zero, first: true) == .flush)
        #expect(
            immediate.decide(rows: 0, bytes: 0, age: .zero, hasPendingOffsets: false, writing: nil, firstAfterAssignment: true)
                == .keepGoing)
    }
}

@Suite("TopicSignalMap")
struct TopicSignalMapTests {
    @Test func defaultsByName() {
        let map = TopicSignalMap()
        #expect(map.signal(for: "otlp_metrics") == .metric)
        #expect(map.signal(for: "otlp_spans") == .span)
        #expect(map.signal(for: "team.traces") == .span)
        #expect(map.signal(for: "otlp_logs") == .log)
        #expect(map.signal(for: "unrelated") == nil)
    }

    @Test func explicitMappingWins() throws {
        let map = try TopicSignalMap.parse(["otlp_logs=metrics", "x=spans"])
        #expect(map.signal(for: "otlp_logs") == .metric)
        #expect(map.signal(for: "x") == .span)
        #expect(throws: TopicSignalMap.InvalidMapping.self) { try TopicSignalMap.parse(["nope"]) }
        #expect(throws: TopicSignalMap.InvalidMapping.self) { try TopicSignalMap.parse(["t=profiles"]) }
    }
}
