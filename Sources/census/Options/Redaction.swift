import Foundation

/// Keeps secrets out of logs, errors and `census config`: the one place that decides what is secret.
enum Redaction {
    /// What a secret value is shown as.
    static let placeholder = "<redacted>"

    /// A URL with any `user:password@` part replaced by `<redacted>@`.
    static func url(_ text: String) -> String {
        text.replacingOccurrences(of: "^([A-Za-z][A-Za-z0-9+.-]*://)?[^/@?#]*@", with: "$1\(placeholder)@", options: .regularExpression)
    }

    /// Whether a librdkafka property holds a secret (`sasl.password`, `ssl.key.password`, `sasl.jaas.config`,
    /// `sasl.oauthbearer.client.secret`, …).
    static func isSecretKafkaProperty(_ key: String) -> Bool {
        let key = key.lowercased()
        return ["password", "secret", "jaas", "token", "ssl.key.pem", "private", "credential"].contains { key.contains($0) }
    }

    /// `<redacted>` for a non-empty secret, `""` for an empty one (so "not set" stays visible).
    static func secret(_ value: String?) -> String {
        (value ?? "").isEmpty ? "" : placeholder
    }
}
