import Consumer
import Store

/// Generates realistic OTLP export requests for demos, load tests and benchmarks, deterministically from a seed.
///
/// Five services (checkout, cart, payments, frontend, inventory) with typical resource attributes; metrics of every
/// type (gauge, monotonic and non-monotonic sums, histograms with explicit bounds, exponential histograms with
/// several scales, summaries); spans of every kind with events (including `exception` with `exception.type` and
/// `exception.message`), links, trace state and all three status codes; logs of several severities with templated
/// bodies ("User 42 logged in from 10.0.0.7", "Payment 9f3c2a1b7e failed after 120ms"), some non-string bodies,
/// `event.name` attributes and `event_name` fields. A share of high-cardinality attribute values (`user.id`,
/// `order.id`, `cache.key`, …) are fresh on every use; the rest come from small pools.
///
/// ```swift
/// var demo = DemoTelemetry(seed: 42)
/// let proto = demo.metricsRequest(points: 600)
/// let json = demo.logsRequest(records: 100, encoding: .json)
/// ```
/// The same seed and the same sequence of calls always give the same bytes.
struct DemoTelemetry {
    /// The services the generator emits as.
    static let services = ["checkout", "cart", "payments", "frontend", "inventory"]

    var random: SplitMix64
    /// Share (0…1) of high-cardinality attribute values that are fresh instead of drawn from a small pool.
    let highCardinalityShare: Double
    /// The timestamp of the next item, in nanoseconds since the epoch; advances about 1 ms per item.
    private(set) var clock: UInt64

    /// - Parameters:
    ///   - seed: Everything generated follows from it.
    ///   - startTime: Timestamp of the first item (default 2026-01-01T00:00:00Z).
    ///   - highCardinalityShare: Share of fresh values for high-cardinality keys (default 0.05).
    init(seed: UInt64, startTime: EpochSeconds = 1_767_225_600, highCardinalityShare: Double = 0.05) {
        random = SplitMix64(seed: seed)
        clock = UInt64(startTime) * 1_000_000_000
        self.highCardinalityShare = min(max(highCardinalityShare, 0), 1)
    }

    /// An `ExportMetricsServiceRequest` with exactly `points` data points (at least one metric per resource).
    mutating func metricsRequest(points: Int, encoding: OTLPEncoding = .proto) -> [UInt8] {
        var w = ProtoWriter(capacity: max(256, points * 200))
        for (service, share) in split(max(points, 0)) {
            w.message(1) { w in
                resource(service, into: &w)
                w.message(2) { w in
                    scope(service, into: &w)
                    var left = share
                    while left > 0 {
                        let n = min(left, 1 + random.next(upTo: 20))
                        metric(service, points: n, into: &w)
                        left -= n
                    }
                }
                w.string(3, "https://opentelemetry.io/schemas/1.26.0")
            }
        }
        return encode(w, .exportMetricsServiceRequest, encoding)
    }

    /// An `ExportTraceServiceRequest` with exactly `spans` spans.
    mutating func tracesRequest(spans: Int, encoding: OTLPEncoding = .proto) -> [UInt8] {
        var w = ProtoWriter(capacity: max(256, spans * 400))
        for (service, share) in split(max(spans, 0)) {
            w.message(1) { w in
                resource(service, into: &w)
                w.message(2) { w in
                    scope(service, into: &w)
                    for _ in 0..<share { span(service, into: &w) }
                }
            }
        }
        return encode(w, .exportTraceServiceRequest, encoding)
    }

    /// An `ExportLogsServiceRequest` with exactly `records` log records.
    mutating func logsRequest(records: Int, encoding: OTLPEncoding = .proto) -> [UInt8] {
        var w = ProtoWriter(capacity: max(256, records * 300))
        for (service, share) in split(max(records, 0)) {
            w.message(1) { w in
                resource(service, into: &w)
                w.message(2) { w in
                    scope(service, into: &w)
                    for _ in 0..<share { logRecord(service, into: &w) }
                }
            }
        }
        return encode(w, .exportLogsServiceRequest, encoding)
    }

    /// The request of `signal` with `items` data points, spans or log records.
    mutating func request(for signal: Signal, items: Int, encoding: OTLPEncoding = .proto) -> [UInt8] {
        switch signal {
        case .metric: metricsRequest(points: items, encoding: encoding)
        case .span: tracesRequest(spans: items, encoding: encoding)
        case .log: logsRequest(records: items, encoding: encoding)
        }
    }

