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
        var inFlight: Bool
        var expected: BatchPolicy.Decision
        var testDescription: String { "rows \(rows) bytes \(bytes) age \(age) pending \(pending) inFlight \(inFlight) → \(expected)" }
    }

    @Test(arguments: [
        Case(rows: 0, bytes: 0, age: .zero, pending: false, inFlight: false, expected: .keepGoing),
        Case(rows: 10, bytes: 10, age: .milliseconds(500), pending: true, inFlight: false, expected: .keepGoing),
        Case(rows: 10, bytes: 10, age: .seconds(1), pending: true, inFlight: false, expected: .flush),
        Case(rows: 0, bytes: 0, age: .seconds(2), pending: true, inFlight: false, expected: .flush),  // only invalid records: still commit
        Case(rows: 0, bytes: 0, age: .seconds(2), pending: false, inFlight: false, expected: .keepGoing),
        Case(rows: 100, bytes: 10, age: .zero, pending: true, inFlight: false, expected: .flush),
        Case(rows: 10, bytes: 1_000, age: .zero, pending: true, inFlight: false, expected: .flush),
        Case(rows: 100, bytes: 10, age: .zero, pending: true, inFlight: true, expected: .pause),
        Case(rows: 10, bytes: 10, age: .seconds(5), pending: true, inFlight: true, expected: .keepGoing),
    ])
    func decision(_ c: Case) {
        #expect(policy.decide(rows: c.rows, bytes: c.bytes, age: c.age, hasPendingOffsets: c.pending, flushInFlight: c.inFlight) == c.expected)
    }

    @Test("the first window after an assignment is due after firstMaxAge, never later than maxAge")
    func firstWindowAfterAssignment() {
        func decide(_ policy: BatchPolicy, age: Duration, first: Bool, inFlight: Bool = false) -> BatchPolicy.Decision {
            policy.decide(rows: 10, bytes: 10, age: age, hasPendingOffsets: true, flushInFlight: inFlight, firstAfterAssignment: first)
        }
        #expect(policy.firstMaxAge == .milliseconds(100))
        #expect(decide(policy, age: .milliseconds(50), first: true) == .keepGoing)
        #expect(decide(policy, age: .milliseconds(100), first: true) == .flush)
        #expect(decide(policy, age: .milliseconds(100), first: false) == .keepGoing)
        #expect(decide(policy, age: .milliseconds(100), first: true, inFlight: true) == .keepGoing)
        let slow = BatchPolicy(maxRows: 100, maxBytes: 1_000, maxAge: .milliseconds(50), firstMaxAge: .seconds(5))
        #expect(decide(slow, age: .milliseconds(50), first: true) == .flush)
        let immediate = BatchPolicy(maxRows: 100, maxBytes: 1_000, maxAge: .seconds(1), firstMaxAge: .zero)
        #expect(decide(immediate, age: .zero, first: true) == .flush)
        #expect(
            immediate.decide(rows: 0, bytes: 0, age: .zero, hasPendingOffsets: false, flushInFlight: false, firstAfterAssignment: true)
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
