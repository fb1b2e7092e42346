"""`GET /api/v2/history`, `GET /api/v2/changes` and `census changes` on the multi-day data set (history_data): five UTC
days produced with Kafka timestamps, checked against the Python oracle day by day. The 20x cardinality jump of
`user.id` on the third day is critical and started that day; the vanished key and metric, the new metric, service and
log template are reported; `census changes` exits 3 on a window with that jump and 0 on one without; replaying one
day's offsets changes no answer.

Cost: one broker, one census and ~35 records for the whole module (~15 s), plus four short CLI runs and one replay."""

from __future__ import annotations

import json

import pytest
import requests

import history_data as hd
from harness import Census, DevBroker, run_census_cli

SIGNAL_IDS = {"metric": 1, "span": 2, "log": 3}


class World:
    def __init__(self, clickhouse, broker: DevBroker, census: Census, oracle: hd.Oracle, produced: list, records: list):
        self.clickhouse, self.broker, self.census, self.oracle = clickhouse, broker, census, oracle
        self.produced, self.records = produced, records
        self.days = oracle.days

    def get(self, path: str, params: dict, expect: int = 200) -> dict:
        r = requests.get(f"{self.census.api}/api/v2/{path}", params=params, timeout=15)
        assert r.status_code == expect, f"GET {r.url} -> {r.status_code} (expected {expect}): {r.text[:500]}"
        assert r.headers["content-type"] == "application/json"
        return r.json()

    def cli(self, *args: str):
        return run_census_cli(["changes", "--clickhouse-url", self.clickhouse.url, "--database", self.census.database, *args])


@pytest.fixture(scope="module")
def world(clickhouse):
    """One broker and one census for the module, holding the five days."""
    with hd.loaded(clickhouse, "test_v2_history") as five:
        yield World(clickhouse, five.broker, five.census, five.oracle, five.produced, five.records)


def day(d: int) -> str:
    return hd.day_text(d)


# -- /history --------------------------------------------------------------------------------------------------


def expected_name_points(o: hd.Oracle, signal: str, name: str, start=None, end=None, service=None) -> list:
    points = []
    for d in o.days:
        if not o.in_range(d, start, end):
            continue
        per_service = {svc: n for (s, nm, svc, dd), n in o.names.items()
                       if s == signal and nm == name and dd == d and (service is None or svc == service)}
        if per_service:
            # Metrics: the distinct series that day (resource + point attributes); spans and logs have no sketch.
            series = o.series_count(name, d, d, service) if signal == "metric" else None
            points.append({"day": day(d), "count": sum(per_service.values()), "estimated_cardinality": series,
                           "services": sorted(per_service)})
    return points


def expected_key_points(o: hd.Oracle, signal: str, name: str, key: str, scope=None, start=None, end=None) -> list:
    points = []
    for d in o.days:
        if not o.in_range(d, start, end):
            continue
        match = {"signal": signal, "name": name, "key": key, **({"scope": hd.SCOPES[scope]} if scope else {})}
        rows = list(o.key_rows(d, d, **match))
        if rows:
            summary = o.key_summary(d, d, **match)
            points.append({"day": day(d), "count": summary["count"], "estimated_cardinality": summary["cardinality"],
                           "services": sorted({ident[2] for ident, _ in rows})})
    return points


def test_history_of_names_equals_the_oracle_per_day(world):
    o, days = world.oracle, world.days
    for signal, name in [("metric", hd.HISTOGRAM), ("metric", hd.LEGACY_METRIC), ("metric", hd.NEW_METRIC), ("span", hd.SPAN),
                         ("log", "INFO")]:
        got = world.get("history", {"signal": signal, "name": name})
        assert got["step"] == "day" and got["signal"] == signal and got["name"] == name
        assert got["points"] == expected_name_points(o, signal, name), (signal, name)
    # A range answers for exactly that range; a name without data in it is 404.
    got = world.get("history", {"signal": "metric", "name": hd.HISTOGRAM, "from": day(days[1]), "to": f"{day(days[3])}T23:59:59Z"})
    assert got["from"] == day(days[1]) and got["to"] == day(days[3])
    assert got["points"] == expected_name_points(o, "metric", hd.HISTOGRAM, days[1], days[3])
    assert len(got["points"]) == 3
    missing = world.get("history", {"signal": "metric", "name": hd.LEGACY_METRIC, "from": day(days[2])}, expect=404)
    assert "error" in missing
    assert world.get("history", {"signal": "metric", "name": hd.NEW_METRIC, "service": "checkout"}, expect=404)["error"]
    got = world.get("history", {"signal": "metric", "name": hd.NEW_METRIC, "service": "payments"})
    assert got["points"] == expected_name_points(o, "metric", hd.NEW_METRIC, service="payments")