    // MARK: - Structure

    func encode(_ w: ProtoWriter, _ message: OTLPMessage, _ encoding: OTLPEncoding) -> [UInt8] {
        guard encoding == .json else { return w.bytes }
        // The writer's own output is always well-formed, so this cannot fail; fall back to protobuf if it did.
        return (try? OTLPJSONWriter.transcode(w.bytes, as: message)) ?? w.bytes
    }

    /// Splits `items` over one to three distinct services (every share at least 1 when items allow).
    private mutating func split(_ items: Int) -> [(String, Int)] {
        guard items > 0 else { return [] }
        let count = min(items, 1 + random.next(upTo: 3))
        var names = Self.services
        var chosen: [String] = []
        for _ in 0..<count { chosen.append(names.remove(at: random.next(upTo: names.count))) }
        var shares = [Int](repeating: 1, count: count)
        for _ in 0..<(items - count) { shares[random.next(upTo: count)] += 1 }
        return Array(zip(chosen, shares))
    }

    mutating func resource(_ service: String, into w: inout ProtoWriter) {
        let index = Self.services.firstIndex(of: service) ?? 0
        let language = ["go", "java", "python", "nodejs", "dotnet"][index]
        let replica = random.next(upTo: 3)
        w.message(1) { w in
            stringAttribute(1, "service.name", service, into: &w)
            stringAttribute(1, "service.namespace", "shop", into: &w)
            stringAttribute(1, "service.version", "1.\(index + 2).\(replica)", into: &w)
            stringAttribute(1, "deployment.environment.name", "demo", into: &w)
            stringAttribute(1, "host.name", "node-\(index % 3 + 1)", into: &w)
            stringAttribute(1, "k8s.pod.name", "\(service)-7d9f\(index)c-\(["x2k4p", "b8q1z", "m3n7r"][replica])", into: &w)
            stringAttribute(1, "telemetry.sdk.language", language, into: &w)
            stringAttribute(1, "telemetry.sdk.name", "opentelemetry", into: &w)
            intAttribute(1, "process.pid", Int64(1000 + index * 7 + replica), into: &w)
        }
    }

    mutating func scope(_ service: String, into w: inout ProtoWriter) {
        w.message(1) { w in
            w.string(1, "io.opentelemetry.\(service)")
            w.string(2, "1.\(random.next(upTo: 2) + 30).0")
        }
    }

    // MARK: - Metrics

    private enum Kind { case gauge, sum(monotonic: Bool), histogram([Double]), exponential, summary }

    private static let httpBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

    private mutating func metric(_ service: String, points: Int, into w: inout ProtoWriter) {
        let catalog: [(name: String, unit: String, description: String, kind: Kind)] = [
            ("http.server.request.duration", "s", "Duration of HTTP server requests.", .histogram(Self.httpBounds)),
            ("http.server.active_requests", "{request}", "Number of active HTTP server requests.", .sum(monotonic: false)),
            ("app.\(service).operations", "{operation}", "Operations completed by \(service).", .sum(monotonic: true)),
            ("process.runtime.memory.usage", "By", "Memory in use.", .gauge),
            ("system.cpu.utilization", "1", "CPU utilization.", .gauge),
            ("rpc.client.duration", "ms", "Duration of outbound RPCs.", .exponential),
            ("db.client.operation.duration", "s", "Database operation latency quantiles.", .summary),
            ("app.payment.amount", "USD", "Payment amounts.", .histogram([10, 50, 100, 500, 1_000, 5_000])),
        ]
        // Every service exports the runtime and HTTP metrics; payment amounts come from checkout and payments only.
        let available = catalog.filter { $0.name != "app.payment.amount" || service == "payments" || service == "checkout" }
        let entry = available[random.next(upTo: available.count)]
        w.message(2) { w in
            w.string(1, entry.name)
            w.string(2, entry.description)
            w.string(3, entry.unit)
            switch entry.kind {
            case .gauge:
                w.message(5) { w in for _ in 0..<points { numberPoint(entry.name, into: &w) } }
            case .sum(let monotonic):
                w.message(7) { w in
                    for _ in 0..<points { numberPoint(entry.name, into: &w) }
                    w.varint(2, monotonic ? 1 : 2)
                    if monotonic { w.bool(3, true) }
                }
            case .histogram(let bounds):
                w.message(9) { w in
                    for _ in 0..<points { histogramPoint(entry.name, bounds: bounds, into: &w) }
                    w.varint(2, 2)
                }
            case .exponential:
                w.message(10) { w in
                    for _ in 0..<points { exponentialPoint(into: &w) }
                    w.varint(2, 1)
                }
            case .summary:
                w.message(11) { w in for _ in 0..<points { summaryPoint(into: &w) } }
            }
        }
    }

