import Synchronization

/// The whole attribute catalog, held once by ``CachingMetadataReader`` and cut into every `/api/v1/attributes` page.
///
/// The catalog must be merged whole to sort it by cardinality or count anyway, so any page of it costs the same as all
/// of it; keeping one copy for every filter, sort order and page means that many distinct queries cost no more memory
/// than one. Pages are computed exactly as ``MetadataQueries/attributes(_:query:)`` computes them in ClickHouse: the
/// filters are applied to the merged statistics, and every order but `key` breaks ties by key, ascending.
package final class AttributeCatalog: Sendable {
    /// Every catalog key in ClickHouse's key order (by bytes, ascending): the position of a key here is its rank in
    /// that order, so ties are broken by comparing positions, never strings.
    package let items: [AttributeSummary]

    /// One sort order other than by key: item positions, computed when first asked for and kept with the catalog.
    private struct Order: Hashable {
        var field: AttributeQuery.SortField
        var descending: Bool
    }
    private let orders = Mutex<[Order: [Int32]]>([:])

    /// The sort fields whose orders may be kept (``cacheBytes`` counts room for all of them).
    private static let keptOrders = 2 * 4

    /// - Parameter items: The whole catalog, ordered by key ascending as ClickHouse orders it.
    package init(orderedByKey items: [AttributeSummary]) {
        self.items = items
    }

    /// The page `query` asks for: its filters, sort order, offset and limit (`nil`: everything from the offset), and
    /// how many keys pass the filters.
    package func page(_ query: AttributeQuery) -> Page<AttributeSummary> {
        let start = max(0, query.offset)
        let wanted = query.limit.map { max(0, $0) } ?? Int.max
        var page: [AttributeSummary] = []
        var total = 0
        func visit(_ index: Int) {
            let item = items[index]
            guard Self.matches(item, query) else { return }
            if total >= start, page.count < wanted { page.append(item) }
            total += 1
        }
        if query.sortBy == .key {
            if query.descending {
                for index in items.indices.reversed() { visit(index) }
            } else {
                for index in items.indices { visit(index) }
            }
        } else {
            for index in order(Order(field: query.sortBy, descending: query.descending)) { visit(Int(index)) }
        }
        return Page(items: page, total: total)
    }

    /// The `HAVING` clause of ``MetadataQueries/attributes(_:query:)``.
    private static func matches(_ item: AttributeSummary, _ query: AttributeQuery) -> Bool {
        if let signal = query.signal, !item.signals.contains(signal) { return false }
        switch query.scope {
        case .resource: if !item.seenAsResource { return false }
        case .attribute: if !item.seenAsAttribute { return false }
        case .both: if !(item.seenAsResource && item.seenAsAttribute) { return false }
        case nil: break
        }
        if query.minCardinality > 0, item.estimatedCardinality < query.minCardinality { return false }
        if query.maxCardinality > 0, item.estimatedCardinality > query.maxCardinality { return false }
        return true
    }

    /// Item positions sorted by `order`'s field, ties by key ascending (by position). Sorted once per catalog: two
    /// requests that need it at the same moment may both sort, and the first result is kept.
    private func order(_ order: Order) -> [Int32] {
        if let kept = orders.withLock({ $0[order] }) { return kept }
        let items = self.items
        let field: (AttributeSummary) -> UInt64
        switch order.field {
        case .cardinality: field = { $0.estimatedCardinality }
        case .count: field = { $0.count }
        case .firstSeen: field = { UInt64($0.firstSeen) }
        case .lastSeen: field = { UInt64($0.lastSeen) }
        case .key: field = { _ in 0 }
        }
        let values = items.map(field)
        let descending = order.descending
        let sorted = Array(Int32(0)..<Int32(items.count)).sorted { left, right in
            let l = values[Int(left)], r = values[Int(right)]
            if l != r { return descending ? l > r : l < r }
            return left < right
        }
        return orders.withLock { kept in
            if let first = kept[order] { return first }
            kept[order] = sorted
            return sorted
        }
    }
}

extension AttributeCatalog: CacheCost {
    /// The items, and room for every sort order it may keep.
    package var cacheBytes: Int {
        CacheBytes.of(items) + 64 + Self.keptOrders * (40 + 32 + items.count * MemoryLayout<Int32>.stride)
    }
}
