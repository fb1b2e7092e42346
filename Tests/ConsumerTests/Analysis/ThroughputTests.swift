import Consumer
import Foundation
import Store
import Testing

/// A tiny benchmark of the hot path: one realistic record of 600 Sum data points with 8 string attributes each.
///
/// Prints data points per second; set `CENSUS_BENCH_SECONDS` to run longer. Measured numbers belong to a release
/// build (`swift test -c release …`); debug builds are an order of magnitude slower.
@Suite("Throughput")
struct ThroughputTests {
    static func record(_ variant: Int) -> [UInt8] {
        TestOTLP.sumRequest(
            resources: [
                [
                    ("service.name", .string("checkout")), ("service.version", .string("1.4.2")),
                    ("host.name", .string("node-\(variant % 3)")), ("k8s.pod.name", .string("checkout-\(variant % 5)")),
                    ("cloud.region", .string("eu-west-1")), ("telemetry.sdk.language", .string("go")),
                ]
            ], points: 600
        ) { _, p in
            [
                ("http.request.method", .string(["GET", "POST", "PUT", "DELETE"][p % 4])), ("http.route", .string("/api/v1/resource/\(p % 10)")),
                ("http.response.status_code", .string(["200", "201", "404", "500", "503"][p % 5])), ("server.address", .string("shop.example.com")),
                ("network.protocol.version", .string(p % 2 == 0 ? "1.1" : "2")), ("client.region", .string(["eu", "us", "ap"][p % 3])),
                ("user.id", .string(p % 20 == 0 ? "user-\(variant)-\(p)" : "user-\(p % 50)")), ("pod.instance", .string("instance-\(p % 20)")),
            ]
        }
    }

    @Test("decodes 600 points x 8 string attributes per record")
    func throughput() throws {
        let records = (0..<16).map(Self.record)
        let seconds = Double(ProcessInfo.processInfo.environment["CENSUS_BENCH_SECONDS"] ?? "") ?? 0.3
        var window = MetadataWindow()
        var points = 0
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        repeat {
            for record in records { points += try window.ingest(record, signal: .metric) }
            elapsed = ContinuousClock.now - start
        } while elapsed < .seconds(seconds)
        let rate = Double(points) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print("census throughput: \(Int(rate)) data points/s (600 points x 8 attributes per record, \(records[0].count) bytes)")
        #expect(points > 0)
        let batch = window.drain()
        #expect(batch.signals.count == 1)
        #expect(batch.keys.count == 8 + 6)
    }
}
