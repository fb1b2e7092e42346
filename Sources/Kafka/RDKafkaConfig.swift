import CRdKafka

/// Builds an `rd_kafka_conf_t` from properties.
///
/// - Important: The returned pointer is owned by the caller until it is handed to `rd_kafka_new`, which takes
///   ownership on success only; on failure the caller must destroy it.
enum RDKafkaConfig {
    static func make(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        // rd_kafka_conf_new never returns NULL.
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError.invalidConfiguration("kafka property \(key): \(errorString(errstr))")
            }
        }
        return conf
    }

    /// Creates a client handle (`what` names it in the error) from `conf`, which `rd_kafka_new` owns when it succeeds;
    /// when it fails, `conf` is destroyed here. The one place census calls `rd_kafka_new`.
    static func newHandle(_ type: rd_kafka_type_t, _ conf: OpaquePointer, what: String) throws(KafkaError) -> OpaquePointer {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.invalidConfiguration("cannot create \(what): \(errorString(errstr))")
        }
        return handle
    }

    /// The version of the librdkafka loaded at run time (`rd_kafka_version()`, e.g. `0x020002ff` for 2.0.2), which may
    /// be newer than the headers census was built with (`LD_LIBRARY_PATH`).
    static let runtimeVersion = Int(rd_kafka_version())

    static func errorString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
