"""V2 explorer, store statistics and retention, end to end on the multi-day data set (history_data): five UTC days
ending yesterday, produced with Kafka timestamps, consumed by one census per module.

- `/api/v2/keys/{key}` and `/api/v2/services/{name}` equal the Python oracle for the whole range and for sub-ranges
  (counts, cardinality, samples, places and their order, paging, 404 out of range);
- `/api/v2/system/clickhouse` and `/api/v2/system/tables` answer sane figures on the suite's ClickHouse;
- `--retention-days` deletes the old days (V1 answers equal the oracle restricted to the days kept), keeps progress
  (a restart re-consumes nothing), and removes rows of old days that arrive later at its next pass.

Cost: one census + broker for the explorer and system tests (~10 s), one more census for retention (~20 s)."""

from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import quote

import pytest
import requests

import history_data
from harness import Census, wait_until
from history_data import SCOPES, day_text, text
from kafka_util import OffsetReader

SIGNAL_CODES = {"metric": 1, "span": 2, "log": 3}
SCOPE_NAMES = {code: name for name, code in SCOPES.items()}


@pytest.fixture(scope="module")
def loaded(clickhouse):
    """One broker and one census holding the five days; yields (census, broker, records, oracle)."""
    with history_data.loaded(clickhouse, "test_v2_explorer") as five:
        yield five.census, five.broker, five.records, five.oracle


def v2(census: Census, path: str, expect: int = 200, **params):
    r = requests.get(f"{census.api}/api/v2/{path}", params=params, timeout=15)
    assert r.status_code == expect, f"GET {r.url} -> {r.status_code}: {r.text[:300]}"
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def day_params(start, end) -> dict:
    params = {}
    if start is not None:
        params["from"] = day_text(start)
    if end is not None:
        params["to"] = day_text(end)
    return params


# -- the oracle's answers ---------------------------------------------------------------------------------------------

def expected_key(oracle, key: str, start=None, end=None) -> dict:
    places: dict = defaultdict(lambda: [0, Counter()])
    values: Counter = Counter()
    count = 0
    for (signal, name, service, scope, _sub, _key, _day), acc in oracle.key_rows(start, end, key=key):
        place = places[(SIGNAL_CODES[signal], name, scope, service)]
        place[0] += acc.count
        place[1].update(acc.values)
        count += acc.count
        values.update(acc.values)
    ordered = sorted(places.items(), key=lambda item: (-len(item[1][1]), item[0]))
    return {
        "count": count, "cardinality": len(values), "texts": {text(v) for _, v in values},
        "signals": sorted({p[0] for p in places}),
        "places": [{"signal": [s for s, c in SIGNAL_CODES.items() if c == code][0], "name": name, "scope": SCOPE_NAMES[scope],
                    "service": service, "count": n, "estimated_cardinality": len(vals)}
                   for (code, name, scope, service), (n, vals) in ordered],
    }


def expected_service(oracle, service: str, signal=None, start=None, end=None) -> dict:
    keys: dict = defaultdict(lambda: [0, Counter()])
    for (sig, _name, svc, scope, _sub, key, _day), acc in oracle.key_rows(start, end, service=service):
        keys[(SIGNAL_CODES[sig], scope, key)][0] += acc.count
        keys[(SIGNAL_CODES[sig], scope, key)][1].update(acc.values)
    totals = []
    for sig, code in SIGNAL_CODES.items():
        names = {n for (s, n, svc, d) in oracle.names if s == sig and svc == service and oracle.in_range(d, start, end)}
        if names:
            totals.append({"signal": sig, "names": len(names),
                           "items": sum(oracle.name_count(sig, n, start, end, service=service) for n in names),
                           "keys": sum(1 for k in keys if k[0] == code)})
    chosen = {k: v for k, v in keys.items() if signal is None or k[0] == SIGNAL_CODES[signal]}
    ordered = sorted(chosen.items(), key=lambda item: (-len(item[1][1]), item[0]))
    return {"signals": totals,
            "keys": [{"signal": [s for s, c in SIGNAL_CODES.items() if c == code][0], "scope": SCOPE_NAMES[scope], "key": key,
                      "count": n, "estimated_cardinality": len(vals)} for (code, scope, key), (n, vals) in ordered]}


