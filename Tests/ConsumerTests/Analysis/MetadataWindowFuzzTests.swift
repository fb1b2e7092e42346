import Consumer
import Store
import Testing

/// Thousands of random and mutated payloads: nothing may crash, and a payload that throws must leave no trace.
@Suite("MetadataWindow fuzzing")
struct MetadataWindowFuzzTests {
    /// A deterministic generator, so a failure reproduces.
    struct Xorshift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static let seeds: [UInt64] = [1, 2, 3]

    func mutate(_ bytes: [UInt8], using rng: inout Xorshift) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !out.isEmpty else { break }
            let i = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: out[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)  // bit flip
            case 1: out[i] = UInt8.random(in: 0...255, using: &rng)  // byte replacement
            case 2: out.removeSubrange(i...)  // truncation
            case 3: out.insert(UInt8.random(in: 0...255, using: &rng), at: i)  // insertion
            case 4: out.remove(at: i)  // deletion
            case 5:  // duplicated range
                let end = min(out.count, i + Int.random(in: 1...32, using: &rng))
                out.insert(contentsOf: out[i..<end], at: i)
            default: out[i] = [0x00, 0x7F, 0x80, 0xFF, UInt8(ascii: "{"), UInt8(ascii: "\""), UInt8(ascii: "]")].randomElement(using: &rng) ?? 0
            }
        }
        return out
    }

    @Test("random and mutated payloads never crash, and failures leave the window unchanged", arguments: seeds)
    func fuzz(seed: UInt64) throws {
        var rng = Xorshift(state: 0x9E37_79B9_7F4A_7C15 &* seed)
        let corpus: [([UInt8], Signal)] = [
            (try TestOTLP.fixture("metrics.pb"), .metric), (try TestOTLP.fixture("traces.pb"), .span), (try TestOTLP.fixture("logs.pb"), .log),
            (try TestOTLP.fixture("metrics.json"), .metric), (try TestOTLP.fixture("traces.json"), .span), (try TestOTLP.fixture("logs.json"), .log),
        ]
        var window = MetadataWindow()
        var accepted: [([UInt8], Signal, EpochSeconds)] = []
        var failures = 0
        for round in 0..<1_500 {
            let payload: [UInt8]
            let signal: Signal
            if round % 5 == 0 {
                payload = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                signal = Signal.allCases.randomElement(using: &rng) ?? .metric
            } else {
                let (bytes, s) = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
                payload = mutate(bytes, using: &rng)
                signal = s
            }
            let timestamp = EpochSeconds(1_767_225_600 + round)
            let rows = window.rowCount
            let bytes = window.approximateBytes
            let overflow = window.overflow
            do {
                try window.ingest(payload, signal: signal, timestamp: timestamp)
                accepted.append((payload, signal, timestamp))
            } catch {
                failures += 1
                #expect(!error.reason.isEmpty)
                #expect(window.rowCount == rows && window.approximateBytes == bytes && window.overflow == overflow)
            }
        }
        #expect(failures > 500)
        #expect(accepted.count > 100)
        // Replaying only the accepted payloads must give exactly the same batch: the rejected ones left nothing behind.
        var replay = MetadataWindow()
        for (payload, signal, timestamp) in accepted { try replay.ingest(payload, signal: signal, timestamp: timestamp) }
        #expect(ComparableBatch(window.drain()) == ComparableBatch(replay.drain()))
    }

    @Test("protobuf payloads read as the wrong signal never crash")
    func wrongSignal() throws {
        var window = MetadataWindow()
        for file in ["metrics.pb", "traces.pb", "logs.pb"] {
            let bytes = try TestOTLP.fixture(file)
            for signal in Signal.allCases { _ = try? window.ingest(bytes, signal: signal, encoding: .proto) }
        }
        _ = window.drain()
    }
}
