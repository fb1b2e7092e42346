import ArgumentParser
import Logging

/// Logging.
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong(Options.logLevel.flag), help: Options.logLevel.help)
    var level: String?

    @Option(name: .customLong(Options.logFormat.flag), help: Options.logFormat.help)
    var format: String?

    /// How log lines are written.
    enum Format: String, Sendable {
        case plain, json
    }

    func resolve() throws -> (level: Logger.Level, format: Format) {
        let levelText = Options.logLevel.string(level)
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(levelText)'")
        }
        let formatText = Options.logFormat.string(format)
        guard let format = Format(rawValue: formatText.lowercased()) else {
            throw ConfigurationError("--log-format must be plain or json; got '\(formatText)'")
        }
        return (level, format)
    }
}
