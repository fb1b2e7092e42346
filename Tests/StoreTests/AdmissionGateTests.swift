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

    @Test("a waiting caller gets the next permit before refreshes that waited longer")
    func callersBeforeRefreshes() async throws {
        let gate = AdmissionGate(permits: 1, maxWait: .seconds(600))
        #expect(await gate.acquire(.caller))
        let order = OrderRecorder()
        let refresh = Task { if await gate.acquire(.refresh) { order.append(2); gate.release(.refresh) } }
        try await waitUntil { gate.waitingCount == 1 }
        let caller = Task { if await gate.acquire(.caller) { order.append(1); gate.release(.caller) } }
        try await waitUntil { gate.waitingCount == 2 }
        gate.release(.caller)
        await caller.value
        await refresh.value
        #expect(order.values == [1, 2])
    }

    @Test("refreshes never hold the last permit: with 3 permits, 2 refreshes at most, and a caller still gets in")
    func refreshesLeaveOnePermit() async throws {
        let gate = AdmissionGate(permits: 3, maxWait: .milliseconds(50))
        #expect(await gate.acquire(.refresh))
        #expect(await gate.acquire(.refresh))
        #expect(await gate.acquire(.refresh) == false)  // turned away after maxWait although a permit is free
        #expect(await gate.acquire(.caller))
        gate.release(.refresh)
        #expect(await gate.acquire(.refresh))  // a refresh's permit came back
    }

    @Test("a single permit is shared: a refresh may take it when nobody waits")
    func singlePermitRefresh() async throws {
        let gate = AdmissionGate(permits: 1, maxWait: .zero)
        #expect(await gate.acquire(.refresh))
        #expect(await gate.acquire(.caller) == false)
        gate.release(.refresh)
        #expect(await gate.acquire(.caller))
    }

    @Test("withPermit runs at the task's ReadPriority: a refresh task waits behind a caller")
    func withPermitPriority() async throws {
        let gate = AdmissionGate(permits: 2, maxWait: .zero)
        #expect(await gate.acquire(.caller))
        // One permit left; refreshes may hold at most one (permits - 1), so a refresh gets in …
        let refreshed = try await ReadPriority.$current.withValue(.refresh) { try await gate.withPermit { () throws(ClickHouseError) in 1 } }
        #expect(refreshed == 1)
        #expect(await gate.acquire(.refresh))
        // … and with it inside, a second refresh is turned away, a caller is not.
        let second = try await ReadPriority.$current.withValue(.refresh) { try await gate.withPermit { () throws(ClickHouseError) in 2 } }
        #expect(second == nil)
        gate.release(.caller)
        let caller = try await gate.withPermit { () throws(ClickHouseError) in 3 }
        #expect(caller == 3)
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
