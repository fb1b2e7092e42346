import ArgumentParser
import CMalloc
import Consumer
import Foundation
import NIOCore
import Store

/// `census microbench`: times the hot path in isolation — wire validation, decode + aggregate, and RowBinary encoding
/// of a drained window — on generated records, so a regression shows up without Kafka or ClickHouse.
struct MicrobenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "microbench",
        abstract: "Time the hot path (wire validation, analyzer, RowBinary encoding) on generated OTLP records.",
        discussion: "Build with -c release for meaningful numbers. One line per stage and shape: items/s, MB/s, ns per item."
    )

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1

    @Option(help: "Distinct records generated per shape (cycled while measuring).")
    var records: Int = 32

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Only shapes whose name contains this text (e.g. \"600x8\", \"spans\").")
    var only: String = ""

    @Option(
        help: """
            Only this stage: validate, ingest, encode (ingest+drain+encode) or write (one drained window encoded again and \
            again: the flusher's share); for profiling one stage.
            """
    )
    var stage: String = ""

    @Option(help: "Records per window of the spread shape (distinct records, drained as one window): how window size changes the cost per item.")
    var spreadWindow: Int = 1_300

    func validate() throws {
        guard ["", "validate", "ingest", "encode", "write"].contains(stage) else {
            throw ConfigurationError("--stage must be validate, ingest, encode or write")
        }
        guard seconds > 0, seconds <= 600 else { throw ConfigurationError("--seconds must be in (0, 600]") }
        guard (1...10_000).contains(records) else { throw ConfigurationError("--records must be in 1...10000") }
        guard (1...20_000).contains(spreadWindow) else { throw ConfigurationError("--spread-window must be in 1...20000") }
    }

    /// A generated workload: records of one signal and how many items each holds.
    private struct Workload {
        var name: String
        var signal: Signal
        var payloads: [[UInt8]]
        var items: Int
        /// Records per drained window in the `ingest` stage (a flush's worth); `.max`: drained only when full.
        var windowRecords: Int = .max
    }

    func run() throws {
        var demo = DemoTelemetry(seed: seed)
        let workloads = [
            Workload(
                name: "sum 600x8", signal: .metric, payloads: (0..<records).map { _ in demo.sumRequest(points: 600, attributes: 8) }, items: 600),
            Workload(
                name: "sum 200x30", signal: .metric, payloads: (0..<records).map { _ in demo.sumRequest(points: 200, attributes: 30) }, items: 200),
            Workload(name: "metrics mixed 600", signal: .metric, payloads: (0..<records).map { _ in demo.metricsRequest(points: 600) }, items: 600),
            Workload(name: "spans 300", signal: .span, payloads: (0..<records).map { _ in demo.tracesRequest(spans: 300) }, items: 300),
            Workload(name: "logs 500", signal: .log, payloads: (0..<records).map { _ in demo.logsRequest(records: 500) }, items: 500),
            Workload(
                name: "explosion 600", signal: .metric,
                payloads: (0..<records).map { demo.explosionRequest(points: 600, first: $0 * 600) }, items: 600),
        ]
        // The spread shape needs a window's worth of distinct (metric, service) pairs, not `records` cycled ones.
        let spread =
            only.isEmpty || "spread 600x8".contains(only)
            ? [
                Workload(
                    name: "spread 600x8", signal: .metric,
                    payloads: (0..<spreadWindow).map { _ in
                        demo.spreadRequest(points: 600, attributes: 8, metrics: 400, services: 12, values: 200_000)
                    }, items: 600, windowRecords: spreadWindow)
            ] : []
        print(
            "census microbench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(seconds) s per line, \(records) distinct records per shape")
        if only.isEmpty || only.contains("flood") { try floodBench() }
        for workload in workloads + spread where only.isEmpty || workload.name.contains(only) {
            let bytes = workload.payloads.reduce(0) { $0 + $1.count }
            let message = OTLPMessage.request(for: workload.signal)
            if stage.isEmpty || stage == "validate" {
                try measure("validate", workload, bytes: bytes) { payload in
                    _ = try payload.withUnsafeBytes { try WireValidator.validate($0, as: message) }
                }
            }
            if stage.isEmpty || stage == "ingest" {
                var window = MetadataWindow()
                var inWindow = 0
                try measure("ingest", workload, bytes: bytes) { payload in
                    _ = try payload.withUnsafeBytes { try window.ingest($0, signal: workload.signal, encoding: .proto, timestamp: 1_767_225_600) }
                    inWindow += 1
                    // Keep the window at a realistic size: drain it as a flush would (spread: once per window's records).
                    if window.approximateBytes > 64 << 20 || window.hasKeyAtValueLimit || inWindow >= workload.windowRecords {
                        _ = window.drain()
                        inWindow = 0
                    }
                }
            }
            if stage.isEmpty || stage == "write" { try measureWrite(workload) }
            guard stage.isEmpty || stage == "encode" else { continue }
            // Encoding: windows of 16 records each (spread: of all its records), drained and encoded as one INSERT body.
            var encoded = 0
            let chunk = min(workload.windowRecords == .max ? 16 : workload.windowRecords, workload.payloads.count)
            let start = ContinuousClock.now
            var elapsed = Duration.zero
            var items = 0
            var chunkBytes = 0
            repeat {
                var window = MetadataWindow()
                for payload in workload.payloads.prefix(chunk) {
                    items += try payload.withUnsafeBytes {
                        try window.ingest($0, signal: workload.signal, encoding: .proto, timestamp: 1_767_225_600)
                    }
                    chunkBytes += payload.count
                }
                let (body, _) = try MetadataWriter.encode(window.drain())
                encoded += body.readableBytes
                elapsed = ContinuousClock.now - start
            } while elapsed < .seconds(seconds)
            report(
                "ingest+drain+encode", workload.name, items: items, bytes: chunkBytes, elapsed: elapsed,
                extra: "RowBinary \(encoded / max(1, items / workload.items)) bytes per record")
        }
    }

    /// The flusher's share alone: one window of the workload (16 records; spread: all of them) drained once, then encoded
    /// as one INSERT body again and again (lane merge, catalog rows, set filter, RowBinary) — ``MetadataWriter/encode``,
    /// which `prepare` runs once per batch. Items are the window's, counted per encoding.
    ///
    /// Also prints what the window holds against what `--flush-bytes` counts of it (``MetadataWindow/approximateBytes``),
    /// and what its drained batch and INSERT body hold: heap in use (glibc `mallinfo2`) before and after, on this one
    /// thread.
    private func measureWrite(_ workload: Workload) throws {
        var window = MetadataWindow()
        var items = 0
        var bytes = 0
        let chunk = min(workload.windowRecords == .max ? 16 : workload.windowRecords, workload.payloads.count)
        let heapBefore = Self.heapInUse()
        for payload in workload.payloads.prefix(chunk) {
            items += try payload.withUnsafeBytes { try window.ingest($0, signal: workload.signal, encoding: .proto, timestamp: 1_767_225_600) }
            bytes += payload.count
        }
        let counted = window.approximateBytes
        let heapWindow = Self.heapInUse() - heapBefore
        let batch = window.drain()
        let heapBatch = Self.heapInUse() - heapBefore
        var rounds = 0
        var encoded = 0
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        repeat {
            let (body, _) = try MetadataWriter.encode(batch)
            encoded = body.readableBytes
            rounds += 1
            elapsed = ContinuousClock.now - start
        } while elapsed < .seconds(seconds)
        report(
            "write (encode only)", workload.name, items: items * rounds, bytes: bytes * rounds, elapsed: elapsed,
            extra: "\(batch.rowCount) rows, RowBinary \(encoded) bytes per window")
        let (body, heapBody) = try withExtendedLifetime(batch) {
            let (body, _) = try MetadataWriter.encode(batch)
            return (body, Self.heapInUse() - heapBefore - heapBatch)
        }
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        print(
            "\(pad("memory", 20)) \(pad(workload.name, 18)) window (\(chunk) records): counted \(mib(counted)), heap \(mib(heapWindow)) "
                + "(\(String(format: "%.2f", Double(heapWindow) / Double(max(counted, 1))))x); drained batch \(mib(heapBatch)); "
                + "INSERT body \(mib(body.readableBytes)) (heap \(mib(heapBody)))")
    }

    /// Bytes the allocator has handed out and not taken back (all arenas, including mmap-ed blocks).
    static func heapInUse() -> Int {
        let info = mallinfo2()
        return Int(info.uordblks) + Int(info.hblkhd)
    }

    /// Hash flooding: one record of ``floodValues`` distinct ints for one key, crafted so that their value hashes share
    /// their low bits (found by searching, here), against one of random ints; prints the ingest cost ratio.
    private func floodBench() throws {
        let crafted = Self.craftedFloodValues(count: Self.floodValues)
        var random = SplitMix64(seed: seed)
        var seen = Set<Int64>()
        while seen.count < Self.floodValues { seen.insert(Int64(truncatingIfNeeded: random.next() >> 1)) }
        let demo = DemoTelemetry(seed: seed)
        var rates: [Double] = []
        for (name, values) in [("flood random", Array(seen)), ("flood crafted", crafted)] {
            let workload = Workload(name: name, signal: .metric, payloads: [demo.intAttributeRequest(values: values)], items: values.count)
            var window = MetadataWindow()
            rates.append(
                try measure("ingest", workload, bytes: workload.payloads[0].count) { payload in
                    _ = try payload.withUnsafeBytes { try window.ingest($0, signal: .metric, encoding: .proto, timestamp: 1_767_225_600) }
                    _ = window.drain()
                })
        }
        print("\(pad("ingest", 20)) crafted/random time ratio \(String(format: "%.2f", rates[0] / max(rates[1], 1e-9))) (target ≤ 3)")
    }

    /// Distinct values one key holds per window before it is flushed (``WindowLimits/maxDistinctValuesPerKey``).
    static let floodValues = WindowLimits().maxDistinctValuesPerKey

    /// `count` non-negative ints whose value hashes all fall in the first 1/64 of a 2^18-slot table when a table is
    /// indexed by the hash's low bits (the placement before ``TableSeed``): one linear-probing cluster, n²/4 probes.
    static func craftedFloodValues(count: Int) -> [Int64] {
        let lowBits: UInt64 = (1 << 18) - 1
        var values: [Int64] = []
        values.reserveCapacity(count)
        var candidate: Int64 = 0
        while values.count < count {
            if ValueHash.hash(scalar: UInt64(bitPattern: candidate), tag: .int) & lowBits < (1 << 12) { values.append(candidate) }
            candidate += 1
        }
        return values
    }

    @discardableResult
    private func measure(_ stage: String, _ workload: Workload, bytes: Int, _ body: ([UInt8]) throws -> Void) throws -> Double {
        // Warm-up pass, then timed passes over the records until the time is up.
        for payload in workload.payloads { try body(payload) }
        var items = 0
        var passes = 0
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        repeat {
            for payload in workload.payloads { try body(payload) }
            items += workload.items * workload.payloads.count
            passes += 1
            elapsed = ContinuousClock.now - start
        } while elapsed < .seconds(seconds)
        report(
            stage, workload.name, items: items, bytes: bytes * passes, elapsed: elapsed, extra: "\(bytes / workload.payloads.count) bytes per record")
        return Double(items) / elapsed.inSeconds
    }

    private func report(_ stage: String, _ name: String, items: Int, bytes: Int, elapsed: Duration, extra: String) {
        let seconds = elapsed.inSeconds
        let numbers = String(
            format: "%12.0f items/s %8.1f MB/s %8.1f ns/item", Double(items) / seconds, Double(bytes) / seconds / 1e6,
            seconds * 1e9 / Double(max(items, 1)))
        print("\(pad(stage, 20)) \(pad(name, 18)) \(numbers)  (\(extra))")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
