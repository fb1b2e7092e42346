import Foundation

/// The response-cache key of a request, shared by the V1 and V2 route tables.
enum CacheKey {
    /// `path`, then only the query pairs whose names are in `reads` (the parameters the route reads), sorted by name
    /// (stable, so the order of repeated names, which the parsers honour, is kept): `?limit=10&x=1` and `?x=2&limit=10`
    /// share one cached answer.
    static func make(path: String, query: String?, reads: Set<String>) -> String {
        guard !reads.isEmpty, let query, !query.isEmpty else { return path }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).enumerated().compactMap {
            index, pair -> (Substring, Int, Substring)? in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            // Names as FormQuery decodes them (`+` a space, `%XX` a byte), so `lim%69t` is `limit`.
            let decoded = name.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(name)
            return reads.contains(decoded) ? (Substring(decoded), index, pair) : nil
        }
        guard !pairs.isEmpty else { return path }
        return path + "?" + pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { String($0.2) }.joined(separator: "&")
    }
}
