extension Duration {
    /// The duration in seconds as a `Double`: the one conversion census uses wherever an API takes a `TimeInterval`,
    /// a log shows seconds or a rate divides by elapsed time.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in milliseconds as a `Double`.
    package var inMilliseconds: Double { inSeconds * 1000 }
}
