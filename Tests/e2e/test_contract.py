"""The V1 API against its own contract, through the real pipeline (Kafka -> census -> ClickHouse 18.16):

* the OpenAPI document served at /api/v1/openapi.json is the one in the repository (docs/openapi.json);
* schemathesis, driven by that document, finds no 5xx and no response that breaks the document (status codes,
  content types, JSON schemas);
* every string parameter is tried with SQL-injection and control-character inputs: answers stay correct, names that
  exist (hostile ones included) come back exactly, names that do not exist are 404, and the stored data is unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import requests

import otlp_data
from compare import fetch_answers, strip_volatile
from conftest import KEEP, RUN_DIR
from harness import ROOT, Census, DevBroker, rmtree
from kafka_util import OffsetReader, produce
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

ADMIN_TOKEN = "contract-token"

# Inputs that break naive SQL building or naive parsing; some of them are stored as real names below.
HOSTILE = [
    "x' OR '1'='1",
    "'; DROP TABLE metadata; --",
    "\\'",
    "\\",
    "a\\' UNION SELECT name FROM system.tables --",
    "\") OR 1=1 --",
    "%27%20OR%201%3D1",
    "tab\there",
    "new\nline",
    "nul\x00byte",
    "bell\x07\x1b[31m",
    "ünïcödé ✓ 𝄞",
    "`backtick`",
    "/slash/../../etc/passwd",
    "+plus+",
    "  ",
    "{name}",
    "%",
    "?query=1&x=2",
    "#fragment",
]
STORED = HOSTILE[:6] + ["tab\there", "ünïcödé ✓ 𝄞", "+plus+", "/slash/../../etc/passwd", "%"]


def _kv(key: str, value: str):
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    return KeyValue(key=key, value=AnyValue(string_value=value))


def hostile_records() -> list[tuple[str, bytes]]:
    """One metric, one span name, one severity, one attribute key and one service per stored hostile string."""
    metrics, spans, logs = ExportMetricsServiceRequest(), ExportTraceServiceRequest(), ExportLogsServiceRequest()
    for i, name in enumerate(STORED):
        rm = metrics.resource_metrics.add()
        rm.resource.attributes.append(_kv("service.name", name))
        m = rm.scope_metrics.add().metrics.add()
        m.name = name
        point = m.gauge.data_points.add()
        point.as_int = i
        point.attributes.append(_kv(name, name))
        rs = spans.resource_spans.add()
        rs.resource.attributes.append(_kv("service.name", name))
        span = rs.scope_spans.add().spans.add()
        span.name = name
        span.trace_id, span.span_id = bytes([i + 1]) * 16, bytes([i + 1]) * 8
        rl = logs.resource_logs.add()
        rl.resource.attributes.append(_kv("service.name", name))
        record = rl.scope_logs.add().log_records.add()
        record.severity_text = name
        record.body.string_value = f"hostile body {name}"
    return [("otlp_metrics", metrics.SerializeToString()), ("otlp_spans", spans.SerializeToString()),
            ("otlp_logs", logs.SerializeToString())]


@pytest.fixture(scope="module")
def served(clickhouse):
    workdir = RUN_DIR / "test_contract"
    rmtree(workdir)
    broker = DevBroker(workdir)
    census = Census(workdir, broker.bootstrap, clickhouse.url, env={"CENSUS_ADMIN_TOKEN": ADMIN_TOKEN})
    reader = None
    ok = False
    try:
        census.start()
        dataset = otlp_data.build_dataset(seed=5, messages=15)
        produce(broker.bootstrap, otlp_data.records(dataset) + hostile_records())
        reader = OffsetReader(broker.bootstrap, census.group, broker.topics)
        reader.wait_caught_up(diagnostics=census.log_tail)
        yield SimpleNamespace(census=census, answers=fetch_answers(census))
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


def test_served_document_is_the_repository_document(served):
    r = served.census.get("/api/v1/openapi.json")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == json.loads((ROOT / "docs" / "openapi.json").read_text())


def test_schemathesis_finds_no_server_error_and_no_contract_violation(served):
    report = RUN_DIR / "test_contract" / "schemathesis"
    argv = [str(Path(sys.executable).parent / "schemathesis"), "run", f"{served.census.api}/api/v1/openapi.json",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples", os.environ.get("CENSUS_SCHEMATHESIS_EXAMPLES", "40"), "--seed", "1",
            "--max-time", "240", "--workers", "2", "--request-timeout", "20",
            "--exclude-path", "/api/v1/admin/clear",  # it would delete the data the other checks read
            "--report", "junit", "--report-dir", str(report), "--suppress-health-check", "all"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=420, stdin=subprocess.DEVNULL,
                         env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""})
    assert out.returncode == 0, f"schemathesis failed ({out.returncode}):\n{out.stdout[-6000:]}\n{out.stderr[-2000:]}"


def _paths_for(value: str) -> list[tuple[str, dict]]:
    q = quote(value, safe="")
    return [
        (f"/api/v1/metrics/{q}", {}), (f"/api/v1/spans/{q}", {}), (f"/api/v1/logs/{q}", {}),
        (f"/api/v1/attributes/{q}", {}), (f"/api/v1/services/{q}/overview", {}),
        (f"/api/v1/logs/service/{q}/severity/{q}", {}), (f"/api/v1/logs/patterns/{q}/{q}", {}),
        ("/api/v1/metrics", {"service": value}), ("/api/v1/spans", {"service": value}), ("/api/v1/logs", {"service": value}),
        ("/api/v1/metrics", {"limit": value, "offset": value}),
        ("/api/v1/attributes", {"signal_type": value, "scope": value, "sort_by": value, "sort_order": value,
                                "min_cardinality": value, "max_cardinality": value, "limit": value, "offset": value}),
        ("/api/v1/cardinality/high", {"threshold": value, "limit": value}),
        ("/api/v1/cardinality/complexity", {"threshold": value, "limit": value}),
        ("/api/v1/logs/patterns", {"minCount": value, "minServices": value}),
        ("/api/v1/logs/by-service", {"limit": value, "offset": value}),
    ]


def test_hostile_parameters_never_fail_and_never_leak(served):
    census = served.census
    problems = []
    for value in HOSTILE:
        for path, params in _paths_for(value):
            r = requests.get(census.api + path, params=params, timeout=20)
            label = f"GET {r.url}"
            if r.status_code >= 500 or r.status_code not in (200, 400, 404):
                problems.append(f"{label} -> {r.status_code} {r.text[:200]}")
                continue
            try:
                body = r.json()
            except ValueError:
                problems.append(f"{label} -> {r.status_code} with a body that is not JSON: {r.text[:120]!r}")
                continue
            if r.status_code != 200:
                if set(body) != {"error"}:
                    problems.append(f"{label} -> {r.status_code} without the error envelope: {body}")
                continue
            # A 200 on a path lookup must be exactly the stored element of that name, never something else.
            for what, prefix, key in (("metrics", "/api/v1/metrics/", "name"), ("spans", "/api/v1/spans/", "name"),
                                      ("logs", "/api/v1/logs/", "severity")):
                if path == prefix + quote(value, safe=""):
                    if value not in served.answers[what]:
                        problems.append(f"{label} -> 200 for a {what} name that does not exist: {str(body)[:200]}")
                    elif strip_volatile(body) != strip_volatile(served.answers[what][value]):
                        problems.append(f"{label} -> a different element than the stored one: {str(body)[:200]}")
    # Nothing was changed or dropped by any of those requests.
    after = fetch_answers(census)
    for what in ("metrics", "spans", "logs", "attributes"):
        if strip_volatile(after[what]) != strip_volatile(served.answers[what]):
            problems.append(f"{what}: the stored answers changed after the hostile requests")
    assert not problems, "\n".join(problems[:40])


def test_hostile_names_are_stored_and_found_exactly(served):
    census = served.census
    problems = []
    for name in STORED:
        q = quote(name, safe="")
        for what, path, field in (("metrics", f"/api/v1/metrics/{q}", "name"), ("spans", f"/api/v1/spans/{q}", "name"),
                                  ("logs", f"/api/v1/logs/{q}", "severity")):
            if name not in served.answers[what]:
                problems.append(f"{what}: {name!r} is missing from the list")
                continue
            r = requests.get(census.api + path, timeout=20)
            if r.status_code != 200 or r.json().get(field) != name:
                problems.append(f"GET {path} -> {r.status_code} {r.text[:160]}")
        if name not in served.answers["attributes"]:
            problems.append(f"attributes: key {name!r} is missing")
        r = requests.get(census.api + "/api/v1/metrics", params={"service": name}, timeout=20)
        names = [m["name"] for m in r.json().get("data", [])] if r.status_code == 200 else None
        if names != [name]:
            problems.append(f"GET /api/v1/metrics?service={name!r} -> {r.status_code} {names}")
        r = requests.get(census.api + f"/api/v1/services/{q}/overview", timeout=20)
        if r.status_code != 200 or r.json().get("metric_count") != 1:
            problems.append(f"GET /api/v1/services/{q}/overview -> {r.status_code} {r.text[:160]}")
    services = requests.get(census.api + "/api/v1/services", timeout=20).json()["data"]
    problems += [f"/services lacks {n!r}" for n in STORED if n not in services]
    assert not problems, "\n".join(problems)
