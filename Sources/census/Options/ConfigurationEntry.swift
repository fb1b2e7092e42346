/// One setting of the effective configuration, as `census config` prints it and the start-up log records it.
struct ConfigurationEntry: Sendable, Hashable {
    /// Where the value came from.
    enum Source: String, Sendable {
        case flag, environment = "env", file, `default`
    }

    /// The `CENSUS_*` variable (also the key in the configuration file).
    var variable: String
    /// The value as census uses it, with secrets replaced by `<redacted>`.
    var value: String
    var source: Source
}
