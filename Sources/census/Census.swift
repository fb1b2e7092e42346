import ArgumentParser
import Foundation
import Logging

/// census: a census of OpenTelemetry metadata from Kafka, stored in ClickHouse, served over a V1 REST API.
@main
struct Census: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "census",
        abstract: "Consumes OTLP from Kafka, keeps a census of its metadata in ClickHouse, and serves it over a REST API.",
        discussion: """
        Every option has a flag and a CENSUS_* environment variable; a flag wins over the variable.
        Invalid configuration exits with code 2.
        """,
        version: version,
        subcommands: [RunCommand.self, ConsumeCommand.self, ServeCommand.self, MigrateCommand.self,
                      DevBrokerCommand.self, ProduceDemoCommand.self, LagCommand.self, ReplayCommand.self, MicrobenchCommand.self],
        defaultSubcommand: nil
    )

    /// Parses and runs, mapping every configuration problem to one line on stderr and exit code 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("census: \(error.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            if code == .validationFailure {
                // Usage errors from the argument parser: one line, exit 2.
                let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
                FileHandle.standardError.write(Data("census: \(message)\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Sets up swift-log once per process.
enum LogSetup {
    static func bootstrap(_ options: LoggingOptions) throws -> Logger {
        let text = Environment.resolve(options.level, "CENSUS_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(text)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "census")
        logger.logLevel = level
        return logger
    }
}
