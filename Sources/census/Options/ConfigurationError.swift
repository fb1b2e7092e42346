/// Invalid configuration: reported as one line on stderr, exit code 2.
///
/// Messages quote what the user gave, which may be anything (a 1 MB environment variable, a newline, terminal escape
/// sequences): control characters are shown escaped (`\n`, `\u{1B}`) and a message is cut at ``maxLength`` characters,
/// so the report stays one readable line whatever the input.
struct ConfigurationError: Error, CustomStringConvertible {
    /// The longest message, in characters.
    static let maxLength = 400

    let description: String

    init(_ description: String) {
        var line = ""
        for scalar in description.unicodeScalars {
            switch scalar {
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                line += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: line.unicodeScalars.append(scalar)
            }
        }
        if line.count > Self.maxLength {
            let cut = line.count - Self.maxLength
            line = String(line.prefix(Self.maxLength)) + "… (\(cut) more characters)"
        }
        self.description = line
    }
}
