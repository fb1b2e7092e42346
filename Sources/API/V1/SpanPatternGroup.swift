import Store

/// Span names grouped by their pattern: the name with ids, numbers, UUIDs, hex, paths and the like replaced by
/// placeholders, by the one rule log body templates are made with (``BodyTemplater``), so `GET /users/42` and
/// `GET /users/7` share `GET <URL>`, and `process order 1234` `process order <NUM>`.
struct SpanPatternGroup: Sendable, Hashable {
    var pattern: String
    /// The names matching the pattern, most spans first (ties: name).
    var spans: [SpanNameUsage]
    /// Spans of every matching name.
    var totalSamples: UInt64

    /// The pattern of one span name.
    static func pattern(of name: String) -> String {
        BodyTemplater.template(name)
    }

    /// Groups span names by pattern: names of many patterns first, then by spans (ties: pattern), as the reference
    /// orders them (it leaves ties to map order; census breaks them by pattern, so answers are stable).
    static func groups(_ names: [SpanNameUsage]) -> [SpanPatternGroup] {
        var byPattern: [String: SpanPatternGroup] = [:]
        for name in names {
            let pattern = pattern(of: name.name)
            byPattern[pattern, default: SpanPatternGroup(pattern: pattern, spans: [], totalSamples: 0)].spans.append(name)
            byPattern[pattern]!.totalSamples &+= name.count
        }
        var groups = Array(byPattern.values)
        for index in groups.indices {
            groups[index].spans.sort { ($0.count, $1.name) > ($1.count, $0.name) }
        }
        groups.sort { left, right in
            if left.spans.count != right.spans.count { return left.spans.count > right.spans.count }
            if left.totalSamples != right.totalSamples { return left.totalSamples > right.totalSamples }
            return left.pattern < right.pattern
        }
        return groups
    }
}
