/// Field numbers of `trace.proto` that the span analyzer reads. The one declaration of each: ``OTLPSchema`` uses these names.
package enum TracesRequestFields {
    /// `Span`.
    package enum Span {
        package static let traceState: UInt32 = 3
        package static let parentSpanID: UInt32 = 4
        package static let name: UInt32 = 5
        package static let kind: UInt32 = 6
        package static let attributes: UInt32 = 9
        package static let droppedAttributesCount: UInt32 = 10
        package static let events: UInt32 = 11
        package static let droppedEventsCount: UInt32 = 12
        package static let links: UInt32 = 13
        package static let droppedLinksCount: UInt32 = 14
        package static let status: UInt32 = 15
    }

    /// `Span.Event`.
    package enum Event {
        package static let name: UInt32 = 2
        package static let attributes: UInt32 = 3
    }

    /// `Span.Link`.
    package enum Link {
        package static let attributes: UInt32 = 4
    }

    /// `Status`.
    package enum Status {
        package static let code: UInt32 = 3
    }
}
