import Metrics
import Prometheus

/// The process's metrics backend: one Prometheus registry, bootstrapped as swift-metrics' global factory and
/// rendered by `GET /metrics`.
struct MetricsSetup: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// Creates the registry and factory (histogram buckets sized for census's metrics). Does not bootstrap.
    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10), .seconds(30),
        ]
        factory.valueHistogramBuckets = [
            "census_flush_batch_rows": [10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000],
            "census_clickhouse_insert_bytes": [1_024, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456],
        ]
        // Prometheus names allow [a-zA-Z0-9_:]; libraries that use dotted labels are mapped onto that.
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.sanitize(name), labels.map { (Self.sanitize($0.0), $0.1) })
        }
        self.factory = factory
    }

    /// Makes this registry swift-metrics' process-wide backend (once per process).
    func bootstrap() {
        MetricsSystem.bootstrap(factory)
    }

    /// Every metric in the Prometheus text exposition format.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    static func sanitize(_ name: String) -> String {
        String(
            name.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "_", ":": Character(scalar)
                default: "_"
                }
            })
    }
}
