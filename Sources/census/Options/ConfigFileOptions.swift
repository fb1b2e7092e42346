import ArgumentParser

/// `--config`: the optional configuration file. Commands that read settings include it.
struct ConfigFileOptions: ParsableArguments {
    @Option(name: .customLong(Options.config.flag), help: Options.config.help)
    var path: String?
}

/// A command that reads settings and so accepts `--config`. `SendableMetatype`: no conformance is isolated to an actor,
/// so `Census.main` can cast a parsed command to it and still run the command off the main actor.
protocol ConfigFileCommand: SendableMetatype {
    var configFile: ConfigFileOptions { get }
}
