import Store

extension MetadataWindow {
    /// Applies one `Span`: kind, trace state, parent, status, dropped counts, attributes, events (names and keys)
    /// and links (keys).
    /// - Returns: 1.
    mutating func applySpan(_ span: WireReader, scope: ScopeIDs) throws(WireError) -> Int {
        typealias F = TracesRequestFields.Span
        // Pass 1: scalar fields and the name (which may follow the attributes on the wire).
        var name: WireReader?
        var kind: UInt64 = 0
        var flags = SignalFlags(rawValue: 0)  // not `[]`: the array-literal init is an unspecialized generic call
        /// `Status.code` when a status is present (occurrences merge, as in protobuf).
        var statusCode: UInt64?
        var droppedAttributes: UInt32 = 0
        var droppedEvents: UInt32 = 0
        var droppedLinks: UInt32 = 0
        var reader = span
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (F.name, .lengthDelimited): name = try reader.readLengthDelimited()
            case (F.traceState, .lengthDelimited):
                // proto3 semantics: the last occurrence wins.
                if try reader.readLengthDelimited().isAtEnd { flags.remove(.traceState) } else { flags.insert(.traceState) }
            case (F.parentSpanID, .lengthDelimited):
                if try reader.readLengthDelimited().isAllZero { flags.remove(.parentSpanID) } else { flags.insert(.parentSpanID) }
            case (F.kind, .varint): kind = try reader.readVarint()
            case (F.droppedAttributesCount, .varint): droppedAttributes = UInt32(truncatingIfNeeded: try reader.readVarint())
            case (F.droppedEventsCount, .varint): droppedEvents = UInt32(truncatingIfNeeded: try reader.readVarint())
            case (F.droppedLinksCount, .varint): droppedLinks = UInt32(truncatingIfNeeded: try reader.readVarint())
            case (F.status, .lengthDelimited):
                var code = statusCode ?? 0
                var message = try reader.readLengthDelimited()
                while let field = try message.nextField() {
                    if field.number == TracesRequestFields.Status.code, field.type == .varint {
                        code = try message.readVarint()
                    } else {
                        try message.skip(field.type)
                    }
                }
                statusCode = code
            default: try reader.skip(field.type)
            }
        }
        let nameID = name.map { strings.intern($0.bytes) } ?? WellKnown.empty
        let slot = signalSlot(.span, nameID: nameID)
        let s = Int(slot)
        if kind <= 5, UInt8(kind) > signals[s].spanKind { signals[s].spanKind = UInt8(kind) }
        signals[s].flags.formUnion(flags)
        if let statusCode { signals[s].statusCodes.formUnion(StatusCodeSet(otlpCode: statusCode)) }
        signals[s].droppedAttributes.record(droppedAttributes)
        signals[s].droppedEvents.record(droppedEvents)
        signals[s].droppedLinks.record(droppedLinks)
        count(slot, items: 1, scope: scope)

        // Pass 2: attributes, events and links.
        let spanItem = nextItem()
        var index = 0
        reader = span
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (F.attributes, .lengthDelimited):
                try addAttribute(
                    reader.readLengthDelimited(), signal: slot, scope: .attribute, item: spanItem, position: Self.cachePosition(index, .attribute))
                index &+= 1
            case (F.events, .lengthDelimited):
                try applyEvent(reader.readLengthDelimited(), slot: slot)
            case (F.links, .lengthDelimited):
                let item = nextItem()
                var linkIndex = 0
                var link = try reader.readLengthDelimited()
                while let field = try link.nextField() {
                    if field.number == TracesRequestFields.Link.attributes, field.type == .lengthDelimited {
                        try addAttribute(
                            link.readLengthDelimited(), signal: slot, scope: .link, item: item, position: Self.cachePosition(linkIndex, .link))
                        linkIndex &+= 1
                    } else {
                        try link.skip(field.type)
                    }
                }
            default:
                try reader.skip(field.type)
            }
        }
        return 1
    }

    /// A span event: its name joins the span's event names; its attributes are ``KeyScope/event`` keys under it.
    private mutating func applyEvent(_ event: WireReader, slot: Int32) throws(WireError) {
        typealias E = TracesRequestFields.Event
        var name: WireReader?
        var reader = event
        while let field = try reader.nextField() {
            if field.number == E.name, field.type == .lengthDelimited {
                name = try reader.readLengthDelimited()
            } else {
                try reader.skip(field.type)
            }
        }
        let nameID = name.map { strings.intern($0.bytes) } ?? WellKnown.empty
        guard addEventName(slot, nameID) else { return }
        let item = nextItem()
        var index = 0
        reader = event
        while let field = try reader.nextField() {
            if field.number == E.attributes, field.type == .lengthDelimited {
                try addAttribute(
                    reader.readLengthDelimited(), signal: slot, scope: .event, event: nameID, item: item,
                    position: Self.cachePosition(index, .event))
                index &+= 1
            } else {
                try reader.skip(field.type)
            }
        }
    }
}
