import Foundation
import Synchronization

/// Reads `CENSUS_*` settings: a flag given on the command line wins over the environment variable, which wins over
/// the same name in the configuration file (``ConfigFile``), which wins over the default.
enum Environment {
    /// Values from the configuration file, by variable name; installed once at start-up by ``useConfigFile(_:)``.
    private static let fileValues = Mutex<[String: String]>([:])

    /// Makes the configuration file's values the layer below the environment.
    static func useConfigFile(_ values: [String: String]) {
        fileValues.withLock { $0 = values }
    }

    /// The variable's value from the environment, else from the configuration file; empty counts as unset.
    static func string(_ name: String) -> String? {
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return value }
        if let value = fileValues.withLock({ $0[name] }), !value.isEmpty { return value }
        return nil
    }

    /// Where a setting's value comes from, for `census config` and the start-up log.
    static func source(flag: Bool, _ name: String) -> ConfigurationEntry.Source {
        if flag { return .flag }
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty { return .environment }
        if let value = fileValues.withLock({ $0[name] }), !value.isEmpty { return .file }
        return .default
    }

    /// The flag's value, else the variable's, else the default.
    static func resolve(_ flag: String?, _ variable: String, default fallback: String) -> String {
        flag ?? string(variable) ?? fallback
    }

    /// An integer option; a malformed value is a configuration error naming its source.
    static func int(_ flag: String?, _ variable: String, flagName: String, default fallback: Int, range: ClosedRange<Int> = 1...Int.max) throws -> Int
    {
        let (text, source) = flag.map { ($0, "--\(flagName)") } ?? string(variable).map { ($0, variable) } ?? (nil, "")
        guard let text else { return fallback }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ConfigurationError("\(source) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// A boolean option: the flag when given, else the variable (`true`/`false`, `1`/`0`, `yes`/`no`), else `false`.
    static func bool(_ flag: Bool, _ variable: String) throws -> Bool {
        if flag { return true }
        guard let text = string(variable) else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError("\(variable) must be true or false, got '\(text)'")
        }
    }

    /// A duration in seconds (fractions allowed).
    static func seconds(_ flag: String?, _ variable: String, flagName: String, default fallback: Double, allowZero: Bool = false) throws -> Duration {
        let (text, source) = flag.map { ($0, "--\(flagName)") } ?? string(variable).map { ($0, variable) } ?? (nil, "")
        guard let text else { return .milliseconds(Int64(fallback * 1000)) }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), allowZero ? value >= 0 : value > 0, value < 86_400 else {
            throw ConfigurationError("\(source) must be a number of seconds \(allowZero ? "from 0" : "greater than 0"), got '\(text)'")
        }
        return .milliseconds(Int64(value * 1000))
    }

    /// Comma-separated list from repeated flags, else from the variable.
    static func list(_ flags: [String], _ variable: String, default fallback: [String] = []) -> [String] {
        let raw = flags.isEmpty ? (string(variable).map { [$0] } ?? []) : flags
        let items = raw.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.isEmpty ? fallback : items
    }
}
