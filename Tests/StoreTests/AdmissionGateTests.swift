import Synchronization
import Testing

@testable import Store

@Suite("AdmissionGate")
struct AdmissionGateTests {
    @Test("lets at most `permits` callers in; a caller that finds no free permit within maxWait is turned away")
    func turnsAwayAfterMaxWait() async throws {
        let gate = AdmissionGate(permits: 2, maxWait: .milliseconds(50))
        #expect(await gate.acquire())
        #expect(await gate.acquire())
        #expect(await gate.acquire() == false)
        gate.release()
        #expect(await gate.acquire())
    }

    @Test("zero maxWait turns away at once")
    func zeroWait() async throws {
        let gate = AdmissionGate(permits: 1, maxWait: .zero)
        #expect(await gate.acquire())
        #expect(await gate.acquire() == false)
    }

    @Test("a released permit goes to the longest waiter, in arrival order")
    func fifoHandOff() async throws {
        let gate = AdmissionGate(permits: 1, maxWait: .seconds(600))
        #expect(await gate.acquire())
        let order = OrderRecorder()
        let first = Task { if await gate.acquire() { order.append(1) } }
        try await waitUntil { gate.waitingCount == 1 }
        let second = Task { if await gate.acquire() { order.append(2) } }
        try await waitUntil { gate.waitingCount == 2 }
        gate.release()
        await first.value
        gate.release()
        await second.value
        #expect(order.values == [1, 2])
    }

    @Test("cancelling a waiter ends its wait without a permit")
    func cancellation() async throws {
        let gate = AdmissionGate(permits: 1, maxWait: .seconds(600))
        #expect(await gate.acquire())
        let waiter = Task { await gate.acquire() }
        try await waitUntil { gate.waitingCount == 1 }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(gate.waitingCount == 0)
        gate.release()
        #expect(await gate.acquire())
    }

    @Test("withPermit returns nil without running the body when turned away, and frees the permit after the body")
    func withPermit() async throws {
        let gate = AdmissionGate(permits: 1, maxWait: .zero)
        let ran = try await gate.withPermit { () throws(ClickHouseError) in 42 }
        #expect(ran == 42)
        #expect(await gate.acquire())  // the permit came back
        let refused = try await gate.withPermit { () throws(ClickHouseError) in 7 }
        #expect(refused == nil)
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<10_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }
}

private final class OrderRecorder: Sendable {
    private let storage = Mutex<[Int]>([])
    func append(_ value: Int) { storage.withLock { $0.append(value) } }
    var values: [Int] { storage.withLock { $0 } }
}
