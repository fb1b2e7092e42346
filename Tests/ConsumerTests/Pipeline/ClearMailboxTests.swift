import Synchronization
import Testing
@testable import Consumer

@Suite("ClearMailbox hands admin clears to the poll thread")
struct ClearMailboxTests {
    @Test func closedMailboxQueuesNothing() async throws {
        let mailbox = ClearMailbox()
        let ran = Atomic<Int>(0)
        let queued = try await mailbox.submit { ran.add(1, ordering: .relaxed) }
        #expect(!queued)
        #expect(ran.load(ordering: .relaxed) == 0, "the caller clears directly; the mailbox never runs the work itself")
        #expect(!mailbox.hasRequests)
    }

    @Test func servedRequestAnswersItsWaiter() async throws {
        let mailbox = ClearMailbox()
        mailbox.open()
        let waiter = Task { try await mailbox.submit {} }
        while !mailbox.hasRequests { await Task.yield() }
        let requests = mailbox.take()
        #expect(requests.count == 1 && !mailbox.hasRequests)
        try await requests[0].clearStore()
        requests[0].complete(.success(()))
        #expect(try await waiter.value)
    }

    @Test func failureReachesTheWaiter() async throws {
        struct Broken: Error {}
        let mailbox = ClearMailbox()
        mailbox.open()
        let waiter = Task { try await mailbox.submit {} }
        while !mailbox.hasRequests { await Task.yield() }
        mailbox.take().forEach { $0.complete(.failure(Broken())) }
        await #expect(throws: Broken.self) { try await waiter.value }
    }

    @Test func closingFailsWaitingRequests() async throws {
        let mailbox = ClearMailbox()
        mailbox.open()
        let waiter = Task { try await mailbox.submit {} }
        while !mailbox.hasRequests { await Task.yield() }
        mailbox.close()
        await #expect(throws: ClearMailbox.Stopped.self) { try await waiter.value }
        let again = try await mailbox.submit {}
        #expect(!again, "after the loop stopped, submissions are not queued")
    }
}
