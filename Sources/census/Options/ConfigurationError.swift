/// Invalid configuration: reported as one line on stderr, exit code 2.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
