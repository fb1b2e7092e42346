import Store

/// The JSON of one changes-feed finding, shared by `GET /api/v2/changes` and `census changes --format json`.
package enum ChangeEncoding {
    /// `{"kind","item","signal","name"?,"service"?,"scope"?,"event"?,"key"?,"template"?,"severity","from","to","ratio",
    /// "delta","started"}`; absent fields do not apply to the item (`name` is absent for a service).
    package static func write(_ change: Change, to json: inout JSONWriter) {
        json.beginObject()
        json.field("kind", change.kind.rawValue)
        json.field("item", change.item.rawValue)
        json.field("signal", change.signal.apiName)
        if change.item != .service { json.field("name", change.name) }
        optional(&json, "service", change.service)
        optional(&json, "scope", change.scope.map(scopeName))
        optional(&json, "event", change.event)
        optional(&json, "key", change.key)
        optional(&json, "template", change.template)
        json.field("severity", change.severity.name)
        json.field("from", change.from)
        json.field("to", change.to)
        json.key("ratio")
        if let ratio = change.ratio { json.double(ratio) } else { json.null() }
        json.field("delta", change.delta)
        json.key("started")
        if let started = change.started { json.string(DayRange.format(started)) } else { json.null() }
        json.endObject()
    }

    /// One finding as a JSON line (no trailing newline).
    package static func line(_ change: Change) -> String {
        var json = JSONWriter()
        write(change, to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// The API name of a key scope: `resource`, `attribute`, `event`, `link`.
    package static func scopeName(_ scope: KeyScope) -> String {
        switch scope {
        case .resource: "resource"
        case .attribute: "attribute"
        case .event: "event"
        case .link: "link"
        }
    }

    static func optional(_ json: inout JSONWriter, _ name: String, _ value: String?) {
        guard let value else { return }
        json.field(name, value)
    }
}