    mutating func pointTimes(into w: inout ProtoWriter) {
        let now = tick()
        w.fixed64(2, now - 60_000_000_000)
        w.fixed64(3, now)
    }

    private mutating func numberPoint(_ name: String, into w: inout ProtoWriter) {
        w.message(1) { w in
            pointTimes(into: &w)
            if random.next(upTo: 2) == 0 {
                w.double(4, Double(random.next(upTo: 100_000)) / 100)
            } else {
                w.fixed64(6, UInt64(random.next(upTo: 5_000)))
            }
            switch name {
            case "process.runtime.memory.usage":
                stringAttribute(7, "memory.type", pick(["heap", "non_heap"]), into: &w)
                stringAttribute(7, "memory.pool", pick(["eden", "survivor", "old_gen", "metaspace"]), into: &w)
            case "system.cpu.utilization":
                intAttribute(7, "cpu", Int64(random.next(upTo: 8)), into: &w)
                stringAttribute(7, "cpu.mode", pick(["user", "system", "idle", "iowait"]), into: &w)
            case "http.server.active_requests":
                stringAttribute(7, "http.request.method", pick(["GET", "POST", "PUT", "DELETE"]), into: &w)
                stringAttribute(7, "url.scheme", pick(["http", "https"]), into: &w)
            default:
                stringAttribute(7, "operation", pick(["create", "read", "update", "delete"]), into: &w)
                stringAttribute(7, "outcome", pick(["success", "success", "success", "failure"]), into: &w)
                boolAttribute(7, "retry", random.next(upTo: 10) == 0, into: &w)
                stringAttribute(7, "user.id", highCardinality("user", pool: 50), into: &w)
            }
        }
    }

    private mutating func histogramPoint(_ name: String, bounds: [Double], into w: inout ProtoWriter) {
        w.message(1) { w in
            pointTimes(into: &w)
            let counts = (0...bounds.count).map { _ in UInt64(random.next(upTo: 50)) }
            w.fixed64(4, counts.reduce(0, +))
            w.double(5, Double(random.next(upTo: 100_000)) / 10)
            w.packedFixed64(6, counts)
            w.packedDoubles(7, bounds)
            if name == "app.payment.amount" {
                stringAttribute(9, "currency", pick(["USD", "EUR", "GBP", "JPY"]), into: &w)
                stringAttribute(9, "card.brand", pick(["visa", "mastercard", "amex"]), into: &w)
                doubleAttribute(9, "fx.rate", pick([1.0, 0.92, 0.79, 151.3]), into: &w)
            } else {
                stringAttribute(9, "http.request.method", pick(["GET", "POST", "PUT", "DELETE"]), into: &w)
                stringAttribute(9, "http.route", pick(["/api/cart", "/api/checkout", "/api/products/{id}", "/api/orders/{id}", "/health"]), into: &w)
                intAttribute(9, "http.response.status_code", pick([200, 200, 200, 201, 204, 400, 404, 500, 503]), into: &w)
                stringAttribute(9, "network.protocol.version", pick(["1.1", "2"]), into: &w)
                stringAttribute(9, "server.address", "shop.example.com", into: &w)
            }
            w.double(11, 0.001)
            w.double(12, 12.5)
        }
    }

    private mutating func exponentialPoint(into w: inout ProtoWriter) {
        w.message(1) { w in
            stringAttribute(1, "rpc.system", pick(["grpc", "connect_rpc"]), into: &w)
            stringAttribute(1, "rpc.service", pick(["CartService", "PaymentService", "InventoryService"]), into: &w)
            stringAttribute(1, "rpc.method", pick(["Get", "Add", "Charge", "Reserve"]), into: &w)
            pointTimes(into: &w)
            w.fixed64(4, 40)
            w.double(5, 1234.5)
            let scale = Int32(random.next(upTo: 4)) + 2 - (random.next(upTo: 8) == 0 ? 5 : 0)
            if scale != 0 { w.sint32(6, scale) }
            w.fixed64(7, 1)
            w.message(8) { w in
                let offset = Int32(random.next(upTo: 10)) - 5
                if offset != 0 { w.sint32(1, offset) }
                w.packedVarints(2, (0..<8).map { _ in UInt64(random.next(upTo: 10)) })
            }
        }
    }

