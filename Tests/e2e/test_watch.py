"""Deep watch (issue 13 item 5) on the real binary, ClickHouse 18.16 and the librdkafka mock broker: the watch routes
(admin token, 409/404/400 answers, clamped paging), values with exact counts and first/last seen from metric points,
span resources and log records, the `watched` field, a restart, overflow past a small `--watch-max-values`, unwatch
(collecting stops, values stay), exactly-once counts under kill -9, a replay filling a newly watched key after a clear,
and `census replay --fill-watched` (exact once, byte-identical other metadata, next to a live census that keeps
ingesting, killed with SIGKILL mid-way and run again).

Cost: about 150 s on a shared 2-core machine (kill -9 ~40 s, fills ~50 s). Every loop is bounded in count and time."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import defaultdict
from urllib.parse import quote

import requests
from confluent_kafka import Producer
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from harness import ROOT, census_bin, clean_env, run_census_cli, wait_until
from kafka_util import TOPICS, Trickle, partition_counts
from otlp_data import set_attrs

TOKEN = "watch-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KEY = "user.id"
FAST_GROUP = ["--kafka-property", "session.timeout.ms=3000", "--kafka-property", "heartbeat.interval.ms=500"]
T0_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


class Data:
    """Records carrying KEY, their Kafka timestamps, and per value the expected count and first/last seen (seconds)."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes, int]] = []
        self.expected: dict[str, list[int]] = {}

    def _see(self, value: str, times: int, ts_ms: int) -> None:
        second = ts_ms // 1000
        e = self.expected.setdefault(value, [0, second, second])
        e[0] += times
        e[1], e[2] = min(e[1], second), max(e[2], second)

    def metric(self, values: list[str], ts_ms: int) -> None:
        """One gauge with a data point per value (KEY on the point, plus a key that is not watched)."""
        req = ExportMetricsServiceRequest()
        rm = req.resource_metrics.add()
        set_attrs(rm.resource.attributes, {"service.name": "watch-svc"})
        m = rm.scope_metrics.add().metrics.add()
        m.name = "watch.requests"
        for i, v in enumerate(values):
            p = m.gauge.data_points.add()
            p.as_int = i
            p.time_unix_nano = ts_ms * 1_000_000
            set_attrs(p.attributes, {KEY: v, "region": f"r{i % 3}"})
            self._see(v, 1, ts_ms)
        self.records.append(("otlp_metrics", req.SerializeToString(), ts_ms))

    def spans(self, resource_value: str, count: int, ts_ms: int) -> None:
        """`count` spans whose resource carries KEY (counted once per span)."""
        req = ExportTraceServiceRequest()
        rs = req.resource_spans.add()
        set_attrs(rs.resource.attributes, {"service.name": "watch-svc", KEY: resource_value})
        ss = rs.scope_spans.add()
        for i in range(count):
            s = ss.spans.add()
            s.name = "GET /watch"
            s.trace_id = bytes([1 + i % 200] * 16)
            s.span_id = bytes([1 + i % 200] * 8)
        self._see(resource_value, count, ts_ms)
        self.records.append(("otlp_spans", req.SerializeToString(), ts_ms))

    def logs(self, values: list[str], ts_ms: int) -> None:
        req = ExportLogsServiceRequest()
        rl = req.resource_logs.add()
        set_attrs(rl.resource.attributes, {"service.name": "watch-svc"})
        sl = rl.scope_logs.add()
        for v in values:
            r = sl.log_records.add()
            r.severity_text = "INFO"
            r.body.string_value = "user logged in"
            set_attrs(r.attributes, {KEY: v})
            self._see(v, 1, ts_ms)
        self.records.append(("otlp_logs", req.SerializeToString(), ts_ms))


def produce_at(brokers: str, records: list[tuple[str, bytes, int]]) -> None:
    """Produces (topic, value, timestamp ms) records, spread over the partitions, and waits for every delivery."""
    counts = partition_counts(brokers, TOPICS)
    p = Producer({"bootstrap.servers": brokers, "linger.ms": 5, "acks": "all"})
    errors: list[str] = []
    for i, (topic, value, ts) in enumerate(records):
        p.produce(topic, value=value, timestamp=ts, partition=i % counts[topic],
                  on_delivery=lambda err, _msg: errors.append(str(err)) if err else None)
        p.poll(0)
    assert p.flush(60) == 0 and not errors, errors[:3]


