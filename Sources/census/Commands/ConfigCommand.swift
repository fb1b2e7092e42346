import ArgumentParser

/// `census config`: prints the effective configuration (flags > environment > file > defaults), secrets redacted.
///
/// The output has the configuration file's format (`CENSUS_*=value` lines), grouped by where each value came from.
/// Nothing is contacted; invalid configuration exits with code 2 like every other command.
struct ConfigCommand: ParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration (secrets redacted) as CENSUS_*=value lines, then exit."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var retention: RetentionOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    func run() throws {
        let settings = try Settings(kafka: kafka, clickhouse: clickhouse, api: api, ingest: ingest, retention: retention)
        let report = ConfigurationReport(
            kafka: kafka, clickhouse: clickhouse, api: api, ingest: ingest, retention: retention, logging: logging, configFile: configFile)
        print("# census \(Census.version) effective configuration; precedence: flag > env > file > default; secrets redacted")
        let entries = try report.entries(settings)
        for source in [ConfigurationEntry.Source.flag, .environment, .file, .default] {
            let group = entries.filter { $0.source == source }
            guard !group.isEmpty else { continue }
            print("# from \(source.rawValue)")
            for entry in group { print("\(entry.variable)=\(entry.value)") }
        }
    }
}
