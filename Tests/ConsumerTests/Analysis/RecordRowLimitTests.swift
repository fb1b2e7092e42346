@testable import Consumer
import Store
import Testing

/// One record cannot fill a window beyond one INSERT: the per-record row cap (``WindowLimits/maxRecordRows``), the
/// validator's row bound that lets ordinary records skip the exact count, the budget that keeps a window within one
/// INSERT, and the byte cap on stored strings.
@Suite("Record row limit")
struct RecordRowLimitTests {
    /// An `ExportMetricsServiceRequest` with one resource (`pairs` attributes) and one Gauge per name, each with one
    /// point carrying `attribute` as its only attribute when given.
    static func gauges(
        _ names: [String], resource pairs: [(String, TestOTLP.Value)] = [("service.name", .string("api"))],
        attribute: (String, TestOTLP.Value)? = nil
    ) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { w in
            TestOTLP.resource(pairs, into: &w)
            w.message(2) { w in
                for name in names {
                    w.message(2) { w in
                        w.string(1, name)
                        w.message(5) { w in
                            w.message(1) { w in
                                w.fixed64(3, 1_700_000_000_000_000_000)
                                w.fixed64(6, 1)
                                if let attribute { TestOTLP.attributes(7, [attribute], into: &w) }
                            }
                        }
                    }
                }
            }
        }
        return w.bytes
    }

    static func ingest(_ record: [UInt8], into window: inout MetadataWindow) throws(OTLPDecodeError) -> Int {
        var result: Result<Int, OTLPDecodeError> = .success(0)
        record.withUnsafeBytes { raw in
            do throws(OTLPDecodeError) {
                result = .success(try window.ingest(raw, signal: .metric, encoding: .proto, timestamp: 1_767_225_600))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    @Test("a record over the cap is refused whole (tooManyRows) and leaves the window as it was")
    func overCapRefused() throws {
        var window = MetadataWindow(limits: WindowLimits(maxRecordRows: 100))
        _ = try Self.ingest(Self.gauges(["kept"], resource: []), into: &window)
        let before = window.rowCount
        var refused: OTLPDecodeError?
        do { _ = try Self.ingest(Self.gauges((0..<101).map { "m\($0)" }, resource: []), into: &window) } catch { refused = error }
        #expect(refused?.kind == .tooManyRows)
        #expect(refused?.quarantineReason.contains("more than 100 rows") == true)
        #expect(window.rowCount == before)
        // Exactly at the cap: applied.
        _ = try Self.ingest(Self.gauges((0..<100).map { "m\($0)" }, resource: []), into: &window)
        #expect(window.rowCount == before + 100)
    }

    @Test("a record whose bound exceeds the cap but whose rows do not is applied (exact count)")
    func boundOverCapRowsUnder() throws {
        let record = Self.gauges(Array(repeating: "same", count: 500), resource: [], attribute: ("k", .int(1)))
        let bound = try record.withUnsafeBytes { raw throws(OTLPDecodeError) in try WireValidator.validate(raw, as: .exportMetricsServiceRequest) }
        #expect(bound > 100)
        var window = MetadataWindow(limits: WindowLimits(maxRecordRows: 100))
        #expect(try Self.ingest(record, into: &window) == 500)
        #expect(window.rowCount == 2)  // one signal row, one key row
    }

    @Test("the validator's bound is never below the rows a record adds to an empty window")
    func boundIsSound() throws {
        let records: [[UInt8]] = [
            Self.gauges((0..<50).map { "m\($0)" }, resource: (0..<20).map { ("r\($0)", .string("v")) }, attribute: ("a", .int(1))),
            Self.gauges(["one"], resource: []),
            TestOTLP.sumRequest(resources: [[("service.name", .string("a")), ("pod", .string("p"))], [("service.name", .string("b"))]], points: 30) {
                r, p in
                [("k\(p % 7)", .int(Int64(p))), ("r", .int(Int64(r)))]
            },
        ]
        for record in records {
            var window = MetadataWindow()
            _ = try Self.ingest(record, into: &window)
            let bound = try record.withUnsafeBytes { raw throws(OTLPDecodeError) in try WireValidator.validate(raw, as: .exportMetricsServiceRequest)
            }
            #expect(bound >= window.rowCount, "bound \(bound) < rows \(window.rowCount)")
        }
    }

    @Test("names longer than 1,024 bytes are stored truncated on a UTF-8 boundary with a marker")
    func longNamesTruncated() throws {
        let long = String(repeating: "é", count: 150_000)  // 300,000 bytes of two-byte scalars
        var window = MetadataWindow()
        _ = try Self.ingest(Self.gauges([long, long + "x", "short"], attribute: (String(repeating: "k", count: 5_000), .int(1))), into: &window)
        let batch = window.drain()
        let names = batch.signals.map(\.name).sorted()
        #expect(names.count == 2)  // the two long names share their first kilobyte: one aggregate
        let stored = try #require(names.first { $0 != "short" })
        #expect(stored.utf8.count <= StringTable.maxBytes)
        #expect(stored.hasSuffix("…"))
        #expect(stored.dropLast().allSatisfy { $0 == "é" })
        #expect(batch.keys.allSatisfy { $0.key.utf8.count <= StringTable.maxBytes })
    }

    @Test("the insert budget keeps every window within one INSERT for any configuration")
    func budgetFitsOneInsert() {
        for lanes in [1, 2, 4, 16, 64] {
            for flushRows in [1, 50_000, 250_000, 500_000] {
                for recordRows in [1, 10_000, 100_000, 500_000] {
                    let budget = InsertBudget(flushRows: flushRows, recordRows: recordRows, lanes: lanes)
                    #expect(budget.maxInsertRows <= MetadataWriter.maxRowsPerInsert, "lanes \(lanes) flush \(flushRows) record \(recordRows)")
                    #expect(budget.flushRows >= 1 && budget.flushRows <= flushRows)
                    #expect(budget.recordRows >= 1 && budget.recordRows <= recordRows)
                }
            }
        }
        // The defaults: one lane keeps 100,000 rows per record, four lanes (20 records in flight) 22,250.
        #expect(InsertBudget(flushRows: 50_000, recordRows: 100_000, lanes: 1).recordRows == 100_000)
        #expect(InsertBudget(flushRows: 50_000, recordRows: 100_000, lanes: 4).recordRows == 22_250)
        #expect(InsertBudget(flushRows: 50_000, recordRows: 100_000, lanes: 4).flushRows == 50_000)
    }
}
