"""Records are filed under the UTC day of their Kafka timestamp: the multi-day data set (history_data) goes through
Kafka into census, and the stored per-day item counts and key cardinalities equal the oracle's, day by day. This is the
ground every V2 answer stands on; the V2 routes have their own test files.

Cost: one census run on ~35 records, ~10 s."""

from __future__ import annotations

import history_data
from harness import wait_until


def test_items_are_filed_under_their_kafka_timestamp_day(broker, clickhouse, census_factory):
    records, oracle = history_data.build()
    census = census_factory(broker, clickhouse)
    history_data.produce(broker.bootstrap, records, broker.partitions)
    census_factory.offsets(broker, census).wait_caught_up(timeout=60, diagnostics=census.log_tail)

    def stored(sql: str) -> dict:
        rows = clickhouse.query(sql, database=census.database).strip().splitlines()
        return {tuple(r.split("\t")[:-1]): int(r.split("\t")[-1]) for r in rows}

    signals = {1: "metric", 2: "span", 3: "log"}
    got = stored("SELECT signal, name, service, toString(day), toUInt64(sumMerge(count)) FROM metadata WHERE kind = 1 "
                 "GROUP BY signal, name, service, day")
    want = {(str(s), n, svc, history_data.day_text(d)): c for (sig, n, svc, d), c in oracle.names.items()
            for s in [next(k for k, v in signals.items() if v == sig)]}
    assert got == want

    # user.id: 10 distinct values a day, then 200 from the jump day on; all time 10 + 3 x 200.
    per_day = stored("SELECT toString(day), toUInt64(uniqCombinedArrayMerge(cardinality)) FROM metadata WHERE kind = 2 "
                     f"AND name = '{history_data.HISTOGRAM}' AND key = 'user.id' GROUP BY day")
    assert per_day == {(history_data.day_text(d),): oracle.key_summary(d, d, name=history_data.HISTOGRAM, key="user.id")["cardinality"]
                       for d in oracle.days}
    assert [per_day[(history_data.day_text(d),)] for d in oracle.days] == [10, 10, 200, 200, 200]
    total = stored("SELECT 'all', toUInt64(uniqCombinedArrayMerge(cardinality)) FROM metadata WHERE kind = 2 "
                   f"AND name = '{history_data.HISTOGRAM}' AND key = 'user.id'")
    assert total == {("all",): 610}

    # Series: distinct (resource + point) attribute sets per day and over the whole range.
    series = stored("SELECT toString(day), toUInt64(uniqCombinedArrayMerge(cardinality)) FROM metadata WHERE kind = 1 AND signal = 1 "
                    f"AND name = '{history_data.HISTOGRAM}' GROUP BY day")
    assert series == {(history_data.day_text(d),): oracle.series_count(history_data.HISTOGRAM, d, d) for d in oracle.days}
    all_series = stored("SELECT 'all', toUInt64(uniqCombinedArrayMerge(cardinality)) FROM metadata WHERE kind = 1 AND signal = 1 "
                        f"AND name = '{history_data.HISTOGRAM}'")
    assert all_series == {("all",): oracle.series_count(history_data.HISTOGRAM)}

    # Heavy hitters of the low-cardinality keys: exact counts per value, per day, joined to their texts by hash.
    for key in ("http.request.method", "http.response.status_code"):
        rows = clickhouse.query(
            "SELECT toString(day), sumMapMerge(heavy_hitters), arrayDistinct(groupArrayArrayMerge(256)(heavy_text_set)) FROM metadata WHERE kind = 2 "
            f"AND name = '{history_data.HISTOGRAM}' AND key = '{key}' GROUP BY day FORMAT JSONCompact", database=census.database)
        import json
        got_hh = {}
        for day, (hashes, counts), texts in json.loads(rows)["data"]:
            text_of = {int(t[:8], 16): t[9:] for t in texts}
            got_hh[day] = {text_of[int(h)]: int(c) for h, c in zip(hashes, counts)}
        want_hh = {history_data.day_text(d): {history_data.text(v[1]): n for v, n in
                                              oracle.key_summary(d, d, name=history_data.HISTOGRAM, key=key)["values"].items()}
                   for d in oracle.days}
        assert got_hh == want_hh, key