def test_history_of_keys_equals_the_oracle_per_day(world):
    o, days = world.oracle, world.days
    got = world.get("history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id"})
    assert got["points"] == expected_key_points(o, "metric", hd.HISTOGRAM, "user.id")
    assert [p["estimated_cardinality"] for p in got["points"]] == [10, 10, 200, 200, 200]
    for signal, name, key, scope in [("metric", hd.HISTOGRAM, "legacy.flag", None), ("metric", hd.HISTOGRAM, "http.request.method", "attribute"),
                                     ("metric", hd.HISTOGRAM, "service.name", "resource"), ("span", hd.SPAN, "cart.items", None),
                                     ("log", "INFO", "log.source", "attribute"), ("metric", hd.NEW_METRIC, "cloud.region", None)]:
        params = {"signal": signal, "name": name, "key": key, **({"scope": scope} if scope else {})}
        assert world.get("history", params)["points"] == expected_key_points(o, signal, name, key, scope), params
    # The vanished key has no data from the third day on; a key in another scope is another series.
    world.get("history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "legacy.flag", "from": day(days[2])}, expect=404)
    world.get("history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id", "scope": "resource"}, expect=404)
    got = world.get("history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id", "from": day(days[2]), "to": day(days[2])})
    assert got["points"] == expected_key_points(o, "metric", hd.HISTOGRAM, "user.id", start=days[2], end=days[2])


@pytest.mark.parametrize("params, message", [
    ({"name": hd.HISTOGRAM}, "signal"),
    ({"signal": "metrics", "name": hd.HISTOGRAM}, "signal"),
    ({"signal": "metric"}, "name"),
    ({"signal": "metric", "name": hd.HISTOGRAM, "step": "hour"}, "step"),
    ({"signal": "metric", "name": hd.HISTOGRAM, "scope": "attribute"}, "scope"),
    ({"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id", "scope": "span"}, "scope"),
    ({"signal": "metric", "name": hd.HISTOGRAM, "from": "2026-13-01"}, "from"),
    ({"signal": "metric", "name": hd.HISTOGRAM, "from": "2026-12-02", "to": "2026-12-01"}, "from"),
])
def test_history_rejects_bad_parameters(world, params, message):
    assert message in world.get("history", params, expect=400)["error"]


# -- /changes --------------------------------------------------------------------------------------------------


def find(changes: list, **match) -> list:
    return [c for c in changes if all(c.get(k) == v for k, v in match.items())]


def all_changes(world, params: dict) -> dict:
    """Every page of /changes (limit 2), checked for consistent envelopes."""
    pages, offset, answer = [], 0, None
    for _ in range(100):
        answer = world.get("changes", {**params, "limit": 2, "offset": offset})
        pages += answer["changes"]
        assert answer["limit"] == 2 and answer["offset"] == offset
        offset += 2
        assert answer["has_more"] == (offset < answer["total"])
        if not answer["has_more"]:
            break
    assert len(pages) == answer["total"]
    answer["changes"] = pages
    return answer