def watch_url(census, key: str = KEY) -> str:
    return f"{census.api}/api/v1/attributes/{quote(key, safe='')}/watch"


def wait_ready(census) -> None:
    """/readyz: the schema (migration 7, the watch list) exists; until then the API serves but storage reads answer
    503 "storage not ready" (a watch POST right after start would race the migrations)."""
    wait_until("census ready", lambda: requests.get(census.api + "/readyz", timeout=5).status_code == 200, timeout=60,
               diagnostics=census.log_tail)


def values_of(census, key: str = KEY, **params) -> dict:
    r = requests.get(watch_url(census, key), params={"page_size": 10000, **params}, timeout=15)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def as_expected(answer: dict) -> dict[str, list[int]]:
    from datetime import datetime
    def sec(text: str) -> int:
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=__import__("datetime").timezone.utc).timestamp())
    return {v["value"]: [v["count"], sec(v["first_seen"]), sec(v["last_seen"])] for v in answer["values"]}


def wait_values(census, expected: dict[str, list[int]], offsets, what: str) -> dict:
    offsets.wait_caught_up(diagnostics=census.log_tail)
    # Committed offsets come after the INSERT was acknowledged: one read suffices, but the API cache is off anyway.
    answer = values_of(census)
    assert as_expected(answer) == expected, f"{what}: {as_expected(answer)} != {expected}"
    return answer


