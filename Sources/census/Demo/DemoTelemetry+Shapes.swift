import Consumer
import Store

/// Fixed benchmark shapes next to the mixed demo traffic (`census produce-demo --shape`).
extension DemoTelemetry {
    /// Metric names of ``sumRequest(points:attributes:)``: several aggregates per service, as real exporters send.
    static let sumMetricNames = [
        "http.server.requests", "rpc.server.calls", "db.client.operations", "queue.messages.processed",
        "cache.lookups", "app.jobs.completed",
    ]

    /// Keys of ``sumRequest(points:attributes:)``'s point attributes, in order; the first `attributes` are used.
    /// The fifth (`user.id`) is high-cardinality: a fresh value with ``highCardinalityShare``, else one of 50.
    static let sumAttributeKeys = [
        "http.method", "http.route", "http.status", "net.peer", "user.id", "region", "proto", "instance",
        "tenant", "feature", "cache.hit", "db.table", "queue", "retry", "client.os", "client.app",
        "build", "zone", "rack", "pool", "shard", "tier", "plan", "locale", "channel", "device",
        "browser", "country", "partner", "experiment",
    ]

    /// An `ExportMetricsServiceRequest` of one service with one monotonic cumulative Sum metric of `points` data
    /// points, each carrying `attributes` (1...30) string attributes: the shape "600 Sum data points × 8 string
    /// attributes" (about 125 KB per request) of the performance targets. Attribute `i` draws from a pool of
    /// `3 + 4·i` values; `user.id` is high-cardinality (see ``highCardinality(_:pool:)``).
    mutating func sumRequest(points: Int, attributes: Int, encoding: OTLPEncoding = .proto) -> [UInt8] {
        let keys = Array(Self.sumAttributeKeys.prefix(min(max(attributes, 1), Self.sumAttributeKeys.count)))
        let service = Self.services[random.next(upTo: Self.services.count)]
        let name = Self.sumMetricNames[random.next(upTo: Self.sumMetricNames.count)]
        return sumRecord(service: service, name: name, keys: keys, points: points, userID: .pool, encoding: encoding)
    }

    /// An `ExportMetricsServiceRequest` of the spread shape: the sum shape's record (one service, one monotonic Sum
    /// metric of `points` data points × `attributes` string attributes, the same pools) for one of `services` services
    /// (`svc-00`, …) and one of `metrics` metric names (`spread.metric.000`, …), drawn at random, whose `user.id` is on
    /// every point and drawn from `values` values (`u-0` … `u-<values−1>`, uniformly): many (metric, service, key)
    /// aggregates per window, each with a high-cardinality key — the write side's cost per key row.
    mutating func spreadRequest(
        points: Int, attributes: Int, metrics: Int, services: Int, values: Int, encoding: OTLPEncoding = .proto
    ) -> [UInt8] {
        var keys = Array(Self.sumAttributeKeys.prefix(min(max(attributes, 1), Self.sumAttributeKeys.count)))
        if !keys.contains("user.id") { keys[keys.count - 1] = "user.id" }
        let service = "svc-\(Self.padded(random.next(upTo: services), width: 2))"
        let name = "spread.metric.\(Self.padded(random.next(upTo: metrics), width: 3))"
        return sumRecord(service: service, name: name, keys: keys, points: points, userID: .uniform(values), encoding: encoding)
    }

    /// Where a sum record's `user.id` values come from.
    private enum UserIDs {
        /// ``highCardinality(_:pool:)`` with a pool of 50 (the sum shape).
        case pool
        /// `u-0` … `u-<n−1>`, uniformly (the spread shape).
        case uniform(Int)
    }

