import Store

/// Every OTLP message reachable from the three `Export*ServiceRequest`s (opentelemetry-proto 1.45.2).
///
/// Raw values index ``OTLPSchema/messages``.
package enum OTLPMessage: Int, Sendable, Hashable, CaseIterable {
    case exportMetricsServiceRequest, resourceMetrics, resource, keyValue, anyValue, arrayValue, keyValueList, entityRef,
        scopeMetrics, instrumentationScope, metric, gauge, numberDataPoint, exemplar, sum, histogram, histogramDataPoint,
        exponentialHistogram, exponentialHistogramDataPoint, buckets, summary, summaryDataPoint, valueAtQuantile,
        exportTraceServiceRequest, resourceSpans, scopeSpans, span, spanEvent, spanLink, status,
        exportLogsServiceRequest, resourceLogs, scopeLogs, logRecord

    /// The request message of a signal.
    package static func request(for signal: Signal) -> OTLPMessage {
        switch signal {
        case .metric: .exportMetricsServiceRequest
        case .span: .exportTraceServiceRequest
        case .log: .exportLogsServiceRequest
        }
    }
}

/// The declared type of an OTLP field, as far as the wire format and OTLP/JSON care.
package enum OTLPFieldType: UInt8, Sendable, Hashable {
    case string, bytes
    /// `bytes` holding a trace or span id: hex in OTLP/JSON.
    case id
    case bool, int32, int64, uint32, uint64, sint32
    /// An enum (varint); OTLP/JSON writes it as an integer.
    case enumeration
    case fixed64, sfixed64, fixed32, double
    case message

    /// The wire type of a single (unpacked) value.
    package var wireType: WireType {
        switch self {
        case .string, .bytes, .id, .message: .lengthDelimited
        case .bool, .int32, .int64, .uint32, .uint64, .sint32, .enumeration: .varint
        case .fixed64, .sfixed64, .double: .fixed64
        case .fixed32: .fixed32
        }
    }

    /// Whether a repeated field of this type may be packed.
    package var isPackable: Bool { wireType != .lengthDelimited }
}

/// One field of an OTLP message.
package struct OTLPField: Sendable {
    package let number: UInt32
    /// The proto (snake_case) name.
    package let name: String
    /// The OTLP/JSON (lowerCamelCase) name.
    package let jsonName: String
    package let type: OTLPFieldType
    /// The message type of a ``OTLPFieldType/message`` field.
    package let message: OTLPMessage?
    package let isRepeated: Bool
    /// UTF-8 of ``name`` and ``jsonName`` (for matching JSON object keys without allocating).
    let nameBytes: [UInt8]
    let jsonNameBytes: [UInt8]

    init(_ number: UInt32, _ name: String, _ type: OTLPFieldType, _ message: OTLPMessage? = nil, repeated: Bool = false) {
        self.number = number
        self.name = name
        self.type = type
        self.message = message
        self.isRepeated = repeated
        var json = ""
        var upper = false
        for ch in name {
            if ch == "_" { upper = true; continue }
            json.append(upper ? Character(ch.uppercased()) : ch)
            upper = false
        }
        jsonName = json
        nameBytes = Array(name.utf8)
        jsonNameBytes = Array(json.utf8)
    }
}

/// The fields of one OTLP message.
package struct OTLPMessageSchema: Sendable {
    /// The short message name used in error messages, e.g. `NumberDataPoint`.
    package let name: String
    package let fields: [OTLPField]

    /// The field with this number, if declared.
    package func field(_ number: UInt32) -> OTLPField? {
        fields.first { $0.number == number }
    }
}

