import Consumer
import Store
import Testing

/// Deep watch in the analyzer: a window collects the values of the registry's keys (point attributes once per point,
/// resource attributes once per item), bounded by the registry's limit (then counted as overflow), drains them with the
/// batch, and an empty window takes a changed list at once.
@Suite("MetadataWindow deep watch")
struct WatchCollectorTests {
    func values(_ batch: MetadataBatch) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for value in batch.watchedValues { out["\(value.key)=\(value.value ?? "<overflow>")", default: 0] += value.count }
        return out
    }

    @Test("watched point and resource values are counted per item; other keys are not collected")
    func counts() throws {
        let registry = WatchRegistry()
        registry.update(keys: ["user", "region"], stored: [:])
        var window = MetadataWindow(watch: registry)
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api")), ("region", .string("eu"))]], points: 5) { _, p in
            [("user", .string(p < 3 ? "alice" : "bob")), ("method", .string("GET"))]
        }
        #expect(try window.ingest(request, signal: .metric) == 5)
        let batch = window.drain()
        #expect(values(batch) == ["user=alice": 3, "user=bob": 2, "region=eu": 5])
        #expect(batch.rowCount == batch.signals.count + batch.keys.count + 3)
        var plain = MetadataWindow()
        _ = try plain.ingest(request, signal: .metric)
        #expect(plain.drain().watchedValues.isEmpty)
    }

    @Test("past the limit, new values are counted as overflow; admitted ones keep counting")
    func overflow() throws {
        let registry = WatchRegistry(maxValues: 2)
        registry.update(keys: ["user"], stored: [:])
        var window = MetadataWindow(watch: registry)
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 6) { _, p in
            [("user", .string(["a", "b", "c", "a", "d", "b"][p]))]
        }
        _ = try window.ingest(request, signal: .metric)
        #expect(values(window.drain()) == ["user=a": 2, "user=b": 2, "user=<overflow>": 2])
    }

    @Test("an empty window takes a changed watch list with its next record; unwatched keys stop")
    func reload() throws {
        let registry = WatchRegistry()
        var window = MetadataWindow(watch: registry)
        let request = TestOTLP.sumRequest(resources: [[("service.name", .string("api"))]], points: 2) { _, _ in [("user", .string("x"))] }
        _ = try window.ingest(request, signal: .metric)
        #expect(window.drain().watchedValues.isEmpty)
        registry.update(keys: ["user"], stored: [:])
        _ = try window.ingest(request, signal: .metric)
        #expect(values(window.drain()) == ["user=x": 2])
        registry.update(keys: [], stored: [:])
        _ = try window.ingest(request, signal: .metric)
        #expect(window.drain().watchedValues.isEmpty)
    }
}
