import Testing
import Hummingbird
@testable import API

/// Every number a client sends is clamped when parsed, and the paging envelope saturates instead of trapping
/// (issue 11, item 1: `?offset=9223372036854775807` used to kill the process in `offset + limit`).
@Suite("Client numbers are clamped and paging arithmetic saturates")
struct PagingOverflowTests {
    static let hostile = [
        "9223372036854775807", "-9223372036854775808", "-1", "1e99", "0x10", "", String(repeating: "9", count: 1 << 20),
        "18446744073709551616", "+7", " 5", "5 ",
    ]

    func pairs(_ items: (String, String)...) -> [(key: Substring, value: Substring)] {
        items.map { (key: Substring($0.0), value: Substring($0.1)) }
    }

    @Test("Pagination: extreme values become the default or the clamp, never a trap")
    func pagination() {
        for value in Self.hostile {
            let paging = Pagination(pairs(("limit", value), ("offset", value)))
            #expect((1...Pagination.maxLimit).contains(paging.limit), "limit=\(value.prefix(30))")
            #expect((0...QueryInteger.maximum).contains(paging.offset), "offset=\(value.prefix(30))")
        }
        let max = Pagination(pairs(("limit", "9223372036854775807"), ("offset", "9223372036854775807")))
        #expect(max.limit == 1000)
        #expect(max.offset == QueryInteger.maximum)
        // Not numbers (as `strconv.Atoi` sees them): the defaults, as in the reference.
        let invalid = Pagination(pairs(("limit", "1e99"), ("offset", "0x10")))
        #expect(invalid.limit == 100 && invalid.offset == 0)
        #expect(Pagination(pairs(("limit", "+7"))).limit == 7)
        #expect(Pagination(limit: .max, offset: .max) == Pagination(limit: 1000, offset: QueryInteger.maximum))
        #expect(Pagination(limit: .min, offset: .min) == Pagination(limit: 1, offset: 0))
    }

    @Test("has_more saturates at Int bounds")
    func envelope() {
        #expect(V1Response.hasMore(offset: .max, count: 1000, total: .max) == false)
        #expect(V1Response.hasMore(offset: .max, count: .max, total: 5) == false)
        #expect(V1Response.hasMore(offset: .min, count: .min, total: 1) == true)
        #expect(V1Response.hasMore(offset: 1, count: 2, total: 4) == true)
        #expect(V1Response.hasMore(offset: 2, count: 2, total: 4) == false)
        let response = V1Response.page(total: 3, limit: .max, offset: .max) { _ in }
        #expect(response.status == .ok)
    }

    @Test("Other integer parameters clamp too")
    func otherParameters() {
        for value in Self.hostile {
            #expect((1...QueryInteger.maximum).contains(QueryInteger.positive(Substring(value), default: 10)))
            #expect((0...QueryInteger.maximum).contains(QueryInteger.nonNegative(Substring(value), default: 0)))
            #expect(QueryInteger.cardinality(Substring(value)) <= UInt64(QueryInteger.maximum))
            let attributes = AttributeListParameters(
                pairs(("limit", value), ("offset", value), ("min_cardinality", value), ("max_cardinality", value)))
            #expect((1...AttributeListParameters.maxLimit).contains(attributes.limit))
            #expect((0...QueryInteger.maximum).contains(attributes.offset))
        }
        #expect(QueryInteger.positive("9223372036854775807", default: 10) == QueryInteger.maximum)
        #expect(QueryInteger.positive("-9223372036854775808", default: 10) == 10)
        #expect(QueryInteger.cardinality("18446744073709551615") == UInt64(QueryInteger.maximum))
    }
}
