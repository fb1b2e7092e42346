extension Collection {
    /// The first `count` elements of this collection in the order `areInIncreasingOrder` defines (all of them, sorted,
    /// when it holds fewer), as `sorted(by:).prefix(count)` would return them, in O(n log count) comparisons: a page of
    /// a large ranking without sorting (and moving) every element.
    ///
    /// - Precondition: `areInIncreasingOrder` is a strict weak ordering; for results equal to `sorted(by:)`'s, it is a
    ///   total order (ties broken by identity), since neither sort is stable here.
    package func smallest(_ count: Int, by areInIncreasingOrder: (Element, Element) throws -> Bool) rethrows -> [Element] {
        guard count > 0 else { return [] }
        // A page that is a large part of the whole: sorting everything costs about the same.
        if count >= self.count / 8 { return Array(try sorted(by: areInIncreasingOrder).prefix(count)) }
        // A max-heap of the `count` smallest seen so far; its root is the largest of them, the one to beat.
        var heap: [Element] = []
        heap.reserveCapacity(count)
        for element in self {
            if heap.count < count {
                heap.append(element)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard try areInIncreasingOrder(heap[parent], heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            } else if try areInIncreasingOrder(element, heap[0]) {
                heap[0] = element
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var largest = parent
                    if left < heap.count, try areInIncreasingOrder(heap[largest], heap[left]) { largest = left }
                    if right < heap.count, try areInIncreasingOrder(heap[largest], heap[right]) { largest = right }
                    if largest == parent { break }
                    heap.swapAt(parent, largest)
                    parent = largest
                }
            }
        }
        return try heap.sorted(by: areInIncreasingOrder)
    }
}
