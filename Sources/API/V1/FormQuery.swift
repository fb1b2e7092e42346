import Foundation
import Hummingbird

/// A request's query string decoded the way HTML forms and the reference (Go's `url.ParseQuery`) decode it: `+` is a
/// space and `%XX` a byte, so `?service=my+service` and `?service=my%20service` both mean "my service". A pair whose
/// escapes do not decode to UTF-8 keeps its raw text (it then matches nothing, as an unknown name would).
struct FormQuery: Sendable {
    /// Every `key=value` pair in request order (a key without `=` has an empty value).
    let pairs: [(key: Substring, value: Substring)]

    init(_ request: Request) {
        self.init(query: request.uri.query ?? "")
    }

    init(query: String) {
        pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value of `key`.
    subscript(_ key: String) -> Substring? {
        pairs.first { $0.key == key }?.value
    }

    private static func decode(_ text: Substring) -> Substring {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return Substring(spaced.removingPercentEncoding ?? spaced)
    }
}
