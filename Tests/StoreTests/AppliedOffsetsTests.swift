import Testing

@testable import Store

@Suite("Applied offsets (progress segments)")
struct AppliedOffsetsTests {
    typealias Segment = AppliedOffsets.Segment

    @Test("segments merge into disjoint ranges; membership, gaps and the first unapplied offset")
    func union() {
        let applied = AppliedOffsets(segments: [
            Segment(start: 10, last: 20), Segment(start: 0, last: 4), Segment(start: 5, last: 7),
            Segment(start: 15, last: 30), Segment(start: 40, last: 39),
        ])
        #expect(applied.ranges == [0...7, 10...30])
        #expect(applied.lowest == 0 && applied.highest == 30)
        for offset: Int64 in [0, 7, 10, 30] { #expect(applied.contains(offset)) }
        for offset: Int64 in [-1, 8, 9, 31, 40] { #expect(!applied.contains(offset)) }
        #expect(applied.firstUnapplied(atOrAfter: 3) == 8)
        #expect(applied.firstUnapplied(atOrAfter: 9) == 9)
        #expect(applied.firstUnapplied(atOrAfter: 12) == 31)
    }

    @Test("a session continues the segment holding the offset before its first record, else starts its own")
    func continuation() {
        var applied = AppliedOffsets(segments: [Segment(start: 5, last: 9), Segment(start: 20, last: 25)])
        #expect(applied.segmentStart(continuingAt: 10) == 5)
        #expect(applied.segmentStart(continuingAt: 7) == 5)
        #expect(applied.segmentStart(continuingAt: 26) == 20)
        #expect(applied.segmentStart(continuingAt: 5) == nil)
        #expect(applied.segmentStart(continuingAt: 15) == nil)
        applied.add(Segment(start: 5, last: 19))
        #expect(applied.ranges == [5...25])
        #expect(applied.segments.count == 2)
    }

    @Test("only the newest incarnation of each partition counts; an empty marker hides the older ones")
    func incarnations() {
        let stored = AppliedOffsets.fromRows([
            (partition: 0, incarnation: 0, start: 0, last: 5_000),
            (partition: 0, incarnation: 1, start: 0, last: -1),
            (partition: 1, incarnation: 0, start: 0, last: 99),
            (partition: 1, incarnation: 0, start: 200, last: 250),
        ])
        #expect(stored[0]?.incarnation == 1 && stored[0]?.isEmpty == true)
        #expect(stored[1]?.incarnation == 0 && stored[1]?.ranges == [0...99, 200...250])
    }
}
