"""POST /api/v1/admin/clear on the real pipeline: the bearer-token guard, empty answers after a clear (the per-partition
progress rows included), buffered records that never land after it, and a replay from the earliest offset (a new
consumer group into the cleared database) that rebuilds exactly the answers from before.

Cost: two short census runs plus one with a long flush interval, ~40 s."""

from __future__ import annotations

import re
import time

import requests

import otlp_data
from compare import fetch_answers, strip_volatile
from kafka_util import produce

TOKEN = "e2e-admin-token"


def clear(census, headers=None) -> requests.Response:
    return requests.post(census.api + "/api/v1/admin/clear", headers=headers or {}, timeout=60)


def snapshot(census) -> dict:
    """Every list answer, including the cross-signal ones."""
    out = fetch_answers(census)
    g = lambda path, **params: census.get(path, params=params).json()  # noqa: E731
    out["services"] = g("/api/v1/services")
    out["by_service"] = g("/api/v1/logs/by-service", limit=1000)
    out["patterns"] = g("/api/v1/logs/patterns", minCount=1)
    out["high"] = g("/api/v1/cardinality/high", threshold=1, limit=1000)
    out["complexity"] = g("/api/v1/cardinality/complexity", threshold=1, limit=1000)
    return strip_volatile(out)


def assert_empty(census) -> None:
    s = snapshot(census)
    assert all(not s[what] for what in ("metrics", "spans", "logs", "attributes")), {k: len(v) for k, v in s.items()}
    assert s["services"] == {"data": [], "total": 0}
    assert s["by_service"]["total"] == 0 and s["patterns"] == {"patterns": [], "total": 0}
    assert s["high"]["high_cardinality_keys"] == [] and s["complexity"]["signals"] == []


def progress_rows(clickhouse, database: str) -> int:
    return int(clickhouse.query(f"SELECT count() FROM {database}.metadata WHERE kind = 4").strip())


def test_token_guard_clear_and_replay(clickhouse, broker, census_factory):
    a = census_factory(broker, clickhouse, env={"CENSUS_ADMIN_TOKEN": TOKEN})
    produce(broker.bootstrap, otlp_data.records(otlp_data.build_dataset(seed=5, messages=15)))
    census_factory.offsets(broker, a).wait_caught_up(diagnostics=a.log_tail)
    before = snapshot(a)
    assert before["metrics"] and before["services"]["total"] > 0 and before["patterns"]["total"] > 0
    assert progress_rows(clickhouse, a.database) > 0

    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        r = clear(a, headers)
        assert (r.status_code, r.json(), r.headers.get("www-authenticate")) == (401, {"error": "invalid or missing admin token"}, "Bearer"), headers
    assert snapshot(a) == before, "a refused clear changes nothing"

    r = clear(a, {"Authorization": f"Bearer {TOKEN}"})
    assert (r.status_code, r.json()) == (200, {"message": "All data cleared successfully"})
    assert_empty(a)
    assert progress_rows(clickhouse, a.database) == 0, "the per-partition progress rows are cleared too"
    a.stop()

    # A new group reads the topics from the earliest offset into the cleared database: the same answers again.
    b = census_factory(broker, clickhouse, database=a.database, name="replay")
    census_factory.offsets(broker, b).wait_caught_up(diagnostics=b.log_tail)
    assert snapshot(b) == before


def test_buffered_records_never_land_after_a_clear(clickhouse, broker, census_factory):
    # A long flush interval, also for the first window after the join: consumed records wait in the window until the
    # clear discards them.
    c = census_factory(broker, clickhouse, env={"CENSUS_ADMIN_TOKEN": TOKEN}, flush_interval="60",
                       extra_args=["--first-flush-interval", "60"])
    records = otlp_data.records(otlp_data.build_dataset(seed=9, messages=6))
    produce(broker.bootstrap, records)
    offsets = census_factory.offsets(broker, c)
    # Each clear commits what the window held; repeat until every record was consumed before a clear.
    deadline = time.monotonic() + 30
    while True:
        assert clear(c, {"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        if offsets.lag()[0] == 0:
            break
        assert time.monotonic() < deadline, f"records not consumed: {offsets.lag()[1]}\n{c.log_tail()}"
        time.sleep(1)
    assert_empty(c)
    assert c.stop() == 0
    # The graceful stop flushes the window: nothing of what was cleared may land.
    c.start()
    time.sleep(2)
    assert_empty(c)
    discarded = [int(n) for n in re.findall(r"rows\.discarded=(\d+)", c.log_text())]
    assert discarded and max(discarded) > 0, f"no clear discarded a non-empty window: {discarded}"



def test_cached_answers_converge_and_a_clear_shows_at_once(clickhouse, broker, census_factory):
    """census's default API cache (1 s, stale-while-revalidate): answers catch up with the store within two cache
    lifetimes, and a clear is visible on the very next request (the cache is dropped with the data)."""
    cached = census_factory(broker, clickhouse, env={"CENSUS_ADMIN_TOKEN": TOKEN}, api_cache_ttl=None)
    direct = census_factory(broker, clickhouse, command="serve", database=cached.database, name="direct")

    def converges(deadline_s: float = 8.0) -> dict:
        wanted = snapshot(direct)
        deadline = time.monotonic() + deadline_s
        while True:
            got = snapshot(cached)
            if got == wanted:
                return got
            assert time.monotonic() < deadline, f"cached answers did not converge within {deadline_s} s"
            time.sleep(0.2)

    for seed in (6, 7):
        produce(broker.bootstrap, otlp_data.records(otlp_data.build_dataset(seed=seed, messages=8, prefix=f"s{seed}.")))
        census_factory.offsets(broker, cached).wait_caught_up(diagnostics=cached.log_tail)
        assert converges()["metrics"]
    r = clear(cached, {"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200
    assert_empty(cached)
