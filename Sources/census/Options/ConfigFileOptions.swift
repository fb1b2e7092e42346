import ArgumentParser

/// `--config`: the optional configuration file. Commands that read settings include it.
struct ConfigFileOptions: ParsableArguments {
    @Option(name: .customLong(Options.config.flag), help: Options.config.help)
    var path: String?
}

/// A command that reads settings and so accepts `--config`.
protocol ConfigFileCommand {
    var configFile: ConfigFileOptions { get }
}