/// The OTLP message schema: every field's number, name and type, for the validator, the OTLP/JSON transcoders and the
/// analyzers. A number the analyzers read is declared once, by name, in ``CommonFields`` or a `*RequestFields` enum,
/// and this table uses that name; the others appear only here (numbers as in opentelemetry-proto's `.proto` files, v1;
/// the decoders are tested on fixtures that `scripts/gen-fixtures.py` encodes with the official `opentelemetry-proto`
/// package).
package enum OTLPSchema {
    /// Highest field number the flat lookup table covers (OTLP's largest is 16).
    static let fieldStride = 32

    /// Schemas indexed by ``OTLPMessage/rawValue``.
    package static let messages: [OTLPMessageSchema] = OTLPMessage.allCases.map(schema(of:))

    /// The schema of `message`.
    @inline(__always)
    package static func schema(_ message: OTLPMessage) -> OTLPMessageSchema { messages[message.rawValue] }

    /// Per message, the hash of every field's JSON and proto name to the field's index (for the JSON reader).
    private static let namesByHash: [[UInt64: Int]] = messages.map { schema in
        var table: [UInt64: Int] = [:]
        for (i, field) in schema.fields.enumerated() {
            table[field.jsonNameBytes.withUnsafeBytes { ValueHash.hash($0, tag: .key) }] = i
            table[field.nameBytes.withUnsafeBytes { ValueHash.hash($0, tag: .key) }] = i
        }
        return table
    }

    /// The field of `message` whose OTLP/JSON (lowerCamelCase) or proto (snake_case) name is `name`.
    package static func field(named name: UnsafeRawBufferPointer, in message: OTLPMessage) -> OTLPField? {
        guard let i = namesByHash[message.rawValue][ValueHash.hash(name, tag: .key)] else { return nil }
        let field = messages[message.rawValue].fields[i]
        let matches =
            field.jsonNameBytes.withUnsafeBytes { compareBytes($0, name) == 0 } || field.nameBytes.withUnsafeBytes { compareBytes($0, name) == 0 }
        return matches ? field : nil
    }

    /// Flat validation table: `specs[message * fieldStride + number]`, see ``FieldSpec``.
    static let specs: [FieldSpec] = {
        var table = [FieldSpec](repeating: FieldSpec(raw: 0), count: OTLPMessage.allCases.count * fieldStride)
        for message in OTLPMessage.allCases {
            for field in schema(of: message).fields where Int(field.number) < fieldStride {
                table[message.rawValue * fieldStride + Int(field.number)] = FieldSpec(field)
            }
        }
        return table
    }()

    /// A field's wire expectations packed into 16 bits for the validator's hot loop.
    struct FieldSpec: Sendable {
        /// Bits 0-2: wire type + 1 (0 = unknown field); bit 3: message; bit 4: packable repeated; bits 8-15: message.
        let raw: UInt16

        init(raw: UInt16) { self.raw = raw }

        init(_ field: OTLPField) {
            var raw = UInt16(field.type.wireType.rawValue + 1)
            if field.type == .message { raw |= 1 << 3 }
            if field.isRepeated && field.type.isPackable { raw |= 1 << 4 }
            raw |= UInt16(field.message?.rawValue ?? 0) << 8
            self.raw = raw
        }

        @inline(__always) var isKnown: Bool { raw & 7 != 0 }
        @inline(__always) var wireType: UInt8 { UInt8(truncatingIfNeeded: raw & 7) &- 1 }
        @inline(__always) var isMessage: Bool { raw & (1 << 3) != 0 }
        @inline(__always) var isPackable: Bool { raw & (1 << 4) != 0 }
        @inline(__always) var message: Int { Int(raw >> 8) }
    }

    // swiftlint:disable:next function_body_length
    private static func schema(of message: OTLPMessage) -> OTLPMessageSchema {
        typealias F = OTLPField
        switch message {
        case .exportMetricsServiceRequest:
            return .init(
                name: "ExportMetricsServiceRequest",
                fields: [F(CommonFields.requestResources, "resource_metrics", .message, .resourceMetrics, repeated: true)])
        case .resourceMetrics:
            return .init(
                name: "ResourceMetrics",
                fields: [
                    F(CommonFields.ResourceItems.resource, "resource", .message, .resource),
                    F(CommonFields.ResourceItems.scopeItems, "scope_metrics", .message, .scopeMetrics, repeated: true),
                    F(3, "schema_url", .string),
                ])
        case .resource:
            return .init(
                name: "Resource",
                fields: [
                    F(CommonFields.Resource.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(CommonFields.Resource.droppedAttributesCount, "dropped_attributes_count", .uint32),
                    F(3, "entity_refs", .message, .entityRef, repeated: true),
                ])
        case .keyValue:
            return .init(
                name: "KeyValue",
                fields: [
                    F(CommonFields.KeyValue.key, "key", .string), F(CommonFields.KeyValue.value, "value", .message, .anyValue),
                    F(CommonFields.KeyValue.keyStrindex, "key_strindex", .int32),
                ])
        case .anyValue:
            return .init(
                name: "AnyValue",
                fields: [
                    F(CommonFields.AnyValue.stringValue, "string_value", .string), F(CommonFields.AnyValue.boolValue, "bool_value", .bool),
                    F(CommonFields.AnyValue.intValue, "int_value", .int64), F(CommonFields.AnyValue.doubleValue, "double_value", .double),
                    F(CommonFields.AnyValue.arrayValue, "array_value", .message, .arrayValue),
                    F(CommonFields.AnyValue.kvlistValue, "kvlist_value", .message, .keyValueList),
                    F(CommonFields.AnyValue.bytesValue, "bytes_value", .bytes),
                    F(CommonFields.AnyValue.stringValueStrindex, "string_value_strindex", .int32),
                ])
        case .arrayValue:
            return .init(name: "ArrayValue", fields: [F(CommonFields.listValues, "values", .message, .anyValue, repeated: true)])
        case .keyValueList:
            return .init(name: "KeyValueList", fields: [F(CommonFields.listValues, "values", .message, .keyValue, repeated: true)])
        case .entityRef:
            return .init(
                name: "EntityRef",
                fields: [
                    F(1, "schema_url", .string), F(2, "type", .string), F(3, "id_keys", .string, repeated: true),
                    F(4, "description_keys", .string, repeated: true),
                ])
        case .scopeMetrics:
            return .init(
                name: "ScopeMetrics",
                fields: [
                    F(CommonFields.ScopeItems.scope, "scope", .message, .instrumentationScope),
                    F(CommonFields.ScopeItems.items, "metrics", .message, .metric, repeated: true), F(3, "schema_url", .string),
                ])
        case .instrumentationScope:
            return .init(
                name: "InstrumentationScope",
                fields: [
                    F(CommonFields.Scope.name, "name", .string), F(CommonFields.Scope.version, "version", .string),
                    F(3, "attributes", .message, .keyValue, repeated: true),
                    F(4, "dropped_attributes_count", .uint32),
                ])
        case .metric:
            return .init(
                name: "Metric",
                fields: [
                    F(MetricsRequestFields.Metric.name, "name", .string), F(MetricsRequestFields.Metric.description, "description", .string),
                    F(MetricsRequestFields.Metric.unit, "unit", .string), F(MetricsRequestFields.Metric.gauge, "gauge", .message, .gauge),
                    F(MetricsRequestFields.Metric.sum, "sum", .message, .sum),
                    F(MetricsRequestFields.Metric.histogram, "histogram", .message, .histogram),
                    F(MetricsRequestFields.Metric.exponentialHistogram, "exponential_histogram", .message, .exponentialHistogram),
                    F(MetricsRequestFields.Metric.summary, "summary", .message, .summary),
                    F(12, "metadata", .message, .keyValue, repeated: true),
                ])
        case .gauge:
            return .init(name: "Gauge", fields: [F(MetricsRequestFields.Data.dataPoints, "data_points", .message, .numberDataPoint, repeated: true)])
        case .numberDataPoint:
            return .init(
                name: "NumberDataPoint",
                fields: [
                    F(2, "start_time_unix_nano", .fixed64), F(3, "time_unix_nano", .fixed64), F(4, "as_double", .double),
                    F(5, "exemplars", .message, .exemplar, repeated: true), F(6, "as_int", .sfixed64),
                    F(MetricsRequestFields.numberAttributes, "attributes", .message, .keyValue, repeated: true), F(8, "flags", .uint32),
                ])
        case .exemplar:
            return .init(
                name: "Exemplar",
                fields: [
                    F(2, "time_unix_nano", .fixed64), F(3, "as_double", .double), F(4, "span_id", .id), F(5, "trace_id", .id),
                    F(6, "as_int", .sfixed64), F(7, "filtered_attributes", .message, .keyValue, repeated: true),
                ])
        case .sum:
            return .init(
                name: "Sum",
                fields: [
                    F(MetricsRequestFields.Data.dataPoints, "data_points", .message, .numberDataPoint, repeated: true),
                    F(MetricsRequestFields.Data.aggregationTemporality, "aggregation_temporality", .enumeration),
                    F(MetricsRequestFields.Data.isMonotonic, "is_monotonic", .bool),
                ])
        case .histogram:
            return .init(
                name: "Histogram",
                fields: [
                    F(MetricsRequestFields.Data.dataPoints, "data_points", .message, .histogramDataPoint, repeated: true),
                    F(MetricsRequestFields.Data.aggregationTemporality, "aggregation_temporality", .enumeration),
                ])
        case .histogramDataPoint:
            return .init(
                name: "HistogramDataPoint",
                fields: [
                    F(2, "start_time_unix_nano", .fixed64), F(3, "time_unix_nano", .fixed64), F(4, "count", .fixed64), F(5, "sum", .double),
                    F(6, "bucket_counts", .fixed64, repeated: true),
                    F(MetricsRequestFields.HistogramDataPoint.explicitBounds, "explicit_bounds", .double, repeated: true),
                    F(8, "exemplars", .message, .exemplar, repeated: true),
                    F(MetricsRequestFields.HistogramDataPoint.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(10, "flags", .uint32), F(11, "min", .double), F(12, "max", .double),
                ])
        case .exponentialHistogram:
            return .init(
                name: "ExponentialHistogram",
                fields: [
                    F(MetricsRequestFields.Data.dataPoints, "data_points", .message, .exponentialHistogramDataPoint, repeated: true),
                    F(MetricsRequestFields.Data.aggregationTemporality, "aggregation_temporality", .enumeration),
                ])
        case .exponentialHistogramDataPoint:
            return .init(
                name: "ExponentialHistogramDataPoint",
                fields: [
                    F(MetricsRequestFields.ExponentialHistogramDataPoint.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(2, "start_time_unix_nano", .fixed64), F(3, "time_unix_nano", .fixed64),
                    F(4, "count", .fixed64), F(5, "sum", .double), F(MetricsRequestFields.ExponentialHistogramDataPoint.scale, "scale", .sint32),
                    F(7, "zero_count", .fixed64),
                    F(8, "positive", .message, .buckets), F(9, "negative", .message, .buckets), F(10, "flags", .uint32),
                    F(11, "exemplars", .message, .exemplar, repeated: true), F(12, "min", .double), F(13, "max", .double),
                    F(14, "zero_threshold", .double),
                ])
        case .buckets:
            return .init(name: "Buckets", fields: [F(1, "offset", .sint32), F(2, "bucket_counts", .uint64, repeated: true)])
        case .summary:
            return .init(
                name: "Summary", fields: [F(MetricsRequestFields.Data.dataPoints, "data_points", .message, .summaryDataPoint, repeated: true)])
        case .summaryDataPoint:
            return .init(
                name: "SummaryDataPoint",
                fields: [
                    F(2, "start_time_unix_nano", .fixed64), F(3, "time_unix_nano", .fixed64), F(4, "count", .fixed64), F(5, "sum", .double),
                    F(6, "quantile_values", .message, .valueAtQuantile, repeated: true),
                    F(MetricsRequestFields.numberAttributes, "attributes", .message, .keyValue, repeated: true),
                    F(8, "flags", .uint32),
                ])
        case .valueAtQuantile:
            return .init(name: "ValueAtQuantile", fields: [F(1, "quantile", .double), F(2, "value", .double)])
        case .exportTraceServiceRequest:
            return .init(
                name: "ExportTraceServiceRequest",
                fields: [F(CommonFields.requestResources, "resource_spans", .message, .resourceSpans, repeated: true)])
        case .resourceSpans:
            return .init(
                name: "ResourceSpans",
                fields: [
                    F(CommonFields.ResourceItems.resource, "resource", .message, .resource),
                    F(CommonFields.ResourceItems.scopeItems, "scope_spans", .message, .scopeSpans, repeated: true), F(3, "schema_url", .string),
                ])
        case .scopeSpans:
            return .init(
                name: "ScopeSpans",
                fields: [
                    F(CommonFields.ScopeItems.scope, "scope", .message, .instrumentationScope),
                    F(CommonFields.ScopeItems.items, "spans", .message, .span, repeated: true), F(3, "schema_url", .string),
                ])
        case .span:
            return .init(
                name: "Span",
                fields: [
                    F(1, "trace_id", .id), F(2, "span_id", .id), F(TracesRequestFields.Span.traceState, "trace_state", .string),
                    F(TracesRequestFields.Span.parentSpanID, "parent_span_id", .id), F(TracesRequestFields.Span.name, "name", .string),
                    F(TracesRequestFields.Span.kind, "kind", .enumeration), F(7, "start_time_unix_nano", .fixed64),
                    F(8, "end_time_unix_nano", .fixed64),
                    F(TracesRequestFields.Span.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(TracesRequestFields.Span.droppedAttributesCount, "dropped_attributes_count", .uint32),
                    F(TracesRequestFields.Span.events, "events", .message, .spanEvent, repeated: true),
                    F(TracesRequestFields.Span.droppedEventsCount, "dropped_events_count", .uint32),
                    F(TracesRequestFields.Span.links, "links", .message, .spanLink, repeated: true),
                    F(TracesRequestFields.Span.droppedLinksCount, "dropped_links_count", .uint32),
                    F(TracesRequestFields.Span.status, "status", .message, .status), F(16, "flags", .fixed32),
                ])
        case .spanEvent:
            return .init(
                name: "Span.Event",
                fields: [
                    F(1, "time_unix_nano", .fixed64), F(TracesRequestFields.Event.name, "name", .string),
                    F(TracesRequestFields.Event.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(4, "dropped_attributes_count", .uint32),
                ])
        case .spanLink:
            return .init(
                name: "Span.Link",
                fields: [
                    F(1, "trace_id", .id), F(2, "span_id", .id), F(3, "trace_state", .string),
                    F(TracesRequestFields.Link.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(5, "dropped_attributes_count", .uint32), F(6, "flags", .fixed32),
                ])
        case .status:
            return .init(name: "Status", fields: [F(2, "message", .string), F(TracesRequestFields.Status.code, "code", .enumeration)])
        case .exportLogsServiceRequest:
            return .init(
                name: "ExportLogsServiceRequest", fields: [F(CommonFields.requestResources, "resource_logs", .message, .resourceLogs, repeated: true)]
            )
        case .resourceLogs:
            return .init(
                name: "ResourceLogs",
                fields: [
                    F(CommonFields.ResourceItems.resource, "resource", .message, .resource),
                    F(CommonFields.ResourceItems.scopeItems, "scope_logs", .message, .scopeLogs, repeated: true), F(3, "schema_url", .string),
                ])
        case .scopeLogs:
            return .init(
                name: "ScopeLogs",
                fields: [
                    F(CommonFields.ScopeItems.scope, "scope", .message, .instrumentationScope),
                    F(CommonFields.ScopeItems.items, "log_records", .message, .logRecord, repeated: true),
                    F(3, "schema_url", .string),
                ])
        case .logRecord:
            return .init(
                name: "LogRecord",
                fields: [
                    F(1, "time_unix_nano", .fixed64), F(LogsRequestFields.LogRecord.severityNumber, "severity_number", .enumeration),
                    F(LogsRequestFields.LogRecord.severityText, "severity_text", .string),
                    F(LogsRequestFields.LogRecord.body, "body", .message, .anyValue),
                    F(LogsRequestFields.LogRecord.attributes, "attributes", .message, .keyValue, repeated: true),
                    F(LogsRequestFields.LogRecord.droppedAttributesCount, "dropped_attributes_count", .uint32), F(8, "flags", .fixed32),
                    F(LogsRequestFields.LogRecord.traceID, "trace_id", .id), F(LogsRequestFields.LogRecord.spanID, "span_id", .id),
                    F(11, "observed_time_unix_nano", .fixed64), F(LogsRequestFields.LogRecord.eventName, "event_name", .string),
                ])
        }
    }
}
