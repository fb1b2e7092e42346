#ifndef CENSUS_CRDKAFKA_SHIM_H
#define CENSUS_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* rd_kafka_producev is variadic, which Swift cannot call: a typed wrapper. The payload and key are copied. */
static inline rd_kafka_resp_err_t census_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                                 void *payload, size_t len, const void *key, size_t keylen,
                                                 int64_t timestamp_ms) {
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(payload, len),
                             RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_END);
}
#endif