def test_watch_routes_values_restart_overflow_unwatch(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN},
                            extra_args=["--watch-max-values", "5", "--watch-refresh-interval", "0.5"])
    offsets = census_factory.offsets(broker, census)
    url = watch_url(census)
    wait_ready(census)

    # Not watched yet; writes need the token.
    r = requests.get(url, timeout=10)
    assert (r.status_code, r.json()) == (404, {"error": "attribute not watched"})
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        r = requests.post(url, headers=headers, timeout=10)
        assert (r.status_code, r.json(), r.headers.get("www-authenticate")) == (401, {"error": "invalid or missing admin token"}, "Bearer")
    assert requests.delete(url, timeout=10).status_code == 401
    r = requests.post(url, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    started = r.json()
    assert list(started) == ["key", "overflow", "unique_count", "watching_since"]
    assert (started["key"], started["overflow"], started["unique_count"]) == (KEY, False, 0)
    r = requests.post(url, headers=AUTH, timeout=10)
    assert (r.status_code, r.json()) == (409, {"error": "already watched"})

    # Hostile parameters: unknown sort → 400 JSON, sizes clamped, long keys refused.
    for params in ({"sort_by": "bogus"}, {"sort_direction": "sideways"}, {"q": "x" * 2000}):
        r = requests.get(url, params=params, timeout=10)
        assert r.status_code == 400 and "error" in r.json(), (params, r.text)
    clamped = requests.get(url, params={"page": "-5", "page_size": "99999999999999999999"}, timeout=10).json()
    assert (clamped["page"], clamped["page_size"], clamped["values"]) == (1, 100, [])
    r = requests.post(watch_url(census, "k" * 2000), headers=AUTH, timeout=10)
    assert r.status_code == 400 and "error" in r.json()

    # Values from metric points, span resources and log records, merged; exact counts and first/last seen.
    a = Data()
    a.metric(["u0", "u1", "u1", "u2"], T0_MS + 1_000)
    a.spans("u3", 3, T0_MS + 5_000)
    a.logs(["u0", "u0", "u2"], T0_MS + 9_000)
    a.metric(["u1"], T0_MS + 12_000)
    produce_at(broker.bootstrap, a.records)
    answer = wait_values(census, a.expected, offsets, "first batch")
    assert (answer["active"], answer["overflow"], answer["unique_count"], answer["total_values"]) == (True, False, 4, 4)
    assert answer["total_observations"] == sum(e[0] for e in a.expected.values()) and answer["overflow_observations"] == 0
    assert answer["watching_since"] == started["watching_since"]
    counts = [v["count"] for v in answer["values"]]
    assert counts == sorted(counts, reverse=True), "default order: count, descending"
    assert [v["value"] for v in values_of(census, sort_by="value", sort_direction="asc")["values"]] == ["u0", "u1", "u2", "u3"]
    page = values_of(census, sort_by="value", sort_direction="desc", page=2, page_size=3)
    assert [v["value"] for v in page["values"]] == ["u0"] and (page["page"], page["page_size"]) == (2, 3)
    assert [v["value"] for v in values_of(census, q="u2")["values"]] == ["u2"]
    assert values_of(census, sort_by="first_seen", sort_direction="asc")["values"][0]["value"] == "u0"

    # The `watched` field on attribute items (list and detail).
    items = census.get("/api/v1/attributes", params={"limit": 1000}).json()["data"]
    watched = {item["key"]: item["watched"] for item in items}
    assert watched[KEY] is True and watched["region"] is False and all(list(i)[-1] == "watched" for i in items)
    assert census.get(f"/api/v1/attributes/{KEY}").json()["watched"] is True
    assert census.get("/api/v1/attributes/region").json()["watched"] is False

    # A restart keeps the watch and the values; then the fifth value is kept and further ones overflow.
    assert census.stop() == 0
    census.start()
    b = Data()
    b.metric(["u4", "u4"], T0_MS + 20_000)
    produce_at(broker.bootstrap, b.records)
    expected = {**a.expected, "u4": b.expected["u4"]}
    wait_values(census, expected, offsets, "after the restart")
    c = Data()
    c.metric(["u5", "u6", "u6", "u0"], T0_MS + 30_000)
    produce_at(broker.bootstrap, c.records)
    expected["u0"] = [expected["u0"][0] + 1, expected["u0"][1], T0_MS // 1000 + 30]
    answer = wait_values(census, expected, offsets, "past the limit")
    assert (answer["unique_count"], answer["overflow"], answer["overflow_observations"]) == (5, True, 3)
    assert answer["total_observations"] == sum(e[0] for e in expected.values()) + 3

    # Unwatch: 204, the values stay readable, nothing more is collected; 404 for a key never watched.
    assert requests.delete(watch_url(census, "never.watched"), headers=AUTH, timeout=10).status_code == 404
    r = requests.delete(url, headers=AUTH, timeout=10)
    assert (r.status_code, r.content) == (204, b"")
    d = Data()
    d.metric(["u0", "u7"], T0_MS + 40_000)
    produce_at(broker.bootstrap, d.records)
    answer = wait_values(census, expected, offsets, "after unwatch")
    assert answer["active"] is False and answer["overflow_observations"] == 3
    assert census.get(f"/api/v1/attributes/{KEY}").json()["watched"] is False
    # Watching again resumes with the same start time.
    r = requests.post(url, headers=AUTH, timeout=10)
    assert r.status_code == 200 and r.json()["watching_since"] == started["watching_since"]


def test_watched_counts_are_exact_under_kill_9(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN},
                            extra_args=FAST_GROUP + ["--watch-refresh-interval", "0.5"])
    offsets = census_factory.offsets(broker, census)
    wait_ready(census)
    assert requests.post(watch_url(census), headers=AUTH, timeout=10).status_code == 200
    data = Data()
    rng = mixed_data(data, seed=13, records=180, prefix="v", values=40, max_points=5)
    producer = Trickle(broker.bootstrap, data.records, chunk=12, pause=0.5, send=produce_at)
    producer.start()
    kills = 0
    while kills < 8:
        time.sleep(rng.uniform(0.5, 2.5))
        assert census.alive(), census.log_tail()
        census.stop(signal.SIGKILL, timeout=10)
        kills += 1
        census.start(wait_healthy=False)
    producer.finish(timeout=120)
    census.wait_healthy()
    wait_values(census, data.expected, offsets, f"after {kills} kill -9")
    log = census.log_text()
    print(f"{kills} kill -9; restarts that skipped records already in the store: "
          f"{log.count('starting after records already in the store')}")


def test_two_instances_share_the_watch_list_and_count_exactly(clickhouse, broker, census_factory):
    # Same database and group: the partitions are split between them. B keeps census's default answer cache, so its
    # `watched` fields change only because B reloaded the list and dropped its rendered answers.
    a = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN}, name="a",
                       extra_args=["--watch-refresh-interval", "0.5"])
    b = census_factory(broker, clickhouse, flush_interval="0.2", database=a.database, group=a.group, name="b", api_cache_ttl=None,
                       extra_args=["--watch-refresh-interval", "0.5"])
    offsets = census_factory.offsets(broker, a)
    first = Data()
    first.metric(["x0"], T0_MS)
    produce_at(broker.bootstrap, first.records)
    offsets.wait_caught_up(diagnostics=a.log_tail)

    def watched_on_b() -> bool:
        return requests.get(f"{b.api}/api/v1/attributes/{KEY}", timeout=10).json()["watched"]

    assert watched_on_b() is False
    wait_ready(a)
    assert requests.post(watch_url(a), headers=AUTH, timeout=10).status_code == 200
    wait_until("B sees the watch", watched_on_b, timeout=30, diagnostics=b.log_tail)
    data = Data()
    for i in range(40):
        data.metric([f"y{i % 7}", f"y{(i * 3) % 7}"], T0_MS + 1_000 * i)
    produce_at(broker.bootstrap, data.records)
    wait_values(a, data.expected, offsets, "two instances")
    assert as_expected(values_of(b)) == data.expected
    assert requests.delete(watch_url(a), headers=AUTH, timeout=10).status_code == 204
    wait_until("B sees the unwatch", lambda: not watched_on_b(), timeout=30, diagnostics=b.log_tail)


