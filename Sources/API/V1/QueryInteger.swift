/// Integer query parameters parsed like the reference's `strconv.Atoi` checks: a value that is not an integer, or not
/// positive, silently means the default.
///
/// Every value a client sends is clamped here, at parse time, to ``maximum``, so no arithmetic on it can overflow
/// (`Int.max`, a million digits, `1e99` and `0x10` all parse to the default or to ``maximum``, never trap).
enum QueryInteger {
    /// The largest value any integer query parameter takes (2^40, about 10^12): larger numbers are clamped to it. It is
    /// far above any count census can store, and leaves room for sums such as `offset + limit`.
    static let maximum = 1 << 40

    /// A positive integer clamped to ``maximum``; anything else (not a number, zero, negative, empty) is `fallback`.
    static func positive(_ value: Substring?, default fallback: Int) -> Int {
        guard let value, let parsed = parse(value), parsed > 0 else { return fallback }
        return parsed
    }

    /// A non-negative integer clamped to ``maximum``; anything else is `fallback`.
    static func nonNegative(_ value: Substring?, default fallback: Int) -> Int {
        guard let value, let parsed = parse(value), parsed >= 0 else { return fallback }
        return parsed
    }

    /// A cardinality bound: an unsigned 64-bit integer clamped to ``maximum`` (no key reaches it, so the clamp changes
    /// no answer); anything else is 0 (no bound).
    static func cardinality(_ value: Substring) -> UInt64 {
        UInt64(value).map { min($0, UInt64(maximum)) } ?? 0
    }

    /// `value` as `strconv.Atoi` reads it (optional sign, decimal digits, within 64 bits; `nil` otherwise, so a number
    /// too long for 64 bits means the default, as in the reference), clamped to `-maximum...maximum`.
    static func parse(_ value: Substring) -> Int? {
        guard let parsed = Int(value) else { return nil }
        return min(max(parsed, -maximum), maximum)
    }
}
