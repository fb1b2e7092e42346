import ArgumentParser

/// `--config`: the optional configuration file. Commands that read settings include it.
struct ConfigFileOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("Configuration file of CENSUS_*=value lines (env CENSUS_CONFIG). Flags and environment variables win over it.", valueName: "path"))
    var path: String?
}

/// A command that reads settings and so accepts `--config`.
protocol ConfigFileCommand {
    var configFile: ConfigFileOptions { get }
}
