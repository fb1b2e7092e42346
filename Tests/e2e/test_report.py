"""`census report` on the multi-day data set (history_data): the reference's CI report (JSON and text) over a stored
range and over a topic range read by a consumer of its own, compared as exact JSON with the Python oracle; exit codes
0 (below --warn), 1 (something at --warn), 2 (something at --critical); the topic mode leaves no database behind
unless --store, commits nothing, and reports what the stored range reports.

Cost: one broker, one census and ~35 records for the module (~15 s), plus about ten short CLI runs."""

from __future__ import annotations

import json
from typing import Optional

import pytest
import requests

import history_data as hd
from harness import Census, DevBroker, run_census_cli

TYPES = {"histogram": "Histogram", "sum": "Sum", "gauge": "Gauge"}


class World:
    def __init__(self, clickhouse, broker: DevBroker, census: Census, oracle: hd.Oracle):
        self.clickhouse, self.broker, self.census, self.oracle, self.days = clickhouse, broker, census, oracle, oracle.days

    def report(self, *args: str, database: Optional[str] = None, env: Optional[dict] = None):
        return run_census_cli(["report", "--clickhouse-url", self.clickhouse.url, "--database", database or self.census.database, *args],
                              timeout=120, env=env)

    def topic_report(self, *args: str, database: str):
        return self.report("--source", "topic", "--kafka-brokers", self.broker.bootstrap, *args, database=database)

    def databases(self) -> set[str]:
        r = requests.post(self.clickhouse.url, data="SELECT name FROM system.databases", timeout=10)
        r.raise_for_status()
        return set(r.text.split())


@pytest.fixture(scope="module")
def world(clickhouse):
    with hd.loaded(clickhouse, "test_report") as five:
        yield World(clickhouse, five.broker, five.census, five.oracle)


def expected_report(o: hd.Oracle, start=None, end=None, warn=1000, critical=10000) -> dict:
    def level(c):
        return "critical" if c >= critical else "warning" if c >= warn else "ok"

    items: dict = {}
    for (signal, name, _svc, d), n in o.names.items():
        if o.in_range(d, start, end):
            items.setdefault((signal, name), 0)
            items[(signal, name)] += n
    out = {"metrics": [], "spans": [], "logs": []}
    attributes: dict = {}
    for (signal, name), count in items.items():
        labels = {}
        for (_s, _n, _svc, scope, _sub, key, _d), _acc in o.key_rows(start, end, signal=signal, name=name):
            if scope not in (1, 2):
                continue
            card = o.key_summary(start, end, signal=signal, name=name, scope=scope, key=key)["cardinality"]
            if scope == 2:
                labels[key] = card
            sigs, best = attributes.get(key, (set(), 0))
            attributes[key] = (sigs | {signal}, max(best, card))
        card = o.series_count(name, start, end) if signal == "metric" else max(labels.values(), default=0)
        if signal == "metric":
            entry = {"name": name, "type": TYPES[o.metric_types[name][0]], "label_keys": sorted(labels), "sample_count": count}
        elif signal == "span":
            entry = {"name": name, "attribute_keys": sorted(labels), "span_count": count}
        else:
            entry = {"severity_text": name, "attribute_keys": sorted(labels), "log_count": count}
        entry.update(estimated_cardinality=card, severity=level(card))
        out[signal + "s"].append(entry)
    for section in out.values():
        section.sort(key=lambda e: (-e["estimated_cardinality"], e.get("name", e.get("severity_text"))))
    order = ["metric", "span", "log"]
    attrs = sorted(({"key": k, "signal_types": sorted(s, key=order.index), "estimated_unique_values": c, "severity": level(c)}
                    for k, (s, c) in attributes.items()), key=lambda a: (-a["estimated_unique_values"], a["key"]))
    levels = [e["severity"] for section in out.values() for e in section] + [a["severity"] for a in attrs]
    code = 2 if "critical" in levels else 1 if "warning" in levels else 0
    return {
        "version": "1.0",
        "summary": {"total_metrics": len(out["metrics"]), "total_span_names": len(out["spans"]), "total_log_patterns": len(out["logs"]),
                    "total_attributes": len(attrs),
                    "high_cardinality_count": sum(1 for section in out.values() for e in section if e["severity"] != "ok"),
                    "samples": {"metrics": sum(e["sample_count"] for e in out["metrics"]), "spans": sum(e["span_count"] for e in out["spans"]),
                                "logs": sum(e["log_count"] for e in out["logs"])}},
        **out, "attributes": attrs, "thresholds": {"warning": warn, "critical": critical}, "exit_code": code,
    }