    private mutating func summaryPoint(into w: inout ProtoWriter) {
        w.message(1) { w in
            pointTimes(into: &w)
            w.fixed64(4, 100)
            w.double(5, 12.75)
            for q in [0.5, 0.9, 0.99] {
                w.message(6) { w in
                    w.double(1, q)
                    w.double(2, q * 0.2)
                }
            }
            stringAttribute(7, "db.system", pick(["postgresql", "redis", "mongodb"]), into: &w)
            stringAttribute(7, "db.operation.name", pick(["SELECT", "INSERT", "UPDATE", "GET", "SET"]), into: &w)
        }
    }

    // MARK: - Spans

    /// Span names and kinds (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer) per service.
    private static let spanCatalog: [String: [(name: String, kind: UInt64)]] = [
        "frontend": [("GET /", 2), ("GET /api/products/{id}", 2), ("render page", 1), ("GET /api/cart", 3), ("POST /api/checkout", 3)],
        "cart": [("GET /api/cart", 2), ("POST /api/cart/items", 2), ("redis GET", 3), ("redis SET", 3)],
        "checkout": [("POST /api/checkout", 2), ("PlaceOrder", 1), ("ChargeCard", 3), ("orders publish", 4)],
        "payments": [("ChargeCard", 2), ("fraud.check", 1), ("POST /v1/charges", 3)],
        "inventory": [("orders process", 5), ("SELECT inventory.stock", 3), ("ReserveStock", 1), ("background tick", 0)],
    ]

