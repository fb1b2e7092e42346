import Foundation

/// The optional configuration file (`--config PATH` or `CENSUS_CONFIG`): the same `CENSUS_*` names as the
/// environment, one `NAME=value` per line, so a file, a container's env file and `census config` output share one
/// format.
///
/// - `#` starts a comment line; blank lines are ignored; a leading `export ` is allowed.
/// - Values may be wrapped in single or double quotes (removed; no escapes inside).
/// - Every name must look like `CENSUS_[A-Z0-9_]+`; anything else, a line without `=`, or an unreadable file is a
///   configuration error (exit code 2), so a typo cannot be ignored silently.
/// - Precedence: flag > environment variable > this file > default.
enum ConfigFile {
    /// The variable that names the file when `--config` is not given.
    static let variable = Options.config.variable

    /// Reads and parses the file at `path`.
    static func load(path: String) throws(ConfigurationError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("cannot read the configuration file \(path)")
        }
        return try parse(text, path: path)
    }

    /// Parses the file's text; `path` only names the file in errors.
    static func parse(_ text: String, path: String) throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(path):\(index + 1): expected NAME=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard name.range(of: "^CENSUS_[A-Z0-9_]+$", options: .regularExpression) != nil else {
                throw ConfigurationError("\(path):\(index + 1): '\(name)' is not a CENSUS_* setting name")
            }
            guard name != variable else {
                throw ConfigurationError("\(path):\(index + 1): \(variable) cannot be set inside the configuration file")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[name] = value
        }
        return values
    }
}