def assert_key(census, oracle, key, start=None, end=None) -> None:
    want = expected_key(oracle, key, start, end)
    got = v2(census, f"keys/{quote(key, safe='')}", **day_params(start, end), limit=1000)
    where = f"{key} {day_params(start, end)}"
    assert got["key"] == key
    assert got["from"] == (day_text(start) if start is not None else None) and got["to"] == (day_text(end) if end is not None else None)
    assert (got["count"], got["estimated_cardinality"]) == (want["count"], want["cardinality"]), where
    assert got["signals"] == [s for s, c in SIGNAL_CODES.items() if c in want["signals"]], where
    if want["cardinality"] <= 10:
        assert set(got["samples"]) == want["texts"], where
    else:
        assert 0 < len(got["samples"]) <= 10 and set(got["samples"]) <= want["texts"], where
    assert got["data"] == want["places"], where
    assert (got["total"], got["has_more"]) == (len(want["places"]), False), where


# -- /api/v2/keys/{key} ----------------------------------------------------------------------------------------------

def test_keys_equal_the_oracle_for_every_range(loaded):
    census, _, _, oracle = loaded
    days = oracle.days
    keys = ["user.id", "http.request.method", "legacy.flag", "service.name", "host.name", "cart.items", "log.source", "queue", "job"]
    ranges = [(None, None), (days[2], None), (None, days[1]), (days[1], days[3]), (days[4], days[4])]
    for key in keys:
        for start, end in ranges:
            if expected_key(oracle, key, start, end)["count"] == 0:
                body = v2(census, f"keys/{quote(key, safe='')}", expect=404, **day_params(start, end))
                assert body == {"error": "key not found in range"}
            else:
                assert_key(census, oracle, key, start, end)
    # The 20x jump: user.id's cardinality is 10 a day before the third day, 200 a day after, day-specific values.
    assert v2(census, "keys/user.id", **day_params(days[0], days[1]))["estimated_cardinality"] == 10
    assert v2(census, "keys/user.id", **day_params(days[2], days[2]))["estimated_cardinality"] == 200
    assert v2(census, "keys/user.id")["estimated_cardinality"] == 610


