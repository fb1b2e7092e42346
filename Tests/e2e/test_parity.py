"""The V1 routes and fields the reference added after its first 18 (issue 13 items 1-4), through the real pipeline
(Kafka -> census -> ClickHouse), each answer compared as exact JSON with one computed independently here from the
OTLP requests written:

* GET /api/v1/version (and `census --version`);
* GET /api/v1/span-patterns, and `name_patterns` on span objects (test_metadata compares those through expect.py);
* GET /api/v1/services/{name}/attributes, /attributes/{key}/services, /attributes/{key}/telemetry;
* `total_sample_count` on the metric, span and log lists and `total_log_patterns` on the log list.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from types import SimpleNamespace
from urllib.parse import quote

import pytest

import otlp_data
from conftest import KEEP, RUN_DIR
from expect import KIND_NAMES, expected_for, service_of, span_pattern, typed
from harness import ROOT, Census, DevBroker, rmtree, run_census_cli
from kafka_util import OffsetReader, produce
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1 import trace_pb2

SIGNAL_RANK = {"metric": 1, "span": 2, "log": 3}


def variable_spans() -> dict[str, list]:
    """Span names with ids, numbers, UUIDs and hex in them, from two services (they group into patterns)."""
    req = ExportTraceServiceRequest()
    names = [(f"GET /users/{n}", trace_pb2.Span.SPAN_KIND_SERVER) for n in (1, 22, 333)]
    names += [(f"process order {n}", trace_pb2.Span.SPAN_KIND_INTERNAL) for n in (1000, 1001)]
    names += [("job 550e8400-e29b-41d4-a716-44665544000%d done" % n, trace_pb2.Span.SPAN_KIND_CONSUMER) for n in range(3)]
    names += [(f"cache get {h}", trace_pb2.Span.SPAN_KIND_CLIENT) for h in ("deadbeef01", "cafebabe02")]
    for i, (name, kind) in enumerate(names):
        for service in ("pattern-a", "pattern-b")[: 1 + i % 2]:
            rs = req.resource_spans.add()
            rs.resource.attributes.append(KeyValue(key="service.name", value=AnyValue(string_value=service)))
            ss = rs.scope_spans.add()
            for j in range(1 + i % 3):
                span = ss.spans.add(name=name, kind=kind, trace_id=bytes([i + 1]) * 16, span_id=bytes([j + 1]) * 8)
                span.attributes.append(KeyValue(key="pattern.step", value=AnyValue(int_value=j)))
    return {otlp_data.SPANS: [req]}


@pytest.fixture(scope="module")
def loaded(clickhouse):
    workdir = RUN_DIR / "test_parity"
    rmtree(workdir)
    broker = DevBroker(workdir)
    census = Census(workdir, broker.bootstrap, clickhouse.url)
    reader = None
    ok = False
    try:
        census.start()
        dataset = otlp_data.merge(otlp_data.build_dataset(seed=13, messages=25), variable_spans())
        produce(broker.bootstrap, otlp_data.records(dataset))
        reader = OffsetReader(broker.bootstrap, census.group, broker.topics)
        reader.wait_caught_up(diagnostics=census.log_tail)
        yield SimpleNamespace(census=census, dataset=dataset, expected=expected_for(dataset).answers(), usage=KeyUsage(dataset))
        ok = True
    finally:
        if reader:
            reader.close()
        census.stop()
        broker.stop()
        if not ok:
            print(census.log_tail(80))
        if not KEEP:
            clickhouse.drop_database(census.database)


class KeyUsage:
    """Per service, per key and per (signal, name): the attribute and resource keys of every data point, span and log
    record written (span event and link keys are not part of these views)."""

    def __init__(self, dataset: dict[str, list]):
        self.service_keys: dict[str, set] = defaultdict(set)
        self.key_services: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        # key -> (signal, name) -> scope -> [count, set of typed values]
        self.key_names: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, set()])))
        for req in dataset.get(otlp_data.METRICS, []):
            for rm in req.resource_metrics:
                for sm in rm.scope_metrics:
                    for m in sm.metrics:
                        kind = m.WhichOneof("data")
                        for point in getattr(m, kind).data_points if kind else []:
                            self._item("metric", m.name, rm.resource, point.attributes)
        for req in dataset.get(otlp_data.SPANS, []):
            for rs in req.resource_spans:
                for ss in rs.scope_spans:
                    for span in ss.spans:
                        self._item("span", span.name, rs.resource, span.attributes)
        for req in dataset.get(otlp_data.LOGS, []):
            for rl in req.resource_logs:
                for sl in rl.scope_logs:
                    for rec in sl.log_records:
                        self._item("log", rec.severity_text or "UNSET", rl.resource, rec.attributes)

    def _item(self, signal: str, name: str, resource, attributes) -> None:
        service = service_of(resource)
        for scope, kvs in (("attribute", attributes), ("resource", resource.attributes)):
            for kv in kvs:
                self.service_keys[service].add(kv.key)
                self.key_services[kv.key][(service, signal)] += 1
                acc = self.key_names[kv.key][(signal, name)][scope]
                acc[0] += 1
                acc[1].add(typed(kv.value))


def _bytes(text: str) -> bytes:
    return text.encode()


def test_version_matches_the_binary_stamp(loaded):
    got = loaded.census.get("/api/v1/version").json()
    assert list(got) == ["version", "commit", "build_date"], got
    line = run_census_cli(["--version"]).stdout.strip()
    assert line == f"{got['version']} (commit {got['commit']}, built {got['build_date']})", line
    # The stamp is written by the build scripts (scripts/lib/build-stamp.sh); a build without them says unknown.
    assert got["commit"] == "unknown" or re.fullmatch(r"[0-9a-f]{12}(-dirty)?", got["commit"]), got
    if got["commit"] != "unknown":
        commit = got["commit"].removesuffix("-dirty")
        known = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", commit + "^{commit}"], capture_output=True)
        assert known.returncode == 0, f"{commit} is not a commit of this repository"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", got["build_date"]), got
    assert loaded.census.get("/api/v1/health").json()["version"] == got["version"]


def test_span_patterns(loaded):
    spans = loaded.expected["spans"]
    groups: dict[str, list] = defaultdict(list)
    for name, el in spans.items():
        groups[span_pattern(name)].append({"span_name": name, "sample_count": el["sample_count"], "services": sorted(el["services"]),
                                           "kind": KIND_NAMES.get(el["kind"], "Unknown")})
    patterns = []
    for pattern, matching in groups.items():
        matching.sort(key=lambda s: (-s["sample_count"], _bytes(s["span_name"])))
        patterns.append({"pattern": pattern, "matching_spans": matching, "total_samples": sum(s["sample_count"] for s in matching),
                         "span_count": len(matching)})
    patterns.sort(key=lambda p: (-p["span_count"], -p["total_samples"], _bytes(p["pattern"])))
    assert any(p["span_count"] >= 3 and p["pattern"] == "GET <URL>" for p in patterns), "the data set must group names"
    assert loaded.census.get("/api/v1/span-patterns").json() == {"patterns": patterns, "total": len(patterns)}
    page = loaded.census.get("/api/v1/span-patterns", params={"limit": 2, "offset": 1}).json()
    assert page == {"patterns": patterns[1:3], "total": len(patterns)}


def test_span_objects_carry_their_name_pattern(loaded):
    name = "GET /users/22"
    el = loaded.census.get("/api/v1/spans/" + quote(name, safe="")).json()
    assert el["name_patterns"] == [{"template": "GET <URL>", "count": el["sample_count"], "percentage": 100, "examples": [name]}]


def test_service_attributes(loaded):
    c, usage = loaded.census, loaded.usage
    services = sorted(usage.service_keys) + ["no-such-service"]
    assert "pattern-b" in services
    for service in services:
        keys = sorted(usage.service_keys.get(service, ()), key=_bytes)
        got = c.get(f"/api/v1/services/{quote(service, safe='')}/attributes").json()
        assert got == {"keys": keys, "service": service, "total": len(keys)}, service
    keys = sorted(usage.service_keys["payments"], key=_bytes)
    got = c.get("/api/v1/services/payments/attributes", params={"limit": 2, "offset": 1}).json()
    assert got == {"keys": keys[1:3], "service": "payments", "total": len(keys)}


def test_attribute_services(loaded):
    c, usage = loaded.census, loaded.usage
    for key in sorted(usage.key_services) + ["no.such.key"]:
        entries = [{"service_name": s, "signal_type": sig, "count": n} for (s, sig), n in usage.key_services.get(key, {}).items()]
        entries.sort(key=lambda e: (-e["count"], _bytes(e["service_name"]), SIGNAL_RANK[e["signal_type"]]))
        got = c.get(f"/api/v1/attributes/{quote(key, safe='')}/services").json()
        assert got == {"key": key, "services": entries, "total": len(entries)}, key
    entries = c.get("/api/v1/attributes/service.name/services").json()["services"]
    got = c.get("/api/v1/attributes/service.name/services", params={"limit": 2, "offset": 2}).json()
    assert got == {"key": "service.name", "services": entries[2:4], "total": len(entries)}


def test_attribute_telemetry(loaded):
    c, usage, expected = loaded.census, loaded.usage, loaded.expected
    sections = {"metric": ("metrics", "metric_count"), "span": ("spans", "span_count"), "log": ("logs", "log_count")}
    for key in sorted(usage.key_names):
        want = {"attribute": c.get(f"/api/v1/attributes/{quote(key, safe='')}").json()["data"], "key": key}
        for signal, (section, count_field) in sections.items():
            entries = []
            for (sig, name), scopes in sorted(usage.key_names[key].items(), key=lambda item: _bytes(item[0][1])):
                if sig != signal:
                    continue
                el = expected[section][name]
                entry = {"severity": name} if signal == "log" else {"name": name}
                if signal == "metric":
                    entry["type"] = el["type"]
                if signal == "span":
                    entry["kind"] = KIND_NAMES.get(el["kind"], "Unknown")
                entry.update({"services": el["services"], "attribute_count": sum(acc[0] for acc in scopes.values()),
                              "attribute_cardinality": max(len(acc[1]) for acc in scopes.values())})
                entries.append(entry)
            want[section], want[count_field] = entries, len(entries)
        assert c.get(f"/api/v1/attributes/{quote(key, safe='')}/telemetry").json() == want, key
    r = c.get("/api/v1/attributes/no.such.key/telemetry", expect=404)
    assert r.json() == {"error": "Attribute not found: attribute not found: no.such.key"}
    cut = c.get("/api/v1/attributes/service.name/telemetry", params={"limit": 1}).json()
    carrying = {name for (signal, name) in usage.key_names["service.name"] if signal == "metric"}
    assert len(cut["metrics"]) == 1 and cut["metric_count"] == len(carrying) > 1


@pytest.mark.parametrize("what", ["metrics", "spans", "logs"])
@pytest.mark.parametrize("service", [None, "payments", "no-such-service"])
def test_list_totals(loaded, what, service):
    elements = [el for el in loaded.expected[what].values() if service is None or service in el["services"]]
    params = {"limit": 1} if service is None else {"limit": 1, "service": service}
    got = loaded.census.get(f"/api/v1/{what}", params=params).json()
    assert got["total_sample_count"] == sum(el["sample_count"] for el in elements)
    if what == "logs":
        groups = {otlp_data.template_group(sev, body) for sev, bodies in expected_for(loaded.dataset).bodies.items() for body in bodies}
        assert got["total_log_patterns"] == len(groups) > 0
    else:
        assert "total_log_patterns" not in got