def test_changes_report_the_jump_the_vanished_and_the_new(world):
    o, days = world.oracle, world.days
    answer = all_changes(world, {"since": day(days[2]), "until": day(days[4])})
    assert answer["since"] == day(days[2]) and answer["until"] == day(days[4])
    assert answer["baseline"] == {"from": day(days[0] - 1), "to": day(days[1])}
    changes = answer["changes"]

    # The 20x key: baseline = the largest daily cardinality before, window = the largest in the window (oracle).
    daily = {d: o.key_summary(d, d, name=hd.HISTOGRAM, key="user.id")["cardinality"] for d in days}
    [jump] = find(changes, item="key", name=hd.HISTOGRAM, key="user.id")
    assert jump == {"kind": "growth", "item": "key", "signal": "metric", "name": hd.HISTOGRAM, "scope": "attribute", "key": "user.id",
                    "severity": "critical", "from": max(daily[d] for d in days[:2]), "to": max(daily[d] for d in days[2:]),
                    "ratio": 20, "delta": 190, "started": day(days[hd.JUMP_DAY])}
    assert find(changes, severity="critical") == [jump] and changes[0] == jump
    assert answer["summary"]["critical"] == 1

    [legacy_key] = find(changes, item="key", name=hd.HISTOGRAM, key="legacy.flag")
    assert legacy_key["kind"] == "vanished" and legacy_key["severity"] == "info" and legacy_key["to"] == 0
    assert legacy_key["from"] == 2 and legacy_key["started"] == day(days[2])
    [legacy_metric] = find(changes, item="metric", name=hd.LEGACY_METRIC)
    assert legacy_metric["kind"] == "vanished" and legacy_metric["from"] == o.name_count("metric", hd.LEGACY_METRIC)
    assert {c["key"] for c in find(changes, item="key", name=hd.LEGACY_METRIC)} == {"job", *hd.CHECKOUT}
    [new_metric] = find(changes, item="metric", name=hd.NEW_METRIC)
    assert new_metric["kind"] == "new" and new_metric["to"] == o.name_count("metric", hd.NEW_METRIC)
    assert new_metric["started"] == day(days[4]) and new_metric["ratio"] is None
    [new_service] = find(changes, item="service", service="payments")
    assert new_service["kind"] == "new" and new_service["signal"] == "metric" and "name" not in new_service
    [template] = find(changes, item="log_template")
    assert template["kind"] == "new" and template["name"] == "INFO" and template["template"] == hd.NEW_TEMPLATE
    assert template["to"] == sum(n for (_, _, t, _), n in o.templates.items() if t == hd.NEW_TEMPLATE)
    new_keys = {(c["scope"], c["key"]) for c in find(changes, item="key", kind="new")}
    assert new_keys == {("resource", k) for k in hd.PAYMENTS} | {("attribute", "queue")}
    # log.source gains "billing" with the new template on the last day: 1 -> 2, a warning.
    [source] = find(changes, item="key", name="INFO", key="log.source")
    assert source["kind"] == "growth" and source["severity"] == "warning" and (source["from"], source["to"]) == (1, 2)
    assert source["started"] == day(days[4])
    # Nothing else: the steady keys, names, templates and services are no finding.
    assert len(changes) == 1 + 1 + 1 + len(hd.CHECKOUT) + 1 + 1 + 1 + 1 + len(new_keys) + 1
    assert sum(answer["summary"].values()) == len(changes)

    # Filters: minimum severity, signal, service; both orders.
    critical = world.get("changes", {"since": day(days[2]), "until": day(days[4]), "min_severity": "critical"})
    assert critical["changes"] == [jump] and critical["total"] == 1 and critical["summary"] == answer["summary"]
    spans = world.get("changes", {"since": day(days[2]), "until": day(days[4]), "signal": "span"})
    assert spans["changes"] == [] and spans["total"] == 0
    logs = world.get("changes", {"since": day(days[2]), "signal": "log"})
    assert [c["item"] for c in logs["changes"]] == ["key", "log_template"]
    payments = world.get("changes", {"since": day(days[2]), "service": "payments"})
    assert all(c["kind"] == "new" for c in payments["changes"]) and find(payments["changes"], item="metric", name=hd.NEW_METRIC)
    by_delta = world.get("changes", {"since": day(days[2]), "until": day(days[4]), "sort": "delta", "limit": 1000})
    assert sorted(map(json.dumps, by_delta["changes"])) == sorted(map(json.dumps, changes))
    info = [c for c in by_delta["changes"] if c["severity"] == "info"]
    assert [abs(c["delta"]) for c in info] == sorted((abs(c["delta"]) for c in info), reverse=True)


def test_changes_of_a_steady_window_and_a_custom_baseline(world):
    days = world.days
    # Window = the last day, baseline = the day before (200 vs 200): no growth, only the last day's arrivals.
    last = world.get("changes", {"since": day(days[4])})
    assert last["until"] == day(days[4]) and last["baseline"] == {"from": day(days[3]), "to": day(days[3])}
    assert last["summary"]["critical"] == 0 and [c["key"] for c in find(last["changes"], kind="growth")] == ["log.source"]
    assert not find(last["changes"], kind="vanished")
    # A baseline of four days against the last one: its daily maximum includes the jump days (200), so user.id did not
    # grow; the legacy items vanished after the baseline's second day.
    custom = world.get("changes", {"since": day(days[4]), "baseline_from": day(days[0])})
    assert custom["baseline"] == {"from": day(days[0]), "to": day(days[3])}
    assert [c["key"] for c in find(custom["changes"], severity="warning")] == ["log.source"]
    assert not find(custom["changes"], key="user.id")
    assert find(custom["changes"], item="metric", name=hd.LEGACY_METRIC)[0]["started"] == day(days[2])
    narrow = world.get("changes", {"since": day(days[2]), "until": day(days[2]), "min_severity": "critical"})
    assert narrow["baseline"] == {"from": day(days[1]), "to": day(days[1])}
    assert [c["key"] for c in narrow["changes"]] == ["user.id"] and narrow["changes"][0]["started"] == day(days[2])


