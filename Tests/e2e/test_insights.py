"""The service, cardinality and log-pattern endpoints (and the 404/405/400 answers) on a known data set that went
through Kafka into census; every answer is compared with the independent oracle (expect.Insights).

Cost: one census run on ~90 records plus a few odd-named ones, ~15 s."""

from __future__ import annotations

import http.client
import json
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import otlp_data
from compare import compare, fetch_answers
from conftest import KEEP, RUN_DIR
from expect import Insights, expected_for
from harness import Census, DevBroker, rmtree
from kafka_util import OffsetReader, produce

# Names that need path encoding: '/', '+', '%', spaces, non-ASCII.
ODD_SERVICE = "shop/eu west+1 %41 é"
ODD_SEVERITY = "WARN/+ %é"
ODD_METRIC = "odd/metric+name %é"
ODD_SPAN = "odd /span+ %20 é"
ODD_BODIES = [f"Cache miss for key a/b+c%d é after {n} tries" for n in (11, 12, 13)]


def odd_dataset() -> dict[str, list]:
    t = otlp_data._now_ns()
    metrics = ExportMetricsServiceRequest()
    rm = metrics.resource_metrics.add()
    otlp_data.set_attrs(rm.resource.attributes, {"service.name": ODD_SERVICE})
    m = rm.scope_metrics.add().metrics.add(name=ODD_METRIC)
    for i in range(3):
        p = m.gauge.data_points.add(time_unix_nano=t, as_double=float(i))
        otlp_data.set_attrs(p.attributes, {"path/key é": f"v{i}"})
    spans = ExportTraceServiceRequest()
    rs = spans.resource_spans.add()
    otlp_data.set_attrs(rs.resource.attributes, {"service.name": ODD_SERVICE})
    s = rs.scope_spans.add().spans.add(name=ODD_SPAN, kind=2, trace_id=b"\x01" * 16, span_id=b"\x02" * 8, start_time_unix_nano=t,
                                       end_time_unix_nano=t + 1)
    otlp_data.set_attrs(s.attributes, {"q": "1"})
    logs = ExportLogsServiceRequest()
    rl = logs.resource_logs.add()
    otlp_data.set_attrs(rl.resource.attributes, {"service.name": ODD_SERVICE, "host.name": "odd-host"})
    sl = rl.scope_logs.add()
    for body in ODD_BODIES:
        rec = sl.log_records.add(time_unix_nano=t, severity_text=ODD_SEVERITY, severity_number=13)
        rec.body.string_value = body
        otlp_data.set_attrs(rec.attributes, {"cache.key": body[-10:]})
    return {otlp_data.METRICS: [metrics], otlp_data.SPANS: [spans], otlp_data.LOGS: [logs]}


def group_of(severity: str, body: str):
    return "cache" if body.startswith("Cache miss") else otlp_data.template_group(severity, body)


@pytest.fixture(scope="module")
def loaded(clickhouse):
    workdir = RUN_DIR / "test_insights"
    rmtree(workdir)
    broker = DevBroker(workdir)
    census = Census(workdir, broker.bootstrap, clickhouse.url)
    reader = None
    try:
        census.start()
        dataset = otlp_data.merge(otlp_data.build_dataset(seed=23, messages=30), odd_dataset())
        produce(broker.bootstrap, otlp_data.records(dataset))
        reader = OffsetReader(broker.bootstrap, census.group, broker.topics)
        reader.wait_caught_up(diagnostics=census.log_tail)
        expected = expected_for(dataset)
        yield SimpleNamespace(census=census, expected=expected, insights=Insights(expected), answers=fetch_answers(census))
    finally:
        if reader:
            reader.close()
        census.stop()
        broker.stop()
        if not KEEP:
            clickhouse.drop_database(census.database)


def check(expected, actual, what: str) -> None:
    diffs: list[str] = []
    compare(expected, actual, what, diffs)
    assert not diffs, f"{len(diffs)} differences:\n  " + "\n  ".join(diffs[:40])


def test_services(loaded):
    want = loaded.insights.services()
    assert ODD_SERVICE in want
    assert loaded.census.get("/api/v1/services").json() == {"data": want, "total": len(want)}


def test_service_overview(loaded):
    e = loaded.expected
    for service in loaded.insights.services() + ["no-such-service"]:
        r = loaded.census.get(f"/api/v1/services/{quote(service, safe='')}/overview").json()
        assert list(r) == ["service_name", "metric_count", "span_count", "log_count", "metrics", "spans", "logs"]
        metrics = [{k: v for k, v in m.items() if k not in ("type", "active_series_otlp", "active_series_prometheus")} for n, m in sorted(e.metrics.items(), key=lambda kv: kv[0].encode()) if service in m["services"]]
        spans = [s for n, s in sorted(e.spans.items(), key=lambda kv: kv[0].encode()) if service in s["services"]]
        logs = [lg for n, lg in sorted(e.logs.items(), key=lambda kv: kv[0].encode()) if service in lg["services"]]
        assert all("type" not in m for m in r["metrics"]), "overview metrics carry no type (reference)"
        check({"service_name": service, "metric_count": len(metrics), "span_count": len(spans), "log_count": len(logs),
               "metrics": metrics, "spans": spans, "logs": logs}, r, f"overview/{service}")


