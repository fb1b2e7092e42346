import Store

extension MetadataWindow {
    /// Applies one `LogRecord`: severity, trace and span context, dropped attributes, attributes, event names (the
    /// `event.name` attribute and the `event_name` field) and the body template.
    ///
    /// The template comes from a non-empty string body; when the body is absent, empty or an empty string, from a
    /// non-empty string `message` (else `msg`) attribute. Other body kinds have no template.
    /// - Returns: 1.
    mutating func applyLogRecord(_ record: WireReader, scope: ScopeIDs) throws(WireError) -> Int {
        typealias F = LogsRequestFields.LogRecord
        // Pass 1: scalar fields, severity text and body.
        var severityNumber: UInt64 = 0
        var severityText: WireReader?
        var body: WireReader?
        var dropped: UInt32 = 0
        var flags = SignalFlags(rawValue: 0)  // not `[]`: the array-literal init is an unspecialized generic call
        var eventName: WireReader?
        var reader = record
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (F.severityNumber, .varint): severityNumber = try reader.readVarint()
            case (F.severityText, .lengthDelimited): severityText = try reader.readLengthDelimited()
            case (F.body, .lengthDelimited): body = try reader.readLengthDelimited()
            case (F.droppedAttributesCount, .varint): dropped = UInt32(truncatingIfNeeded: try reader.readVarint())
            case (F.traceID, .lengthDelimited):
                if try reader.readLengthDelimited().isAllZero { flags.remove(.traceContext) } else { flags.insert(.traceContext) }
            case (F.spanID, .lengthDelimited):
                if try reader.readLengthDelimited().isAllZero { flags.remove(.spanContext) } else { flags.insert(.spanContext) }
            case (F.eventName, .lengthDelimited): eventName = try reader.readLengthDelimited()
            default: try reader.skip(field.type)
            }
        }
        let nameID: Int32
        if let severityText, !severityText.isAtEnd {
            nameID = strings.intern(severityText.bytes)
        } else {
            nameID = WellKnown.unset
        }
        let slot = signalSlot(.log, nameID: nameID)
        let s = Int(slot)
        if severityNumber <= 24, UInt8(severityNumber) > signals[s].severityNumber { signals[s].severityNumber = UInt8(severityNumber) }
        signals[s].flags.formUnion(flags)
        signals[s].droppedAttributes.record(dropped)
        count(slot, items: 1, scope: scope)
        if let eventName, !eventName.isAtEnd {
            let id = strings.intern(eventName.bytes)
            _ = addEventName(slot, id)
        }

        // Pass 2: attributes.
        let item = nextItem()
        var message: WireReader?
        var msg: WireReader?
        var index = 0
        reader = record
        while let field = try reader.nextField() {
            guard field.number == F.attributes, field.type == .lengthDelimited else {
                try reader.skip(field.type)
                continue
            }
            let (keyID, value, _) = try addAttribute(
                reader.readLengthDelimited(), signal: slot, scope: .attribute, item: item,
                position: Self.cachePosition(index, .attribute))
            index &+= 1
            guard keyID >= WellKnown.eventName, keyID <= WellKnown.msg, value.isNonEmptyString else { continue }
            switch keyID {
            case WellKnown.eventName:
                let id = strings.intern(value.reader.bytes)
                _ = addEventName(slot, id)
            case WellKnown.message: message = value.reader
            default: msg = value.reader
            }
        }

        // The body template.
        let bodyValue = try body.map { (body) throws(WireError) in try AnyValueView(body) }
        var source: WireReader?
        if let bodyValue, bodyValue.isNonEmptyString {
            source = bodyValue.reader
        } else if bodyValue == nil || bodyValue?.kind == .empty || bodyValue?.kind == .string {
            source = message ?? msg
        }
        if let source { applyTemplate(source.bytes, slot: slot) }
        return 1
    }

    /// Counts a body under its template; keeps the smallest body as the example.
    private mutating func applyTemplate(_ body: UnsafeRawBufferPointer, slot: Int32) {
        var scratch: [UInt8] = []
        swap(&scratch, &templateScratch)
        defer { swap(&scratch, &templateScratch) }
        BodyTemplater.template(body, into: &scratch, maxScalars: limits.maxTemplateLength)
        let templateID = scratch.withUnsafeBytes { strings.intern($0) }
        let hash = ValueHash.combine(UInt64(UInt32(bitPattern: slot)), UInt64(UInt32(bitPattern: templateID)))
        let example = UnsafeRawBufferPointer(rebasing: body[..<ScalarPrefix.length(body, maxScalars: limits.maxExampleLength)])
        let t: Int
        if let found = templateIndex.find(hash, where: { templates[Int($0)].templateID == templateID && templates[Int($0)].signalSlot == slot }) {
            t = Int(found)
            if Self.compare(example, templates[t].example) < 0 {
                let string = String(decoding: example, as: UTF8.self)
                extraBytes &+= string.utf8.count &- templates[t].example.utf8.count
                templates[t].example = string
            }
        } else {
            guard signals[Int(slot)].templateCount < limits.maxTemplatesPerAggregate else {
                overflow.droppedTemplateObservations &+= 1
                return
            }
            signals[Int(slot)].templateCount &+= 1
            let string = String(decoding: example, as: UTF8.self)
            extraBytes &+= string.utf8.count &+ 16
            t = templates.count
            templates.append(TemplateState(signalSlot: slot, templateID: templateID, timestamp: timestamp, example: string))
            templateIndex.insert(hash, Int32(truncatingIfNeeded: t))
        }
        templates[t].count &+= 1
        if timestamp < templates[t].firstSeen { templates[t].firstSeen = timestamp }
        if timestamp > templates[t].lastSeen { templates[t].lastSeen = timestamp }
    }
}