def test_replay_fills_a_newly_watched_key(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN})
    offsets = census_factory.offsets(broker, census)
    data = Data()
    data.metric(["h1", "h2", "h2"], T0_MS + 1_000)
    data.logs(["h2", "h3"], T0_MS + 2_000)
    data.spans("h1", 4, T0_MS + 3_000)
    produce_at(broker.bootstrap, data.records)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    # Watched after the records were applied: nothing collected yet.
    wait_ready(census)
    assert requests.post(watch_url(census), headers=AUTH, timeout=10).status_code == 200
    assert values_of(census)["unique_count"] == 0
    # A replay over applied ranges skips them (exactly once); after a clear it applies them again, watched values included.
    r = requests.post(census.api + "/api/v1/admin/clear", headers=AUTH, timeout=60)
    assert r.status_code == 200, r.text
    out = run_census_cli(["replay", "--kafka-brokers", census.brokers, "--clickhouse-url", census.clickhouse_url, "--database", census.database,
                          "--group", census.group, "--topics", ",".join(TOPICS), "--flush-interval", "0.2", "--from", "earliest"], timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected
    # A second replay skips everything: counts unchanged.
    out = run_census_cli(["replay", "--kafka-brokers", census.brokers, "--clickhouse-url", census.clickhouse_url, "--database", census.database,
                          "--group", census.group, "--topics", ",".join(TOPICS), "--flush-interval", "0.2", "--from", "earliest"], timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected


# --- census replay --fill-watched ------------------------------------------------------------------------------------

def fill_args(census, *extra: str) -> list[str]:
    return ["replay", "--kafka-brokers", census.brokers, "--clickhouse-url", census.clickhouse_url, "--database", census.database,
            "--group", census.group, "--topics", ",".join(TOPICS), "--flush-interval", "0.2", "--from", "earliest", *extra]


def run_fill(census, *extra: str, env: dict | None = None, flag: bool = True, attempts: int = 20) -> subprocess.CompletedProcess:
    """Runs a fill to its end. A fill killed just before holds the replay lock until its lease lapses (a few seconds with
    FAST_GROUP): while the fill answers `another census replay`, it is run again (bounded)."""
    out = None
    for _ in range(attempts):
        out = run_census_cli(fill_args(census, *(["--fill-watched"] if flag else []), *extra), timeout=180, env=env)
        if out.returncode == 0 or "another census replay" not in out.stderr:
            return out
        time.sleep(1.0)
    return out


def mixed_data(data: Data, seed: int, records: int, start_s: int = 0, prefix: str = "f", values: int = 30, max_points: int = 4) -> random.Random:
    """`records` records, one a second from T0 + `start_s`, cycling metric / spans / logs, whose watched key takes values
    `prefix`0 … `prefix`(`values` - 1) drawn from `seed` (1 to `max_points` points per metric record). Returns the
    generator, for a test that draws more from the same sequence."""
    rng = random.Random(seed)
    for i in range(records):
        ts = T0_MS + (start_s + i) * 1_000
        kind = i % 3
        if kind == 0:
            data.metric([f"{prefix}{rng.randrange(values)}" for _ in range(rng.randrange(1, max_points + 1))], ts)
        elif kind == 1:
            data.spans(f"{prefix}{rng.randrange(values)}", rng.randrange(1, 4), ts)
        else:
            data.logs([f"{prefix}{rng.randrange(values)}" for _ in range(rng.randrange(1, 4))], ts)
    return rng


def other_metadata(census) -> dict[str, bytes]:
    """Answers that a fill must leave byte for byte as they are."""
    paths = ["/api/v1/metrics", "/api/v1/spans", "/api/v1/logs", "/api/v1/attributes?limit=1000", f"/api/v1/attributes/{KEY}", "/api/v1/services"]
    answers = {}
    for path in paths:
        r = requests.get(census.api + path, timeout=15)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        answers[path] = r.content
    return answers


def kind_rows(clickhouse, census, kind: int) -> int:
    return int(clickhouse.query(f"SELECT count() FROM metadata WHERE kind = {kind} AND name = '{KEY}'", database=census.database).strip() or 0)


def test_fill_watched_adds_exactly_the_missing_values(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN})
    offsets = census_factory.offsets(broker, census)
    data = Data()
    mixed_data(data, seed=51, records=60)
    # Poison among them (garbage, a truncated message, a 0.9 MB blob (under the broker's 1 MB record limit)): quarantined once by the live census, and a fill
    # over the same offsets neither stops at them nor quarantines them again.
    poison = [("otlp_metrics", b"\xff\xfe not protobuf \x00", T0_MS + 70_000), ("otlp_logs", b"\x0a\xff\xff\xff", T0_MS + 71_000),
              ("otlp_spans", bytes(range(256)) * 3500, T0_MS + 72_000)]
    produce_at(broker.bootstrap, data.records + poison)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    quarantined = requests.get(census.api + "/api/v1/quarantine", timeout=15).json()["total"]
    assert quarantined == len(poison), quarantined

    # Nothing watched: a clear message and exit code 3, nothing written.
    out = run_fill(census)
    assert out.returncode == 3 and "no key is deep-watched" in out.stderr, (out.returncode, out.stderr[-2000:])
    # Bad input: a malformed CENSUS_FILL_WATCHED is a configuration error (exit 2), not a crash.
    out = run_fill(census, flag=False, env={"CENSUS_FILL_WATCHED": "perhaps"})
    assert out.returncode == 2 and "CENSUS_FILL_WATCHED must be true or false" in out.stderr, (out.returncode, out.stderr[-2000:])
    # Hostile values: 120 kB (near the kernel's limit for one variable) and terminal escapes give one short line, exit 2.
    for hostile in ("x" * 120_000, "yes\n\x1b[31mred\x07"):
        out = run_fill(census, flag=False, env={"CENSUS_FILL_WATCHED": hostile})
        assert out.returncode == 2 and len(out.stderr) < 1_000 and out.stderr.count("\n") == 1 and "\x1b" not in out.stderr, \
            (out.returncode, out.stderr[:300])

    # Watched after the records were applied: nothing collected; the fill adds exactly the oracle's values.
    wait_ready(census)
    assert requests.post(watch_url(census), headers=AUTH, timeout=10).status_code == 200
    assert values_of(census)["unique_count"] == 0
    before = other_metadata(census)
    out = run_fill(census)
    assert out.returncode == 0, out.stderr[-3000:]
    answer = values_of(census)
    assert as_expected(answer) == data.expected
    assert answer["total_observations"] == sum(e[0] for e in data.expected.values()) and answer["overflow_observations"] == 0
    assert other_metadata(census) == before, "a fill changed other metadata"
    assert requests.get(census.api + "/api/v1/quarantine", timeout=15).json()["total"] == quarantined, "a fill quarantined again"
    # A second fill (through the environment variable) finds everything covered: nothing changes.
    rows = kind_rows(clickhouse, census, 6)
    out = run_fill(census, flag=False, env={"CENSUS_FILL_WATCHED": "true"})
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected and kind_rows(clickhouse, census, 6) == rows
    assert other_metadata(census) == before
    # A plain replay over the same range still skips everything.
    out = run_census_cli(fill_args(census), timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected and other_metadata(census) == before
    # New records after the fill are collected live, once.
    more = Data()
    more.metric(["f1", "zz"], T0_MS + 500_000)
    produce_at(broker.bootstrap, more.records)
    expected = {k: list(v) for k, v in data.expected.items()}
    for value, (count, first, last) in more.expected.items():
        e = expected.setdefault(value, [0, first, last])
        e[0] += count
        e[1], e[2] = min(e[1], first), max(e[2], last)
    wait_values(census, expected, offsets, "live after the fill")


def test_fill_watched_while_live_census_ingests(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN},
                            extra_args=["--flush-rows", "60"])
    offsets = census_factory.offsets(broker, census)
    data = Data()
    mixed_data(data, seed=52, records=90)
    old = len(data.records)
    produce_at(broker.bootstrap, data.records)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    wait_ready(census)
    assert requests.post(watch_url(census), headers=AUTH, timeout=10).status_code == 200
    # The live census collects the key from its next window on: one record it shows proves it (later windows follow).
    data.metric(["live-marker"], T0_MS + 200_000)
    produce_at(broker.bootstrap, data.records[old:])
    wait_until("the live census collects the watched key", lambda: "live-marker" in as_expected(values_of(census)), timeout=60,
               diagnostics=census.log_tail)
    marked = len(data.records)
    mixed_data(data, seed=53, records=90, start_s=300)
    producer = Trickle(broker.bootstrap, data.records[marked:], chunk=10, pause=0.3, send=produce_at)
    producer.start()
    # Small windows on one lane: the fill takes a while and overlaps the new records the live census applies.
    out = run_fill(census, "--flush-rows", "20", "--analyzer-threads", "1")
    producer.finish(timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    wait_values(census, data.expected, offsets, "values collected live + filled")
    out = run_fill(census)
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected


def test_fill_watched_killed_midway_then_run_again(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN})
    offsets = census_factory.offsets(broker, census)
    data = Data()
    mixed_data(data, seed=54, records=240)
    produce_at(broker.bootstrap, data.records)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    wait_ready(census)
    assert requests.post(watch_url(census), headers=AUTH, timeout=10).status_code == 200
    assert kind_rows(clickhouse, census, 6) == 0
    # One record per INSERT or so: the first filled values are visible long before the fill ends; kill it then.
    argv = [str(census_bin()), *fill_args(census, "--fill-watched", "--flush-rows", "10", "--analyzer-threads", "1", *FAST_GROUP)]
    fill = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=clean_env(), cwd=str(ROOT))
    try:
        wait_until("the fill's first INSERT", lambda: kind_rows(clickhouse, census, 6) > 0 or fill.poll() is not None, timeout=120, interval=0.02)
        assert fill.poll() is None, f"the fill ended before it could be killed: {fill.stderr.read()[-2000:]}"
        fill.send_signal(signal.SIGKILL)
        fill.wait(10)
    finally:
        if fill.poll() is None:
            fill.kill()
            fill.wait(10)
        fill.stderr.close()
    partial = values_of(census)
    total = sum(e[0] for e in data.expected.values())
    assert 0 < partial["total_observations"] < total, (partial["total_observations"], total)
    out = run_fill(census, *FAST_GROUP)
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected
    assert values_of(census)["total_observations"] == total


