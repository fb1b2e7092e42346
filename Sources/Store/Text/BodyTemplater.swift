/// Turns a log body into its template by masking variable parts; deterministic and stateless.
///
/// A hand-written single-pass scanner (no regular expressions, no allocation beyond the output buffer). At every
/// token start (the first byte, or a byte after a non-word byte; word bytes are `[A-Za-z0-9_]` and non-ASCII) it
/// tries, in this order:
///
/// | token | examples | placeholder |
/// |---|---|---|
/// | URL (`scheme://…`, trailing punctuation excluded) | `https://x.io/a?b=1` | `<URL>` |
/// | absolute path after a non-word byte | `/var/log/app.log`, `/api/users/42` | `<URL>` |
/// | email | `alice@example.com` | `<EMAIL>` |
/// | date, date-time, time of day (ISO 8601 and `2024/01/15 10:00:00`) | `2024-01-15T10:30:00.123Z`, `10:30:00` | `<TIMESTAMP>` |
/// | UUID | `550e8400-e29b-41d4-a716-446655440000` | `<UUID>` |
/// | IPv4 (`a.b.c.d`), IPv6 (with `::` or 8 groups) | `10.0.0.7`, `::1`, `fe80::1` | `<IP>` |
/// | number + duration unit (`ns us µs ms s m h d min`, compounds like `1h30m`) | `120ms`, `1.5s` | `<DURATION>` |
/// | number + size unit (`B kB KB MB GB TB PB KiB MiB GiB TiB PiB`, also lowercase `kb mb gb tb`) | `10KB` | `<SIZE>` |
/// | number (optional sign, fraction, exponent) ending at a non-word byte | `42`, `-3.5`, `1e9` | `<NUM>` |
/// | hex run of ≥ 8 digits with at least one letter, or `0x…` | `9f3c2a1b7e`, `0xFF` | `<HEX>` |
///
/// Anything else is copied; runs of whitespace become one space and the ends are trimmed. The template is cut to
/// `maxScalars` Unicode scalars.
package enum BodyTemplater {
    /// Default for ``WindowLimits/maxTemplateLength``.
    package static let defaultMaxLength = 256

    /// The template of `body` as a string (a convenience for tests and tools).
    package static func template(_ body: String, maxScalars: Int = defaultMaxLength) -> String {
        var body = body
        var out: [UInt8] = []
        body.withUTF8 { template(UnsafeRawBufferPointer($0), into: &out, maxScalars: maxScalars) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Replaces the contents of `out` with the template of `body`.
    ///
    /// - Parameter exhaustive: Try every matcher on every token, without the shortcut that rules out plain words after
    ///   one scan (the result is the same; tests compare the two).
    package static func template(_ body: UnsafeRawBufferPointer, into out: inout [UInt8], maxScalars: Int, exhaustive: Bool = false) {
        out.removeAll(keepingCapacity: true)
        let scanner = Scanner(body, exhaustive: exhaustive)
        let byteBudget = maxScalars > Int.max / 4 ? Int.max : maxScalars * 4
        var pendingSpace = false
        var i = 0
        let n = body.count
        while i < n, out.count < byteBudget {
            let c = body[i]
            if isSpace(c) {
                pendingSpace = true
                i += 1
                continue
            }
            if pendingSpace {
                if !out.isEmpty { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
            }
            if i == 0 || !isWord(body[i - 1]), let (end, token) = scanner.match(at: i) {
                let placeholder = token.placeholder
                out.append(contentsOf: UnsafeRawBufferPointer(start: placeholder.utf8Start, count: placeholder.utf8CodeUnitCount))
                i = end
                continue
            }
            if isWord(c) {
                var j = i + 1
                while j < n, isWord(body[j]) { j += 1 }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[i..<j]))
                i = j
            } else {
                out.append(c)
                i += 1
            }
        }
        let keep = out.withUnsafeBytes { ScalarPrefix.length($0, maxScalars: maxScalars) }
        if keep < out.count { out.removeSubrange(keep...) }
        while out.last == UInt8(ascii: " ") { out.removeLast() }
    }

    /// The kinds of masked tokens.
    package enum Token: CaseIterable, Sendable {
        case timestamp, uuid, email, url, duration, size, ip, hex, number

        /// The placeholder text, e.g. `<NUM>`.
        package var placeholder: StaticString {
            switch self {
            case .timestamp: "<TIMESTAMP>"
            case .uuid: "<UUID>"
            case .email: "<EMAIL>"
            case .url: "<URL>"
            case .duration: "<DURATION>"
            case .size: "<SIZE>"
            case .ip: "<IP>"
            case .hex: "<HEX>"
            case .number: "<NUM>"
            }
        }
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    @inline(__always)
    static func isWord(_ c: UInt8) -> Bool {
        isAlphanumeric(c) || c == UInt8(ascii: "_") || c >= 0x80
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool {
        let lower = c | 0x20
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
    }

    @inline(__always)
    static func isAlphanumeric(_ c: UInt8) -> Bool {
        isDigit(c) || isLetter(c)
    }

    @inline(__always)
    static func isHex(_ c: UInt8) -> Bool {
        let lower = c | 0x20
        return isDigit(c) || (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f"))
    }

    /// The matchers, over one body.
    private struct Scanner {
        let s: UnsafeRawBufferPointer
        let n: Int
        let exhaustive: Bool

        init(_ s: UnsafeRawBufferPointer, exhaustive: Bool) {
            self.s = s
            n = s.count
            self.exhaustive = exhaustive
        }

        @inline(__always)
        func at(_ i: Int) -> UInt8 { i < n ? s[i] : 0 }

        /// Whether position `i` ends a token (end of input or a non-word byte).
        @inline(__always)
        func endsToken(_ i: Int) -> Bool { i >= n || !BodyTemplater.isWord(s[i]) }

        /// The end of a run of digits starting at `i` (`i` itself when none).
        @inline(__always)
        func digits(_ i: Int) -> Int {
            var j = i
            while j < n, BodyTemplater.isDigit(s[j]) { j += 1 }
            return j
        }

        /// Exactly `count` digits at `i`: the end, or `nil`.
        @inline(__always)
        func digits(_ i: Int, exactly count: Int) -> Int? {
            guard i + count <= n else { return nil }
            for j in i..<(i + count) where !BodyTemplater.isDigit(s[j]) { return nil }
            return i + count
        }

        /// Exactly `count` hex digits at `i`: the end, or `nil`.
        @inline(__always)
        func hexDigits(_ i: Int, exactly count: Int) -> Int? {
            guard i + count <= n else { return nil }
            for j in i..<(i + count) where !BodyTemplater.isHex(s[j]) { return nil }
            return i + count
        }

        func match(at i: Int) -> (Int, Token)? {
            let c = s[i]
            if c == UInt8(ascii: "/") {
                return path(i).map { ($0, .url) }
            }
            if c == UInt8(ascii: ":") {
                return ipv6(i).map { ($0, .ip) }
            }
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                guard BodyTemplater.isDigit(at(i + 1)) else { return nil }
                return quantity(i)
            }
            guard BodyTemplater.isAlphanumeric(c) else { return nil }
            if exhaustive {
                if BodyTemplater.isLetter(c), let end = url(i) { return (end, .url) }
                if let end = email(i) { return (end, .email) }
                if BodyTemplater.isDigit(c), let end = timestamp(i) { return (end, .timestamp) }
                if BodyTemplater.isHex(c), let end = uuid(i) { return (end, .uuid) }
                if BodyTemplater.isDigit(c), let end = ipv4(i) { return (end, .ip) }
                if BodyTemplater.isHex(c), let end = ipv6(i) { return (end, .ip) }
                if BodyTemplater.isDigit(c), let match = quantity(i) { return match }
                if BodyTemplater.isHex(c), let end = hex(i) { return (end, .hex) }
                return nil
            }
            // The same order, each matcher tried only when two short scans say it can match (most tokens of a log body
            // are plain words and numbers; trying every matcher on each cost half the templating). `k`: the end of the
            // run of `[A-Za-z0-9._%+-]`, where a URL scheme needs `:` and an email's local part `@` (both runs end at
            // the first byte outside that set). `h`: the end of the run of hex digits, which a UUID needs exactly 8 long
            // before `-`, an IPv6 address at most 4 long before `:`, and a hex token at least 8 long (or `0x`).
            let k = localPartEnd(i)
            var h = i
            while h < n, BodyTemplater.isHex(s[h]) { h += 1 }
            let hexRun = h - i
            let afterHex = at(h)
            if BodyTemplater.isLetter(c), at(k) == UInt8(ascii: ":"), let end = url(i) { return (end, .url) }
            if at(k) == UInt8(ascii: "@"), let end = email(i) { return (end, .email) }
            if BodyTemplater.isDigit(c), let end = timestamp(i) { return (end, .timestamp) }
            if hexRun == 8, afterHex == UInt8(ascii: "-"), let end = uuid(i) { return (end, .uuid) }
            if BodyTemplater.isDigit(c), let end = ipv4(i) { return (end, .ip) }
            if hexRun > 0, hexRun <= 4, afterHex == UInt8(ascii: ":"), let end = ipv6(i) { return (end, .ip) }
            if BodyTemplater.isDigit(c), let match = quantity(i) { return match }
            if hexRun >= 8 || (c == UInt8(ascii: "0") && at(i + 1) | 0x20 == UInt8(ascii: "x")), let end = hex(i) { return (end, .hex) }
            return nil
        }

        // MARK: Matchers

        func url(_ i: Int) -> Int? {
            var j = i + 1
            while j < n {
                let c = s[j]
                guard BodyTemplater.isAlphanumeric(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") else { break }
                j += 1
            }
            guard j + 3 < n, s[j] == UInt8(ascii: ":"), s[j + 1] == UInt8(ascii: "/"), s[j + 2] == UInt8(ascii: "/") else { return nil }
            j += 3
            let start = j
            while j < n {
                let c = s[j]
                if BodyTemplater.isSpace(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") {
                    break
                }
                j += 1
            }
            j = trimTrailingPunctuation(start, j)
            return j > start ? j : nil
        }

        func path(_ i: Int) -> Int? {
            var j = i + 1
            while j < n {
                let c = s[j]
                guard
                    BodyTemplater.isWord(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
                        || c == UInt8(ascii: "~") || c == UInt8(ascii: "%") || c == UInt8(ascii: "+") || c == UInt8(ascii: "=")
                        || c == UInt8(ascii: "&") || c == UInt8(ascii: "?") || c == UInt8(ascii: ":")
                else { break }
                j += 1
            }
            j = trimTrailingPunctuation(i + 1, j)
            // At least one word byte after the slash: "/" alone or "//" are not paths.
            var hasWord = false
            for k in (i + 1)..<max(i + 1, j) where BodyTemplater.isWord(s[k]) {
                hasWord = true
                break
            }
            return hasWord ? j : nil
        }

        func trimTrailingPunctuation(_ start: Int, _ end: Int) -> Int {
            var j = end
            while j > start {
                switch s[j - 1] {
                case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"), UInt8(ascii: "?"),
                    UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                    j -= 1
                default:
                    return j
                }
            }
            return j
        }

        /// The end of the run of `[A-Za-z0-9._%+-]` (an email's local part) starting at `i`.
        @inline(__always)
        func localPartEnd(_ i: Int) -> Int {
            var j = i
            while j < n {
                let c = s[j]
                guard
                    BodyTemplater.isAlphanumeric(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "%")
                        || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
                else { break }
                j += 1
            }
            return j
        }

        func email(_ i: Int) -> Int? {
            var j = localPartEnd(i)
            guard j > i, j < n, s[j] == UInt8(ascii: "@") else { return nil }
            j += 1
            var labels = 0
            var lastLabelStart = j
            var lastLabelAlpha = true
            while true {
                let start = j
                var alpha = true
                while j < n, BodyTemplater.isAlphanumeric(s[j]) || s[j] == UInt8(ascii: "-") {
                    if !BodyTemplater.isLetter(s[j]) { alpha = false }
                    j += 1
                }
                guard j > start else { return nil }
                labels += 1
                lastLabelStart = start
                lastLabelAlpha = alpha
                if j + 1 < n, s[j] == UInt8(ascii: "."), BodyTemplater.isAlphanumeric(s[j + 1]) {
                    j += 1
                    continue
                }
                break
            }
            guard labels >= 2, lastLabelAlpha, j - lastLabelStart >= 2, endsToken(j) else { return nil }
            return j
        }

        func timestamp(_ i: Int) -> Int? {
            if let year = digits(i, exactly: 4), year < n, s[year] == UInt8(ascii: "-") || s[year] == UInt8(ascii: "/") {
                let separator = s[year]
                guard let month = digits(year + 1, exactly: 2), at(month) == separator, let day = digits(month + 1, exactly: 2) else { return nil }
                var j = day
                if at(j) == UInt8(ascii: "T") || at(j) == UInt8(ascii: " "), let time = timeOfDay(j + 1) {
                    j = zone(time)
                }
                return endsToken(j) ? j : nil
            }
            guard let time = timeOfDay(i) else { return nil }
            let j = zone(time)
            return endsToken(j) ? j : nil
        }

        /// `hh:mm:ss` with an optional fraction.
        func timeOfDay(_ i: Int) -> Int? {
            guard let h = digits(i, exactly: 2), at(h) == UInt8(ascii: ":"), let m = digits(h + 1, exactly: 2),
                at(m) == UInt8(ascii: ":"), let sec = digits(m + 1, exactly: 2)
            else { return nil }
            var j = sec
            if at(j) == UInt8(ascii: ".") || at(j) == UInt8(ascii: ","), BodyTemplater.isDigit(at(j + 1)) {
                j = digits(j + 1)
            }
            return j
        }

        func zone(_ i: Int) -> Int {
            if at(i) == UInt8(ascii: "Z") { return i + 1 }
            if at(i) == UInt8(ascii: "+") || at(i) == UInt8(ascii: "-"), let hh = digits(i + 1, exactly: 2) {
                if at(hh) == UInt8(ascii: ":"), let mm = digits(hh + 1, exactly: 2) { return mm }
                if let mm = digits(hh, exactly: 2) { return mm }
                return hh
            }
            return i
        }

        func uuid(_ i: Int) -> Int? {
            guard let a = hexDigits(i, exactly: 8), at(a) == UInt8(ascii: "-"),
                let b = hexDigits(a + 1, exactly: 4), at(b) == UInt8(ascii: "-"),
                let c = hexDigits(b + 1, exactly: 4), at(c) == UInt8(ascii: "-"),
                let d = hexDigits(c + 1, exactly: 4), at(d) == UInt8(ascii: "-"),
                let e = hexDigits(d + 1, exactly: 12), endsToken(e)
            else { return nil }
            return e
        }

        func ipv4(_ i: Int) -> Int? {
            var j = i
            for part in 0..<4 {
                let end = digits(j)
                guard end > j, end - j <= 3 else { return nil }
                j = end
                if part < 3 {
                    guard at(j) == UInt8(ascii: ".") else { return nil }
                    j += 1
                }
            }
            guard endsToken(j), !(at(j) == UInt8(ascii: ".") && BodyTemplater.isDigit(at(j + 1))) else { return nil }
            return j
        }

        func ipv6(_ i: Int) -> Int? {
            var j = i
            var colons = 0
            var hexInGroup = 0
            var hexTotal = 0
            var doubleColon = false
            while j < n {
                let c = s[j]
                if c == UInt8(ascii: ":") {
                    if j > i, s[j - 1] == UInt8(ascii: ":") {
                        if doubleColon { return nil }
                        doubleColon = true
                    }
                    colons += 1
                    hexInGroup = 0
                } else if BodyTemplater.isHex(c) {
                    hexInGroup += 1
                    hexTotal += 1
                    guard hexInGroup <= 4 else { return nil }
                } else {
                    break
                }
                j += 1
            }
            // A trailing single colon belongs to the text ("fe80::1: refused").
            if j - 1 > i, s[j - 1] == UInt8(ascii: ":"), s[j - 2] != UInt8(ascii: ":") {
                j -= 1
                colons -= 1
            }
            guard hexTotal > 0, doubleColon ? colons >= 2 : colons == 7, endsToken(j) else { return nil }
            return j
        }

        /// A number, optionally followed by a duration or size unit.
        func quantity(_ i: Int) -> (Int, Token)? {
            var j = i
            if s[j] == UInt8(ascii: "-") || s[j] == UInt8(ascii: "+") { j += 1 }
            guard let number = unsignedNumber(j, exponent: true) else { return nil }
            if endsToken(number) { return (number, .number) }
            // Units bind to a plain decimal ("1e5ms" is not a duration).
            guard let plain = unsignedNumber(j, exponent: false) else { return nil }
            if let end = durationUnits(plain) { return (end, .duration) }
            if let end = sizeUnit(plain), endsToken(end) { return (end, .size) }
            return nil
        }

        func unsignedNumber(_ i: Int, exponent: Bool) -> Int? {
            var j = digits(i)
            guard j > i else { return nil }
            if at(j) == UInt8(ascii: "."), BodyTemplater.isDigit(at(j + 1)) { j = digits(j + 1) }
            if exponent, at(j) == UInt8(ascii: "e") || at(j) == UInt8(ascii: "E") {
                var k = j + 1
                if at(k) == UInt8(ascii: "+") || at(k) == UInt8(ascii: "-") { k += 1 }
                let end = digits(k)
                if end > k { j = end }
            }
            return j
        }

        /// One or more `<number><unit>` pairs ("1h30m"), ending a token.
        func durationUnits(_ i: Int) -> Int? {
            var j = i
            while true {
                guard let end = durationUnit(j) else { return nil }
                if endsToken(end) { return end }
                guard let next = unsignedNumber(end, exponent: false) else { return nil }
                j = next
            }
        }

        func durationUnit(_ i: Int) -> Int? {
            let c0 = at(i), c1 = at(i + 1), c2 = at(i + 2)
            if c0 == UInt8(ascii: "n"), c1 == UInt8(ascii: "s") { return i + 2 }
            if c0 == UInt8(ascii: "u"), c1 == UInt8(ascii: "s") { return i + 2 }
            if c0 == 0xC2, c1 == 0xB5, c2 == UInt8(ascii: "s") { return i + 3 }
            if c0 == UInt8(ascii: "m"), c1 == UInt8(ascii: "s") { return i + 2 }
            if c0 == UInt8(ascii: "m"), c1 == UInt8(ascii: "i"), c2 == UInt8(ascii: "n") { return i + 3 }
            if c0 == UInt8(ascii: "s") || c0 == UInt8(ascii: "m") || c0 == UInt8(ascii: "h") || c0 == UInt8(ascii: "d") { return i + 1 }
            return nil
        }

        func sizeUnit(_ i: Int) -> Int? {
            let c0 = at(i), c1 = at(i + 1), c2 = at(i + 2)
            if c0 == UInt8(ascii: "B") { return i + 1 }
            switch c0 {
            case UInt8(ascii: "k"), UInt8(ascii: "K"), UInt8(ascii: "M"), UInt8(ascii: "G"), UInt8(ascii: "T"), UInt8(ascii: "P"):
                if c1 == UInt8(ascii: "B") { return i + 2 }
                if c1 == UInt8(ascii: "i"), c2 == UInt8(ascii: "B") { return i + 3 }
            default: break
            }
            switch c0 {
            case UInt8(ascii: "k"), UInt8(ascii: "m"), UInt8(ascii: "g"), UInt8(ascii: "t"):
                if c1 == UInt8(ascii: "b") { return i + 2 }
            default: break
            }
            return nil
        }

        func hex(_ i: Int) -> Int? {
            if s[i] == UInt8(ascii: "0"), at(i + 1) == UInt8(ascii: "x") || at(i + 1) == UInt8(ascii: "X") {
                var j = i + 2
                while j < n, BodyTemplater.isHex(s[j]) { j += 1 }
                return j > i + 2 && endsToken(j) ? j : nil
            }
            var j = i
            var letters = false
            while j < n, BodyTemplater.isHex(s[j]) {
                if !BodyTemplater.isDigit(s[j]) { letters = true }
                j += 1
            }
            return j - i >= 8 && letters && endsToken(j) ? j : nil
        }
    }
}