@pytest.mark.parametrize("params, message", [
    ({}, "since"),
    ({"since": "yesterday"}, "since"),
    ({"since": "2026-12-02", "until": "2026-12-01"}, "since"),
    ({"since": "2026-12-02", "baseline_from": "2026-12-02"}, "baseline_from"),
    ({"since": "2026-12-02", "min_severity": "high"}, "min_severity"),
    ({"since": "2026-12-02", "sort": "size"}, "sort"),
    ({"since": "2026-12-02", "signal": "trace"}, "signal"),
])
def test_changes_rejects_bad_parameters(world, params, message):
    assert message in world.get("changes", params, expect=400)["error"]


# -- census changes ----------------------------------------------------------------------------------------------


def test_census_changes_exits_3_on_a_critical_finding_and_0_otherwise(world):
    days = world.days
    out = world.cli("--since", day(days[2]), "--until", day(days[4]))
    assert out.returncode == 3, out.stderr[-2000:]
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    api = world.get("changes", {"since": day(days[2]), "until": day(days[4]), "limit": 1000})
    assert lines == api["changes"]
    assert lines[0]["severity"] == "critical" and lines[0]["key"] == "user.id"

    quiet = world.cli("--since", day(days[3]), "--format", "table")
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "0 critical" in quiet.stdout and hd.NEW_METRIC in quiet.stdout and "SEVERITY" in quiet.stdout

    only_critical = world.cli("--since", day(days[2]), "--min-severity", "critical", "--signal", "metric")
    assert only_critical.returncode == 3 and len(only_critical.stdout.splitlines()) == 1

    bad = world.cli("--since", day(days[2]), "--min-severity", "high")
    assert bad.returncode == 2 and "--min-severity" in bad.stderr


# -- replay ----------------------------------------------------------------------------------------------------


def answers(world) -> dict:
    days = world.days
    queries = [("history", {"signal": "metric", "name": hd.HISTOGRAM}),
               ("history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id"}),
               ("history", {"signal": "span", "name": hd.SPAN, "key": "cart.items"}),
               ("history", {"signal": "log", "name": "INFO"}),
               ("changes", {"since": day(days[2]), "limit": 1000}),
               ("changes", {"since": day(days[3]), "limit": 1000}),
               ("changes", {"since": day(days[2]), "until": day(days[2]), "limit": 1000})]
    return {f"{path} {json.dumps(params, sort_keys=True)}": world.get(path, params) for path, params in queries}


def test_replaying_a_day_changes_no_answer(world):
    before = answers(world)
    jump_day = [(topic, partition, offset) for (topic, partition, offset), rec in zip(world.produced, world.records)
                if rec.day_index == hd.JUMP_DAY]
    for topic in sorted({t for t, _, _ in jump_day}):
        offsets = [(p, o) for t, p, o in jump_day if t == topic]
        start = ",".join(f"{p}:{min(o for q, o in offsets if q == p)}" for p in sorted({p for p, _ in offsets}))
        end = ",".join(f"{p}:{max(o for q, o in offsets if q == p) + 1}" for p in sorted({p for p, _ in offsets}))
        out = run_census_cli(["replay", "--kafka-brokers", world.broker.bootstrap, "--clickhouse-url", world.clickhouse.url,
                              "--database", world.census.database, "--group", world.census.group, "--topics", topic,
                              "--from", start, "--until", end], timeout=120)
        assert out.returncode == 0, f"replay {topic} {start} {end}: {out.stderr[-2000:]}"
        done = json.loads(out.stdout.splitlines()[-1])
        assert done["event"] == "done" and done["skipped_already_applied"] == len(offsets), done
    assert answers(world) == before