    /// One service's monotonic cumulative Sum metric `name` of `points` data points, each carrying `keys` as string
    /// attributes (attribute `i` from a pool of `3 + 4·i` values, `user.id` from `userID`).
    private mutating func sumRecord(
        service: String, name: String, keys: [String], points: Int, userID: UserIDs, encoding: OTLPEncoding
    ) -> [UInt8] {
        var w = ProtoWriter(capacity: max(256, points * 220))
        w.message(1) { w in
            resource(service, into: &w)
            w.message(2) { w in
                scope(service, into: &w)
                w.message(2) { w in
                    w.string(1, name)
                    w.string(2, "Operations counted by \(service).")
                    w.string(3, "{operation}")
                    w.message(7) { w in
                        for _ in 0..<max(points, 0) {
                            w.message(1) { w in
                                pointTimes(into: &w)
                                w.fixed64(6, UInt64(random.next(upTo: 1_000_000)))
                                for (i, key) in keys.enumerated() {
                                    let value: String
                                    if key == "user.id" {
                                        switch userID {
                                        case .pool: value = highCardinality("user", pool: 50)
                                        case .uniform(let values): value = "u-\(random.next(upTo: values))"
                                        }
                                    } else {
                                        value = "\(key.prefix(4))-\(random.next(upTo: 3 + 4 * i))"
                                    }
                                    stringAttribute(7, key, value, into: &w)
                                }
                            }
                        }
                        w.varint(2, 2)
                        w.bool(3, true)
                    }
                }
            }
        }
        return encode(w, .exportMetricsServiceRequest, encoding)
    }

    /// `number` in decimal, with leading zeros up to `width` digits.
    static func padded(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// An `ExportMetricsServiceRequest` for a cardinality explosion: one Gauge metric (`explosion.metric`) of `points`
    /// data points whose `session.id` attribute is new on every point (`s-<first>`, `s-<first + 1>`, …), next to four
    /// ordinary attributes. `first` is the number of explosion values generated before this request, so consecutive
    /// requests never repeat a value.
    mutating func explosionRequest(points: Int, first: Int, encoding: OTLPEncoding = .proto) -> [UInt8] {
        let service = Self.services[random.next(upTo: Self.services.count)]
        var w = ProtoWriter(capacity: max(256, points * 160))
        w.message(1) { w in
            resource(service, into: &w)
            w.message(2) { w in
                scope(service, into: &w)
                w.message(2) { w in
                    w.string(1, "explosion.metric")
                    w.string(3, "1")
                    w.message(5) { w in
                        for index in 0..<max(points, 0) {
                            w.message(1) { w in
                                pointTimes(into: &w)
                                w.fixed64(6, UInt64(random.next(upTo: 1_000)))
                                stringAttribute(7, "session.id", "s-\(first + index)", into: &w)
                                stringAttribute(7, "http.method", pick(["GET", "POST", "PUT", "DELETE"]), into: &w)
                                stringAttribute(7, "region", pick(["eu", "us", "ap"]), into: &w)
                                stringAttribute(7, "outcome", pick(["ok", "error"]), into: &w)
                                stringAttribute(7, "tier", pick(["free", "pro", "enterprise"]), into: &w)
                            }
                        }
                    }
                }
            }
        }
        return encode(w, .exportMetricsServiceRequest, encoding)
    }

    /// One gauge with a point per value, each carrying the int attribute `flood.value` (the hash-flooding microbench:
    /// one key with as many distinct values as the record has points).
    func intAttributeRequest(values: [Int64]) -> [UInt8] {
        var w = ProtoWriter(capacity: max(256, values.count * 32))
        w.message(1) { w in
            w.message(2) { w in
                w.message(2) { w in
                    w.string(1, "flood.metric")
                    w.message(5) { w in
                        for value in values {
                            w.message(1) { w in
                                w.fixed64(3, 1_767_225_600_000_000_000)
                                w.fixed64(6, 1)
                                w.message(7) { w in
                                    w.string(1, "flood.value")
                                    w.message(2) { w in w.int64(3, value) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return encode(w, .exportMetricsServiceRequest, .proto)
    }
}