def strip(report: dict) -> dict:
    report = dict(report)
    for volatile in ("generated_at", "occ_version", "duration"):
        report.pop(volatile, None)
    return report


def test_stored_range_json_matches_the_oracle_and_sets_the_exit_code(world):
    o, d = world.oracle, world.days
    cases = [((), {}), (("--from", hd.day_text(d[0]), "--until", hd.day_text(d[1])), {"start": d[0], "end": d[1]}),
             (("--from", hd.day_text(d[0]), "--until", hd.day_text(d[1]), "--warn", "5", "--critical", "10"),
              {"start": d[0], "end": d[1], "warn": 5, "critical": 10}),
             (("--from", hd.day_text(d[2]), "--warn", "100", "--critical", "100000"), {"start": d[2], "warn": 100, "critical": 100000})]
    codes = set()
    for args, params in cases:
        out = world.report("--format", "json", *args)
        expected = expected_report(o, **params)
        assert out.returncode == expected["exit_code"], (args, out.stdout[-2000:], out.stderr[-2000:])
        assert strip(json.loads(out.stdout)) == expected, args
        codes.add(out.returncode)
    assert codes == {0, 1, 2}, "the cases must cover every exit code"


def test_thresholds_and_format_come_from_the_environment_too(world):
    o, d = world.oracle, world.days
    env = {"CENSUS_REPORT_FORMAT": "json", "CENSUS_REPORT_WARN": "5", "CENSUS_REPORT_CRITICAL": "10"}
    out = world.report("--from", hd.day_text(d[0]), "--until", hd.day_text(d[1]), env=env)
    expected = expected_report(o, d[0], d[1], warn=5, critical=10)
    assert out.returncode == expected["exit_code"] and strip(json.loads(out.stdout)) == expected, out.stderr
    flags_win = world.report("--from", hd.day_text(d[0]), "--until", hd.day_text(d[1]), "--warn", "1000", "--critical", "10000", env=env)
    assert strip(json.loads(flags_win.stdout)) == expected_report(o, d[0], d[1])
    bad = world.report(env={"CENSUS_REPORT_WARN": "many"})
    assert bad.returncode == 2 and "CENSUS_REPORT_WARN" in bad.stderr


def test_text_report_names_the_levels(world):
    out = world.report("--warn", "5", "--critical", "500")
    assert out.returncode == 2, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "census cardinality report"
    expected = expected_report(world.oracle, warn=5, critical=500)
    first = expected["metrics"][0]
    assert f"{ {'critical': 'CRITICAL', 'warning': 'WARNING', 'ok': 'OK'}[first['severity']]:<9} {first['name']} ({first['type']})" in lines
    assert f"Metrics:       {len(expected['metrics'])}" in lines


def test_topic_range_reads_with_its_own_consumer_and_drops_its_database(world):
    o = world.oracle
    before = world.databases()
    out = world.topic_report("--format", "json", "--warn", "100", database=world.census.database + "_t")
    expected = expected_report(o, warn=100)
    assert out.returncode == expected["exit_code"], out.stderr[-3000:]
    assert strip(json.loads(out.stdout)) == expected
    assert world.databases() == before, "the scratch database must be dropped"
    kept = world.topic_report("--format", "json", "--store", database=world.census.database + "_k")
    assert kept.returncode == expected_report(o)["exit_code"], kept.stderr[-3000:]
    new = world.databases() - before
    assert len(new) == 1 and next(iter(new)).startswith(world.census.database + "_k_report_")
    world.clickhouse.drop_database(next(iter(new)))


def test_invalid_arguments_exit_2(world):
    for args in (["--format", "yaml"], ["--source", "file"], ["--from", "yesterday"], ["--warn", "10", "--critical", "5"], ["--warn", "0"]):
        out = world.report(*args)
        assert out.returncode == 2 and out.stdout == "", (args, out.stdout, out.stderr)
        assert out.stderr.strip(), args
