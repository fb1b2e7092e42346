/// Field numbers of the OTLP messages shared by every signal (`common.proto`, `resource.proto`). The one declaration of each: ``OTLPSchema`` uses these names.
package enum CommonFields {
    /// `opentelemetry.proto.resource.v1.Resource`.
    package enum Resource {
        package static let attributes: UInt32 = 1
        package static let droppedAttributesCount: UInt32 = 2
    }

    /// `opentelemetry.proto.common.v1.InstrumentationScope`.
    package enum Scope {
        package static let name: UInt32 = 1
        package static let version: UInt32 = 2
    }

    /// `opentelemetry.proto.common.v1.KeyValue`.
    package enum KeyValue {
        package static let key: UInt32 = 1
        package static let value: UInt32 = 2
        /// `key_strindex` (profiles' string table; a varint).
        package static let keyStrindex: UInt32 = 3
    }

    /// `opentelemetry.proto.common.v1.AnyValue`.
    package enum AnyValue {
        package static let stringValue: UInt32 = 1
        package static let boolValue: UInt32 = 2
        package static let intValue: UInt32 = 3
        package static let doubleValue: UInt32 = 4
        package static let arrayValue: UInt32 = 5
        package static let kvlistValue: UInt32 = 6
        package static let bytesValue: UInt32 = 7
        /// `string_value_strindex` (profiles' string table; a varint).
        package static let stringValueStrindex: UInt32 = 8
    }

    /// `ArrayValue.values` and `KeyValueList.values`.
    package static let listValues: UInt32 = 1

    /// `Resource*.resource` (1) and `Resource*.scope_*` (2), the same in all three signals.
    package enum ResourceItems {
        package static let resource: UInt32 = 1
        package static let scopeItems: UInt32 = 2
    }

    /// `Scope*.scope` (1) and `Scope*.metrics|spans|log_records` (2), the same in all three signals.
    package enum ScopeItems {
        package static let scope: UInt32 = 1
        package static let items: UInt32 = 2
    }

    /// `Export*ServiceRequest.resource_*`.
    package static let requestResources: UInt32 = 1
}