def test_fill_watched_during_a_clickhouse_outage(private_clickhouse, broker, census_factory):
    """ClickHouse frozen (SIGSTOP) when a fill starts: like every replay, the fill cannot learn what the store holds, so it
    stops with a clear error after its bounded wait, writing nothing (no half fill, no double count); run again once
    ClickHouse is back, it fills exactly. (The live path's long outage is test_hostile_pipeline's 6-minute soak test.)"""
    ch = private_clickhouse
    census = census_factory(broker, ch, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": TOKEN})
    offsets = census_factory.offsets(broker, census)
    data = Data()
    mixed_data(data, seed=57, records=120)
    produce_at(broker.bootstrap, data.records)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    wait_ready(census)
    assert requests.post(watch_url(census), headers=AUTH, timeout=10).status_code == 200
    log = census_factory.workdir / "fill-outage.log"
    with open(log, "w") as out:
        fill = subprocess.Popen([str(census_bin()), *fill_args(census, "--fill-watched")], stdout=out, stderr=subprocess.STDOUT,
                                env=clean_env(), cwd=str(ROOT))
    try:
        # Frozen once the fill knows its keys, before it read what the store holds or wrote anything.
        wait_until("the fill to start", lambda: "filling deep-watched keys" in log.read_text() or fill.poll() is not None, timeout=60)
        ch.pause()
        try:
            fill.wait(timeout=180)
        finally:
            ch.resume()
    finally:
        if fill.poll() is None:
            fill.kill()
    text = log.read_text()
    assert fill.returncode != 0 and "cannot read the stored progress from ClickHouse; nothing was replayed" in text, text[-3000:]
    assert kind_rows(ch, census, 6) == 0 and values_of(census)["unique_count"] == 0
    out = run_fill(census)
    assert out.returncode == 0, out.stderr[-3000:]
    assert as_expected(values_of(census)) == data.expected
