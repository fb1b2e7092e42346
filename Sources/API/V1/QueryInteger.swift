/// Integer query parameters parsed like the reference's `strconv.Atoi` checks: a value that is not an integer, or not
/// positive, silently means the default.
enum QueryInteger {
    static func positive(_ value: Substring?, default fallback: Int) -> Int {
        guard let value, let parsed = Int(value), parsed > 0 else { return fallback }
        return parsed
    }
}