@pytest.mark.parametrize("params,threshold,limit", [
    ({}, 100, 100), ({"threshold": 1}, 1, 100), ({"threshold": 3, "limit": 4}, 3, 4), ({"threshold": "abc", "limit": "-1"}, 100, 100),
    ({"threshold": 2, "limit": 5000}, 2, 1000), ({"threshold": 10**9}, 10**9, 100),
])
def test_high_cardinality(loaded, params, threshold, limit):
    r = loaded.census.get("/api/v1/cardinality/high", params=params).json()
    assert list(r) == ["high_cardinality_keys", "total", "threshold"]
    check(loaded.insights.high_cardinality(threshold, limit), r, "cardinality/high")
    assert isinstance(r["high_cardinality_keys"], list)


@pytest.mark.parametrize("params,threshold,limit", [
    ({}, 10, 100), ({"threshold": 1}, 1, 100), ({"threshold": 1, "limit": 3}, 1, 3), ({"threshold": "0", "limit": "x"}, 10, 100),
    ({"threshold": 6, "limit": 5000}, 6, 1000), ({"threshold": 100000}, 100000, 100),
])
def test_complexity(loaded, params, threshold, limit):
    r = loaded.census.get("/api/v1/cardinality/complexity", params=params).json()
    check(loaded.insights.complexity(threshold, limit), r, "cardinality/complexity")
    for item in r["signals"]:
        assert list(item) == ["signal_type", "signal_name", "total_keys", "attribute_key_count", "resource_key_count", "event_key_count",
                              "link_key_count", "max_cardinality", "high_cardinality_count", "complexity_score"]


def test_logs_by_service_pages(loaded):
    want = loaded.insights.logs_by_service()
    c = loaded.census
    assert c.get("/api/v1/logs/by-service").json() == {"data": want[:100], "total": len(want), "limit": 100, "offset": 0,
                                                        "has_more": len(want) > 100}
    assert c.get("/api/v1/logs/by-service", params={"limit": 2, "offset": 1}).json() == {
        "data": want[1:3], "total": len(want), "limit": 2, "offset": 1, "has_more": len(want) > 3}
    assert c.get("/api/v1/logs/by-service", params={"offset": len(want)}).json()["data"] == []
    r = c.get("/api/v1/logs/by-service", params={"limit": 5000, "offset": -4}).json()
    assert (r["limit"], r["offset"], r["data"]) == (1000, 0, want)
    r = c.get("/api/v1/logs/by-service", params={"limit": 0}).json()
    assert r["limit"] == 100


def test_service_severity_detail(loaded):
    ins = loaded.insights
    pairs = ins.logs_by_service()
    assert any(p["service_name"] == ODD_SERVICE and p["severity"] == ODD_SEVERITY for p in pairs)
    for pair in pairs:
        service, severity = pair["service_name"], pair["severity"]
        path = f"/api/v1/logs/service/{quote(service, safe='')}/severity/{quote(severity, safe='')}"
        r = loaded.census.get(path).json()
        assert list(r) == ["severity", "service_name", "sample_count", "body_templates", "attribute_keys", "resource_keys"], path
        check(ins.service_log(service, severity), {k: v for k, v in r.items() if k != "body_templates"}, path)
        groups = ins.service_body_groups(service, severity, group_of)
        got: dict = {}
        for t in r["body_templates"]:
            g = group_of(severity, t["example"])
            got[g] = got.get(g, 0) + t["count"]
            assert abs(t["percentage"] - t["count"] / r["sample_count"] * 100) < 1e-9
        assert got == groups, f"{path}: template counts by group {got}, expected {groups}"
        counts = [t["count"] for t in r["body_templates"]]
        assert counts == sorted(counts, reverse=True)
    r = loaded.census.get("/api/v1/logs/service/checkout/severity/NOPE", expect=404)
    assert r.json() == {"error": "no data found for this service and severity"}


@pytest.mark.parametrize("params,min_count,min_services", [
    ({}, 10, 1), ({"minCount": 1}, 1, 1), ({"minCount": 1, "minServices": 2}, 1, 2), ({"minCount": "x", "minServices": "-1"}, 10, 1),
    ({"minCount": 10**9}, 10**9, 1),
])
def test_log_patterns(loaded, params, min_count, min_services):
    r = loaded.census.get("/api/v1/logs/patterns", params=params).json()
    assert list(r) == ["patterns", "total"] and r["total"] == len(r["patterns"])
    want = loaded.insights.pattern_groups(group_of, min_count, min_services)
    got = {}
    for p in r["patterns"]:
        assert list(p) == ["template", "example_body", "total_count", "severity_breakdown", "services"]
        sev = next(iter(p["severity_breakdown"]))
        group = group_of(sev, p["example_body"])
        assert group not in got, f"two patterns for one group: {p['template']!r}"
        got[group] = {k: v for k, v in p.items() if k not in ("template", "example_body")}
    assert set(got) == set(want), f"pattern groups {sorted(map(str, got))}, expected {sorted(map(str, want))}"
    for group in want:
        check(want[group], got[group], f"patterns/{group}")
    totals = [p["total_count"] for p in r["patterns"]]
    assert totals == sorted(totals, reverse=True)