def test_key_places_are_paged_in_order(loaded):
    census, _, _, oracle = loaded
    want = expected_key(oracle, "service.name")["places"]
    assert len(want) >= 4  # every signal of checkout plus payments' gauge
    pages = [v2(census, "keys/service.name", limit=2, offset=o) for o in range(0, len(want), 2)]
    assert [p for page in pages for p in page["data"]] == want
    assert [page["has_more"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert all(page["total"] == len(want) and page["limit"] == 2 for page in pages)
    # Clamped numbers: past 64 bits the default (as V1), a huge offset clamped to 2^40 (an empty page), limit to 1000.
    big = v2(census, "keys/service.name", limit=str(10**30), offset=str(2**62))
    assert (big["limit"], big["offset"], big["data"], big["has_more"]) == (100, 2**40, [], False)
    assert v2(census, "keys/service.name", offset=str(10**30))["data"] == want[:100]
    assert v2(census, "keys/service.name", limit=99999)["limit"] == 1000


def test_keys_reject_bad_ranges_with_a_json_400(loaded):
    census, _, _, oracle = loaded
    assert "invalid 'from'" in v2(census, "keys/user.id", expect=400, **{"from": "yesterday"})["error"]
    assert "after" in v2(census, "keys/user.id", expect=400, **day_params(oracle.days[3], oracle.days[1]))["error"]
    assert v2(census, "keys/no.such.key", expect=404) == {"error": "key not found in range"}


# -- /api/v2/services/{name} -----------------------------------------------------------------------------------------

def test_services_equal_the_oracle_for_every_range_and_signal(loaded):
    census, _, _, oracle = loaded
    days = oracle.days
    for service in ["checkout", "payments"]:
        for start, end in [(None, None), (days[2], days[4]), (None, days[3]), (days[4], None)]:
            for signal in [None, "metric", "span", "log"]:
                want = expected_service(oracle, service, signal, start, end)
                params = {**day_params(start, end), "limit": 1000, **({"signal": signal} if signal else {})}
                where = f"{service} {params}"
                if not want["signals"]:
                    assert v2(census, f"services/{service}", expect=404, **params) == {"error": "service not found in range"}, where
                    continue
                got = v2(census, f"services/{service}", **params)
                assert (got["service"], got["signal"]) == (service, signal), where
                assert got["signals"] == want["signals"], where
                assert got["data"] == want["keys"], where
                assert (got["total"], got["has_more"]) == (len(want["keys"]), False), where
    # user.id is checkout's costliest key over all time and the range that starts at the jump; legacy.flag vanished.
    assert v2(census, "services/checkout")["data"][0]["key"] == "user.id"
    late = v2(census, "services/checkout", signal="metric", **day_params(days[2], None))["data"]
    assert "legacy.flag" not in {k["key"] for k in late}
    assert v2(census, "services/checkout", expect=400, signal="traces")["error"].startswith("invalid 'signal'")
    assert v2(census, "services/nobody", expect=404) == {"error": "service not found in range"}


def test_service_keys_are_paged(loaded):
    census, _, _, oracle = loaded
    want = expected_service(oracle, "checkout")["keys"]
    first = v2(census, "services/checkout", limit=3)
    rest = v2(census, "services/checkout", limit=1000, offset=3)
    assert first["data"] + rest["data"] == want
    assert (first["has_more"], rest["has_more"], first["total"]) == (True, False, len(want))


# -- /api/v2/system/* ------------------------------------------------------------------------------------------------

def test_system_routes_report_the_store(loaded):
    census, _, _, _ = loaded
    status = v2(census, "system/clickhouse")
    assert status["version"][:1].isdigit() and "." in status["version"]
    assert 0 <= status["uptime_seconds"] < 10 * 366 * 86_400 and 1 <= status["active_parts"] < 1_000
    assert 0 <= status["merges_in_progress"] < 1_000 and 0 <= status["mutations_in_progress"] < 1_000
    if status["version"].startswith("18."):
        # 18.16 has no system.disks.
        assert status["disk_free_bytes"] is None and status["disk_total_bytes"] is None
    else:
        assert 0 <= status["disk_free_bytes"] <= status["disk_total_bytes"]
    tables = {t["table"]: t for t in v2(census, "system/tables")["data"]}
    assert {"metadata", "metadata_ingest_v9", "metadata_mv_v9", "quarantine", "schema_migrations"} <= set(tables)
    metadata = tables["metadata"]
    assert metadata["engine"] == "AggregatingMergeTree"
    assert metadata["rows"] > 0 and metadata["bytes_on_disk"] > 0 and metadata["active_parts"] >= 1
    assert metadata["compression_ratio"] > 0
    assert metadata["compression_ratio"] == pytest.approx(metadata["uncompressed_bytes"] / metadata["compressed_bytes"])
    assert tables["metadata_ingest_v9"]["engine"] == "Null" and tables["metadata_ingest_v9"]["compression_ratio"] is None


# -- --retention-days ------------------------------------------------------------------------------------------------

def metrics_value(census: Census, name: str) -> float:
    text_ = requests.get(f"{census.api}/metrics", timeout=10).text
    values = [float(line.split()[-1]) for line in text_.splitlines() if line.startswith(name) and not line.startswith("#")]
    return sum(values)


def stored_progress(clickhouse, database: str) -> dict:
    rows = clickhouse.query("SELECT name, key, toInt64(maxMerge(last_offset)) FROM metadata WHERE kind = 4 GROUP BY name, key",
                            database=database).split("\n")
    return {(r.split("\t")[0], int(r.split("\t")[1])): int(r.split("\t")[2]) for r in rows if r}


def old_rows(clickhouse, database: str, cutoff: int) -> int:
    return int(clickhouse.query(f"SELECT count() FROM metadata WHERE kind != 4 AND day < toDate('{day_text(cutoff)}')",
                                database=database).strip())


def assert_v1_equals_oracle_from(census: Census, oracle, first_day: int) -> None:
    hist = census.get(f"/api/v1/metrics/{quote(history_data.HISTOGRAM, safe='')}").json()
    assert hist["sample_count"] == oracle.name_count("metric", history_data.HISTOGRAM, first_day)
    user = oracle.key_summary(first_day, name=history_data.HISTOGRAM, key="user.id")
    assert (hist["label_keys"]["user.id"]["count"], hist["label_keys"]["user.id"]["estimated_cardinality"]) == (user["count"], user["cardinality"])
    assert "legacy.flag" not in hist["label_keys"]
    census.get(f"/api/v1/metrics/{history_data.LEGACY_METRIC}", expect=404)
    assert census.get(f"/api/v1/spans/{quote(history_data.SPAN, safe='')}").json()["sample_count"] == oracle.name_count("span", history_data.SPAN, first_day)
    assert census.get("/api/v1/logs/INFO").json()["sample_count"] == oracle.name_count("log", "INFO", first_day)


def test_retention_keeps_the_last_days_and_progress_and_removes_late_old_rows(loaded, clickhouse, tmp_path_factory):
    _, broker, records, oracle = loaded
    # N = 3 keeps today and the two days before it: the data set's last two days (it ends yesterday).
    cutoff = history_data.utc_today() - 3 + 1
    assert cutoff == oracle.days[3]
    workdir = tmp_path_factory.mktemp("v2_retention")
    census = Census(workdir, broker.bootstrap, clickhouse.url, extra_args=["--retention-days", "3", "--retention-interval", "1"])
    reader = OffsetReader(broker.bootstrap, census.group, broker.topics)
    try:
        census.start()
        reader.wait_caught_up(timeout=60, diagnostics=census.log_tail)
        wait_until("old days deleted", lambda: old_rows(clickhouse, census.database, cutoff) == 0, diagnostics=census.log_tail)
        assert metrics_value(census, "census_retention_deletes_total") >= 1
        assert_v1_equals_oracle_from(census, oracle, cutoff)
        kept = clickhouse.query("SELECT DISTINCT toString(day) FROM metadata WHERE kind != 4 ORDER BY day", database=census.database).split()
        assert kept == [day_text(oracle.days[3]), day_text(oracle.days[4])]

        # Progress survives: a restart re-consumes nothing (committed offsets and stored progress unchanged).
        progress, committed = stored_progress(clickhouse, census.database), reader.committed()
        assert {k: v + 1 for k, v in progress.items()} == {k: c for k, c in committed.items() if c > 0}
        census.stop()
        census.start()
        wait_until("a retention pass after the restart", lambda: metrics_value(census, "census_retention_passes_total") >= 1)
        wait_until("/readyz 200 (consumer in its group)",
                   lambda: requests.get(f"{census.api}/readyz", timeout=5).status_code == 200, diagnostics=census.log_tail)
        assert (stored_progress(clickhouse, census.database), reader.committed()) == (progress, committed)

        # A fresh copy of the first day's records (rows of an old day arriving late) is consumed, then deleted again.
        late = [r for r in records if r.day_index == 0]
        history_data.produce(broker.bootstrap, late, broker.partitions)
        reader.wait_caught_up(timeout=60, diagnostics=census.log_tail)
        assert metrics_value(census, "census_ingest_records_total") == len(late)  # nothing before them was read again
        after = stored_progress(clickhouse, census.database)
        assert after != progress and all(after[k] >= v for k, v in progress.items())
        wait_until("late old-day rows deleted by a later pass",
                   lambda: metrics_value(census, "census_retention_deletes_total") >= 1 and old_rows(clickhouse, census.database, cutoff) == 0,
                   diagnostics=census.log_tail)
        assert_v1_equals_oracle_from(census, oracle, cutoff)
        assert stored_progress(clickhouse, census.database) == after
    finally:
        reader.close()
        census.stop()
        clickhouse.drop_database(census.database)
