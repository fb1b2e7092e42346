/// Field numbers of `logs.proto` that the log analyzer reads. The one declaration of each: ``OTLPSchema`` uses these names.
package enum LogsRequestFields {
    /// `LogRecord`.
    package enum LogRecord {
        package static let severityNumber: UInt32 = 2
        package static let severityText: UInt32 = 3
        package static let body: UInt32 = 5
        package static let attributes: UInt32 = 6
        package static let droppedAttributesCount: UInt32 = 7
        package static let traceID: UInt32 = 9
        package static let spanID: UInt32 = 10
        package static let eventName: UInt32 = 12
    }
}