def test_log_pattern_detail(loaded):
    c = loaded.census
    patterns = c.get("/api/v1/logs/patterns", params={"minCount": 1}).json()["patterns"]
    assert any("a/b+c%d é" in p["template"] for p in patterns), [p["template"] for p in patterns]
    for p in patterns:
        for sev, count in p["severity_breakdown"].items():
            path = f"/api/v1/logs/patterns/{quote(sev, safe='')}/{quote(p['template'], safe='')}"
            r = c.get(path).json()
            assert list(r) == ["example_body", "services", "severity", "template", "total_count"], path
            assert r == {"example_body": p["example_body"], "services": [s for s in p["services"] if sev in s["severities"]],
                         "severity": sev, "template": p["template"], "total_count": count}, path
        r = c.get(f"/api/v1/logs/patterns/NOPE/{quote(p['template'], safe='')}", expect=404)
        assert r.json() == {"error": "pattern not found for this severity"}


def test_odd_names_in_detail_routes(loaded):
    c = loaded.census
    assert c.get(f"/api/v1/metrics/{quote(ODD_METRIC, safe='')}").json()["name"] == ODD_METRIC
    assert c.get(f"/api/v1/spans/{quote(ODD_SPAN, safe='')}").json()["name"] == ODD_SPAN
    assert c.get(f"/api/v1/logs/{quote(ODD_SEVERITY, safe='')}").json()["severity"] == ODD_SEVERITY
    assert c.get(f"/api/v1/attributes/{quote('path/key é', safe='')}").json()["data"]["key"] == "path/key é"
    # '+' is a plus sign in a path (no QueryUnescape), '%2B' too.
    assert c.get("/api/v1/spans/" + quote(ODD_SPAN, safe="+")).json()["name"] == ODD_SPAN


@pytest.mark.parametrize("method,path,status,body,allow", [
    ("GET", "/api/v1/nope", 404, {"error": "not found"}, None),
    ("GET", "/api/v1/services/x/overview/more", 404, {"error": "not found"}, None),
    ("GET", "/favicon.ico", 404, {"error": "not found"}, None),
    ("POST", "/api/v1/metrics", 405, {"error": "method not allowed"}, "GET"),
    ("DELETE", "/api/v1/logs/service/a/severity/b", 405, {"error": "method not allowed"}, "GET"),
    ("PUT", "/api/v1/admin/clear", 405, {"error": "method not allowed"}, "POST"),
    ("GET", "/api/v1/spans/%ZZ", 400, {"error": "invalid span name encoding"}, None),
    ("GET", "/api/v1/logs/%C3", 400, {"error": "invalid severity encoding"}, None),
    ("GET", "/api/v1/logs/patterns/INFO/50%25%", 400, {"error": "invalid template encoding"}, None),
    ("GET", "/api/v1/services/%FF/overview", 400, {"error": "invalid service name encoding"}, None),
    ("GET", "/api/v1/attributes/%", 400, {"error": "invalid attribute key encoding"}, None),
    ("POST", "/api/v1/admin/clear", 403, {"error": "admin API disabled: no admin token configured"}, None),
])
def test_error_answers(loaded, method, path, status, body, allow):
    # http.client sends the path byte for byte (requests would re-quote the invalid escapes).
    conn = http.client.HTTPConnection("127.0.0.1", loaded.census.api_port, timeout=10)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        assert (r.status, r.getheader("content-type"), json.loads(r.read())) == (status, "application/json", body)
        assert r.getheader("allow") == allow
    finally:
        conn.close()


def test_malformed_query_parameters_fall_back_to_defaults(loaded):
    for path in ("/api/v1/metrics", "/api/v1/logs/by-service", "/api/v1/cardinality/high", "/api/v1/logs/patterns",
                 "/api/v1/cardinality/complexity", "/api/v1/attributes"):
        conn = http.client.HTTPConnection("127.0.0.1", loaded.census.api_port, timeout=10)
        try:
            conn.request("GET", path + "?limit=%ZZ&offset=1e3&threshold=%00&minCount=--1&minServices=%&service=%E0%A4&&=")
            r = conn.getresponse()
            text = r.read()
            assert r.status == 200, f"{path}: {r.status} {text[:200]}"
            assert isinstance(json.loads(text), dict)
        finally:
            conn.close()
