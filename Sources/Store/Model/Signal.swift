/// The three OpenTelemetry signals census takes a census of.
///
/// Raw values are stored in ClickHouse (`signal UInt8`); never renumber.
package enum Signal: UInt8, Sendable, Hashable, CaseIterable, Codable {
    case metric = 1
    case span = 2
    case log = 3

    /// The name the V1 API uses (`metric`, `span`, `log`).
    package var apiName: String {
        switch self {
        case .metric: "metric"
        case .span: "span"
        case .log: "log"
        }
    }

    package init?(apiName: String) {
        switch apiName {
        case "metric": self = .metric
        case "span": self = .span
        case "log": self = .log
        default: return nil
        }
    }
}

/// Where an attribute key was seen on its signal.
///
/// Raw values are stored in ClickHouse (`scope UInt8`); never renumber.
package enum KeyScope: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// A resource attribute (counted once per data point, span or log record it applies to).
    case resource = 1
    /// A data point attribute (metric label), span attribute or log record attribute.
    case attribute = 2
    /// A span event attribute; the event name is stored beside the key.
    case event = 3
    /// A span link attribute.
    case link = 4
}

/// The OTLP metric data kinds.
package enum MetricType: UInt8, Sendable, Hashable, CaseIterable, Codable {
    case unknown = 0
    case gauge = 1
    case sum = 2
    case histogram = 3
    case exponentialHistogram = 4
    case summary = 5

    /// The V1 API's name for the type (`Gauge`, `Sum`, …, `Unknown`).
    package var apiName: String {
        switch self {
        case .unknown: "Unknown"
        case .gauge: "Gauge"
        case .sum: "Sum"
        case .histogram: "Histogram"
        case .exponentialHistogram: "ExponentialHistogram"
        case .summary: "Summary"
        }
    }
}

/// Bits of ``SignalAggregate/flags``: boolean facts that are OR-ed over every observation.
package struct SignalFlags: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Metric `Sum.is_monotonic` was true.
    package static let monotonic = SignalFlags(rawValue: 1 << 0)
    /// A span had a non-empty `trace_state`.
    package static let traceState = SignalFlags(rawValue: 1 << 1)
    /// A span had a non-zero `parent_span_id`.
    package static let parentSpanID = SignalFlags(rawValue: 1 << 2)
    /// A log record had a non-zero `trace_id`.
    package static let traceContext = SignalFlags(rawValue: 1 << 3)
    /// A log record had a non-zero `span_id`.
    package static let spanContext = SignalFlags(rawValue: 1 << 4)
}

/// Bits of ``SignalAggregate/statusCodes``: the span status codes seen (`UNSET`, `OK`, `ERROR`).
package struct StatusCodeSet: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let unset = StatusCodeSet(rawValue: 1 << 0)
    package static let ok = StatusCodeSet(rawValue: 1 << 1)
    package static let error = StatusCodeSet(rawValue: 1 << 2)

    /// The set for an OTLP `Status.code` value; unknown codes map to nothing.
    package init(otlpCode: UInt64) {
        switch otlpCode {
        case 0: self = .unset
        case 1: self = .ok
        case 2: self = .error
        default: self = StatusCodeSet(rawValue: 0)
        }
    }

    /// The V1 API's names, in `UNSET`, `OK`, `ERROR` order.
    package var apiNames: [String] {
        var names: [String] = []
        if contains(.unset) { names.append("UNSET") }
        if contains(.ok) { names.append("OK") }
        if contains(.error) { names.append("ERROR") }
        return names
    }
}

/// Dropped-count statistics (`dropped_attributes_count` and friends), summed over a window.
package struct DroppedStats: Sendable, Hashable {
    /// Sum of the dropped counts.
    package var total: UInt64 = 0
    /// Number of items whose dropped count was non-zero.
    package var itemsWithDropped: UInt64 = 0
    /// Largest single dropped count.
    package var max: UInt32 = 0

    package init(total: UInt64 = 0, itemsWithDropped: UInt64 = 0, max: UInt32 = 0) {
        self.total = total
        self.itemsWithDropped = itemsWithDropped
        self.max = max
    }

    /// Records one item's dropped count.
    @inline(__always)
    package mutating func record(_ dropped: UInt32) {
        guard dropped > 0 else { return }
        total &+= UInt64(dropped)
        itemsWithDropped &+= 1
        if dropped > max { max = dropped }
    }

    package mutating func merge(_ other: DroppedStats) {
        total &+= other.total
        itemsWithDropped &+= other.itemsWithDropped
        if other.max > max { max = other.max }
    }
}
