"""No internals in errors (issue 11, item 5), on the real binary with ClickHouse 18.16.

- A `census serve` whose database is gone: every storage-reading route answers `503 {"error":"storage not ready: the
  schema does not exist yet (see /readyz)"}` with `Retry-After: 1` (the same as a process whose schema is still being
  migrated), with no SQL, host, port, version or database name in the body; the detail is logged once per request with
  the route. (Any other storage failure is `500 {"error":"storage unavailable"}`: APITests' StorageFailureTests.)
- A paused ClickHouse (SIGSTOP): reads end after `--api-query-timeout` with 503 + `Retry-After`, again without internals,
  and answer 200 after it resumes.
- `GET /api/v1/quarantine` shows payload bytes only with the admin token.

Cost: about 30 s (one private ClickHouse start, one ~7 s pause).
"""

from __future__ import annotations

import base64
import time

import requests

from harness import unique_name, wait_until
from kafka_util import produce

TOKEN = "e2e-quarantine-token"
READ_ROUTES = [
    "/api/v1/metrics", "/api/v1/metrics/m", "/api/v1/spans", "/api/v1/spans/s", "/api/v1/logs", "/api/v1/logs/INFO",
    "/api/v1/logs/by-service", "/api/v1/logs/patterns", "/api/v1/services", "/api/v1/services/api/overview",
    "/api/v1/cardinality/high", "/api/v1/cardinality/complexity", "/api/v1/attributes", "/api/v1/attributes/k",
    "/api/v1/quarantine",
]
# What ClickHouse puts in its messages and must never reach a client.
INTERNALS = ["DB::Exception", "Code:", "SELECT", "FROM", "version", "127.0.0.1", "ClickHouse", "e.what", "doesn't exist"]


def assert_no_internals(body: str, *extra: str) -> None:
    for word in [*INTERNALS, *extra]:
        assert word not in body, f"{word!r} leaked into an answer: {body[:300]}"


def test_storage_failures_answer_without_internals(broker, clickhouse, census_factory):
    database = unique_name("gone")  # never created: every read fails with UNKNOWN_DATABASE and the SQL in the message
    census = census_factory(broker, clickhouse, command="serve", database=database)
    port = str(census.api_port)
    for route in READ_ROUTES:
        r = requests.get(census.api + route, timeout=30)
        assert (r.status_code, r.headers.get("retry-after")) == (503, "1"), (route, r.status_code, r.text)
        assert r.headers["content-type"] == "application/json", route
        assert r.json() == {"error": "storage not ready: the schema does not exist yet (see /readyz)"}, (route, r.text)
        assert_no_internals(r.text, database, port)
    assert census.alive()
    log = census.log_text()
    # Logged once per request, with the route, and with the detail the client did not get.
    failures = [line for line in log.splitlines() if "storage not ready" in line]
    assert len(failures) == len(READ_ROUTES), failures
    assert all("route=GET /api/v1/" in line and database in line for line in failures), failures[:3]


def test_paused_clickhouse_is_503_with_retry_after(broker, private_clickhouse, census_factory):
    census = census_factory(broker, private_clickhouse, command="serve", extra_args=["--api-query-timeout", "1"])
    census.get("/api/v1/metrics", expect=503)  # no schema: storage not ready (ClickHouse answers)
    private_clickhouse.pause()
    try:
        started = time.monotonic()
        r = requests.get(census.api + "/api/v1/services", timeout=60)
        elapsed = time.monotonic() - started
        assert r.status_code == 503, (r.status_code, r.text)
        assert r.headers.get("Retry-After") == "1", r.headers
        assert r.json() == {"error": "read timed out: storage busy"}, r.text
        assert_no_internals(r.text, census.database)
        # --api-query-timeout 1: the HTTP timeout is 1 + 5 s; generous bound for a loaded machine.
        assert elapsed < 30, elapsed
        assert requests.get(census.api + "/api/v1/health", timeout=10).status_code == 200
    finally:
        private_clickhouse.resume()
    assert census.alive()


def test_quarantine_payload_only_with_the_admin_token(broker, clickhouse, census_factory):
    census = census_factory(broker, clickhouse, env={"CENSUS_ADMIN_TOKEN": TOKEN}, flush_interval="0.3")
    payload = b"\x00not otlp at all \xff" * 4
    produce(broker.bootstrap, [("otlp_logs", payload)])
    wait_until("the bad record is quarantined", lambda: census.get("/api/v1/quarantine").json()["total"] == 1,
               timeout=60, diagnostics=census.log_tail)

    def items(headers: dict) -> list[dict]:
        r = requests.get(census.api + "/api/v1/quarantine", headers=headers, timeout=15)
        assert r.status_code == 200, r.text
        return r.json()["data"]

    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}):
        [record] = items(headers)
        assert "first_bytes_base64" not in record, (headers, record)
        assert record["size"] == len(payload) and record["error"] and record["topic"] == "otlp_logs", record
    [record] = items({"Authorization": f"Bearer {TOKEN}"})
    assert base64.b64decode(record["first_bytes_base64"]) == payload


def test_quarantine_payload_never_shown_without_a_configured_token(broker, clickhouse, census_factory):
    census = census_factory(broker, clickhouse, flush_interval="0.3")
    produce(broker.bootstrap, [("otlp_logs", b"")])
    wait_until("the empty record is quarantined", lambda: census.get("/api/v1/quarantine").json()["total"] == 1,
               timeout=60, diagnostics=census.log_tail)
    r = requests.get(census.api + "/api/v1/quarantine", headers={"Authorization": "Bearer "}, timeout=15)
    assert r.status_code == 200 and "first_bytes_base64" not in r.text, r.text
