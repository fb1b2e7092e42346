import API
import ArgumentParser
import Foundation
import Logging

/// census: a census of OpenTelemetry metadata from Kafka, stored in ClickHouse, served over a V1 REST API.
@main
struct Census: AsyncParsableCommand {
    /// The version string of logs, `census config` and the health endpoint.
    static let version = BuildStamp.current.version

    static let configuration = CommandConfiguration(
        commandName: "census",
        abstract: "Consumes OTLP from Kafka, keeps a census of its metadata in ClickHouse, and serves it over a REST API.",
        discussion: """
            Every option has a flag and a CENSUS_* environment variable; a flag wins over the variable, which wins over
            the configuration file (--config or CENSUS_CONFIG: CENSUS_*=value lines). Invalid configuration exits with code 2.
            """,
        version: BuildStamp.versionLine,
        subcommands: [
            RunCommand.self, ConsumeCommand.self, ServeCommand.self, MigrateCommand.self, ConfigCommand.self,
            DevBrokerCommand.self, ProduceDemoCommand.self, LagCommand.self, ReplayCommand.self, ChangesCommand.self, ReportCommand.self,
            MicrobenchCommand.self,
        ],
        defaultSubcommand: nil
    )

    /// Parses and runs, mapping every configuration problem to one line on stderr and exit code 2.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // Whatever parsing rejects — an unknown flag, a malformed value, a command's `validate()` (which the argument
            // parser wraps, so a ConfigurationError thrown there is no longer one) — is a usage problem: one line, exit 2.
            // `--help` and `--version` end here too, with their own output and exit 0.
            guard exitCode(for: error) != .success else { exit(withError: error) }
            exitForUsage(error)
        }
        AllocatorTuning.apply(environment: ProcessInfo.processInfo.environment)
        do {
            // The configuration file is the layer below the environment; load it before any option is resolved.
            if let path = (command as? any ConfigFileCommand)?.configFile.path ?? ProcessInfo.processInfo.environment[ConfigFile.variable],
                !path.isEmpty
            {
                Environment.useConfigFile(try ConfigFile.load(path: path))
            }
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
            if code == .validationFailure { exitForUsage(error) }
            exit(withError: error)
        }
    }

    /// A usage error from the argument parser: its first line on stderr, exit 2.
    private static func exitForUsage(_ error: any Error) -> Never {
        let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        FileHandle.standardError.write(Data("census: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

/// Sets up swift-log once per process: plain text (swift-log's stream handler) or JSON lines, on stderr.
enum LogSetup {
    static func bootstrap(_ options: LoggingOptions) throws -> Logger {
        let (level, format) = try options.resolve()
        LoggingSystem.bootstrap { label in
            switch format {
            case .plain:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "census")
        logger.logLevel = level
        return logger
    }
}