    private mutating func span(_ service: String, into w: inout ProtoWriter) {
        let catalog = Self.spanCatalog[service] ?? [("background tick", 0)]
        let entry = catalog[random.next(upTo: catalog.count)]
        let start = tick()
        let isError = random.next(upTo: 10) == 0
        w.message(2) { w in
            w.bytes(1, randomBytes(16))
            w.bytes(2, randomBytes(8))
            if random.next(upTo: 8) == 0 { w.string(3, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE") }
            if random.next(upTo: 4) != 0 { w.bytes(4, randomBytes(8)) }
            w.string(5, entry.name)
            if entry.kind != 0 { w.varint(6, entry.kind) }
            w.fixed64(7, start)
            w.fixed64(8, start + UInt64(1 + random.next(upTo: 250)) * 1_000_000)
            switch entry.kind {
            case 2:
                stringAttribute(9, "http.request.method", entry.name.hasPrefix("POST") ? "POST" : "GET", into: &w)
                stringAttribute(9, "http.route", String(entry.name.split(separator: " ").last ?? ""), into: &w)
                stringAttribute(9, "url.path", "/api/products/\(random.next(upTo: 500))", into: &w)
                intAttribute(9, "http.response.status_code", isError ? 500 : pick([200, 200, 201, 404]), into: &w)
                stringAttribute(9, "user.id", highCardinality("user", pool: 50), into: &w)
                stringAttribute(9, "client.address", "10.0.\(random.next(upTo: 4)).\(random.next(upTo: 250))", into: &w)
            case 3:
                stringAttribute(9, "server.address", pick(["payments.internal", "db-1.internal", "redis.internal"]), into: &w)
                intAttribute(9, "server.port", pick([443, 5432, 6379]), into: &w)
                if entry.name.hasPrefix("SELECT") {
                    stringAttribute(9, "db.system", "postgresql", into: &w)
                    stringAttribute(9, "db.query.text", "SELECT qty FROM stock WHERE sku = $1", into: &w)
                }
            case 4, 5:
                stringAttribute(9, "messaging.system", "kafka", into: &w)
                stringAttribute(9, "messaging.destination.name", "orders", into: &w)
                intAttribute(9, "messaging.kafka.partition", Int64(random.next(upTo: 6)), into: &w)
                stringAttribute(9, "messaging.message.id", highCardinality("msg", pool: 20), into: &w)
            default:
                stringAttribute(9, "order.id", highCardinality("order", pool: 30), into: &w)
                doubleAttribute(9, "order.total", Double(random.next(upTo: 50_000)) / 100, into: &w)
                arrayAttribute(9, "app.feature_flags", pick([["new-checkout"], ["new-checkout", "fast-cart"], []]), into: &w)
            }
            if random.next(upTo: 20) == 0 { w.varint(10, UInt64(1 + random.next(upTo: 5))) }
            if isError {
                w.message(11) { w in
                    w.fixed64(1, start + 1_000_000)
                    w.string(2, "exception")
                    let type = pick(["java.lang.IllegalStateException", "TimeoutError", "ConnectionResetError"])
                    stringAttribute(3, "exception.type", type, into: &w)
                    stringAttribute(3, "exception.message", "\(type) after \(random.next(upTo: 900))ms", into: &w)
                    stringAttribute(3, "exception.stacktrace", "\(type)\n  at \(service).handle(Handler.java:\(random.next(upTo: 300)))", into: &w)
                    boolAttribute(3, "exception.escaped", true, into: &w)
                }
            }
            if random.next(upTo: 3) == 0 {
                w.message(11) { w in
                    w.fixed64(1, start + 2_000_000)
                    w.string(2, pick(["cache.miss", "retry"]))
                    stringAttribute(3, "cache.key", highCardinality("product", pool: 100), into: &w)
                    intAttribute(3, "retry.attempt", Int64(random.next(upTo: 3)), into: &w)
                }
            }
            if random.next(upTo: 30) == 0 { w.varint(12, UInt64(1 + random.next(upTo: 3))) }
            if entry.kind == 5 || random.next(upTo: 10) == 0 {
                w.message(13) { w in
                    w.bytes(1, randomBytes(16))
                    w.bytes(2, randomBytes(8))
                    stringAttribute(4, "link.kind", pick(["follows_from", "batch_member"]), into: &w)
                    stringAttribute(4, "messaging.operation.type", "receive", into: &w)
                }
            }
            if random.next(upTo: 50) == 0 { w.varint(14, 1) }
            let code: UInt64 = isError ? 2 : (random.next(upTo: 5) == 0 ? 1 : 0)
            if code != 0 || random.next(upTo: 2) == 0 {
                w.message(15) { w in
                    if isError { w.string(2, "internal error") }
                    if code != 0 { w.varint(3, code) }
                }
            }
            w.fixed32(16, 0x301)
        }
    }

    // MARK: - Logs

    private mutating func logRecord(_ service: String, into w: inout ProtoWriter) {
        let time = tick()
        let roll = random.next(upTo: 100)
        let severity: (text: String, number: UInt64) =
            switch roll {
            case 0..<50: ("INFO", 9)
            case 50..<65: ("DEBUG", 5)
            case 65..<80: ("WARN", 13)
            case 80..<93: ("ERROR", 17)
            case 93..<95: ("FATAL", 21)
            default: ("", 9)
            }
        w.message(2) { w in
            w.fixed64(1, time)
            w.varint(2, severity.number)
            if !severity.text.isEmpty { w.string(3, severity.text) }
            var message: String?
            switch random.next(upTo: 20) {
            case 0:
                w.message(5) { w in
                    w.message(6) { w in
                        stringAttribute(1, "event", "checkout.completed", into: &w)
                        stringAttribute(1, "cart.id", highCardinality("cart", pool: 40), into: &w)
                        intAttribute(1, "items", Int64(1 + random.next(upTo: 9)), into: &w)
                    }
                }
            case 1:
                w.message(5) { w in w.int64(3, Int64(random.next(upTo: 1_000))) }
            case 2:
                w.message(5) { w in w.bytes(7, randomBytes(6)) }
            case 3:
                message = "Slow query on shard \(random.next(upTo: 8)) took \(random.next(upTo: 5_000))ms"
            default:
                w.message(5) { w in w.string(1, logBody(service)) }
            }
            stringAttribute(6, "code.function", pick(["handle", "process", "charge", "reserve", "render"]), into: &w)
            stringAttribute(6, "thread.name", "worker-\(random.next(upTo: 8))", into: &w)
            stringAttribute(6, "user.id", highCardinality("user", pool: 50), into: &w)
            if let message { stringAttribute(6, "message", message, into: &w) }
            if random.next(upTo: 10) == 0 { stringAttribute(6, "event.name", pick(["user.login", "cart.updated"]), into: &w) }
            if random.next(upTo: 40) == 0 { w.varint(7, UInt64(1 + random.next(upTo: 4))) }
            w.fixed32(8, 1)
            if random.next(upTo: 5) != 0 {
                w.bytes(9, randomBytes(16))
                w.bytes(10, randomBytes(8))
            }
            w.fixed64(11, time + 1_000_000)
            if random.next(upTo: 12) == 0 { w.string(12, pick(["session.start", "order.placed"])) }
        }
    }

    /// Log body kinds per service (indices into ``logBody(_:)``'s cases); every service also logs the shared ones.
    private static let logBodies: [String: [Int]] = [
        "frontend": [0, 3, 7], "cart": [4, 3], "checkout": [2, 3], "payments": [1, 1, 2], "inventory": [5, 6],
    ]

    private mutating func logBody(_ service: String) -> String {
        let own = Self.logBodies[service] ?? []
        let kind = random.next(upTo: 4) == 0 || own.isEmpty ? random.next(upTo: 8) : own[random.next(upTo: own.count)]
        return switch kind {
        case 0: "User \(random.next(upTo: 500)) logged in from 10.0.\(random.next(upTo: 4)).\(random.next(upTo: 250))"
        case 1: "Payment \(hex(5)) failed after \(random.next(upTo: 900))ms"
        case 2: "Order \(uuid()) placed with \(1 + random.next(upTo: 9)) items totalling \(random.next(upTo: 900)).\(random.next(upTo: 100)) USD"
        case 3: "GET /api/products/\(random.next(upTo: 500)) returned \(pick([200, 404, 500])) in \(random.next(upTo: 300))ms"
        case 4: "Cache miss for key product:\(random.next(upTo: 1_000))"
        case 5: "Connection to db-\(random.next(upTo: 3)).internal:5432 lost, retrying in \(1 + random.next(upTo: 9))s"
        case 6:
            "Processed batch of \(random.next(upTo: 500)) messages from partition \(random.next(upTo: 6)) at offset \(random.next(upTo: 1_000_000))"
        default: "Request \(uuid()) from user\(random.next(upTo: 99))@example.com rejected: rate limit exceeded (\(random.next(upTo: 100))KB)"
        }
    }

    // MARK: - Values

    private mutating func tick() -> UInt64 {
        clock += UInt64(500_000 + random.next(upTo: 1_000_000))
        return clock
    }

    mutating func pick<T>(_ options: [T]) -> T {
        options[random.next(upTo: options.count)]
    }

    /// A fresh value with probability ``highCardinalityShare``, else one of `pool` recurring values.
    mutating func highCardinality(_ prefix: String, pool: Int) -> String {
        if Double(random.next(upTo: 1_000_000)) < highCardinalityShare * 1_000_000 {
            return "\(prefix)-\(hex(6))"
        }
        return "\(prefix)-\(random.next(upTo: pool))"
    }

    private mutating func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    private mutating func hex(_ bytes: Int) -> String {
        Hex.string(randomBytes(bytes))
    }

    private mutating func uuid() -> String {
        let h = Array(hex(16))
        return "\(String(h[0..<8]))-\(String(h[8..<12]))-\(String(h[12..<16]))-\(String(h[16..<20]))-\(String(h[20..<32]))"
    }

    func stringAttribute(_ field: UInt32, _ key: String, _ value: String, into w: inout ProtoWriter) {
        w.message(field) { w in
            w.string(1, key)
            w.message(2) { w in w.string(1, value) }
        }
    }

    private func intAttribute(_ field: UInt32, _ key: String, _ value: Int64, into w: inout ProtoWriter) {
        w.message(field) { w in
            w.string(1, key)
            w.message(2) { w in w.int64(3, value) }
        }
    }

    private func doubleAttribute(_ field: UInt32, _ key: String, _ value: Double, into w: inout ProtoWriter) {
        w.message(field) { w in
            w.string(1, key)
            w.message(2) { w in w.double(4, value) }
        }
    }

    private func boolAttribute(_ field: UInt32, _ key: String, _ value: Bool, into w: inout ProtoWriter) {
        w.message(field) { w in
            w.string(1, key)
            w.message(2) { w in w.bool(2, value) }
        }
    }

    private func arrayAttribute(_ field: UInt32, _ key: String, _ values: [String], into w: inout ProtoWriter) {
        w.message(field) { w in
            w.string(1, key)
            w.message(2) { w in
                w.message(5) { w in
                    for value in values { w.message(1) { w in w.string(1, value) } }
                }
            }
        }
    }
}

/// SplitMix64: a tiny, fast, seedable generator (deterministic across platforms, unlike `SystemRandomNumberGenerator`).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (`bound` > 0), by multiply-shift so it does not depend on the stdlib's algorithm.
    mutating func next(upTo bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int((UInt128(next()) * UInt128(bound)) >> 64)
    }
}
