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
                let detail = String(decoding: errstr.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw KafkaError.invalidConfiguration("kafka property \(key): \(detail)")
            }
        }
        return conf
    }

    /// The version of the librdkafka loaded at run time (`rd_kafka_version()`, e.g. `0x020002ff` for 2.0.2), which may
    /// be newer than the headers census was built with (`LD_LIBRARY_PATH`).
    static let runtimeVersion = Int(rd_kafka_version())

    static func errorString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
