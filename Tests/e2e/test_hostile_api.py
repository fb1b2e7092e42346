"""Hostile clients against the real binary (issue 11, "Hostile world"): no request can crash census.

Item 1: every route and every parameter of the served OpenAPI document (so a route added later is covered without
editing this file) gets extreme numbers, non-numbers, an empty value and a 1 MB digit string. Each answer must be a
JSON error or a JSON answer, and the process must stay alive and healthy after every single request.

Item 4: 1,000 idle sockets and half-sent request heads held open during ingest; idle timeout, read timeout, URI and
header limits.

Item 2: a ~1.2 MB attribute catalog flooded with 4,096 requests; RSS and the cache gauges stay within the bound.

Cost: about 40 s for items 1 and 4, about 200 s for item 2 (release build) on 2 cores.
"""

from __future__ import annotations

import json
import re
import resource
import socket
import time

import pytest
import requests

import otlp_data
from compare import assert_answers, fetch_answers
from expect import expected_for
from harness import rss_bytes, wait_until
from kafka_util import produce

HOSTILE_VALUES = ["9223372036854775807", "-9223372036854775808", "-1", "1e99", "0x10", "", "9" * (1 << 20)]
# 400: the route rejects the value; 404: a path parameter names nothing; 414/431: the URI or head is over census's limit.
ACCEPTED = {200, 400, 404, 414, 431}


def openapi_get_routes(census) -> list[tuple[str, list[dict]]]:
    """(path, parameters) of every GET operation of the served document."""
    doc = census.get("/api/v1/openapi.json").json()
    routes = []
    for path, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method != "get":
                continue
            routes.append((path, shared + operation.get("parameters", [])))
    return routes


def fill(path: str, values: dict[str, str]) -> str:
    """`path` with its `{name}` segments replaced (percent-encoded only where needed)."""
    return re.sub(r"\{([^}]+)\}", lambda m: requests.utils.quote(values.get(m.group(1), "x"), safe=""), path)


def assert_alive(census, what: str) -> None:
    assert census.alive(), f"census exited after {what}\n{census.log_tail()}"
    r = requests.get(f"{census.api}/api/v1/health", timeout=10)
    assert r.status_code == 200, f"health {r.status_code} after {what}"


def test_every_parameter_of_every_route_survives_hostile_numbers(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse)
    routes = openapi_get_routes(census)
    assert len(routes) >= 18, routes  # the 17 GET routes of V1 plus quarantine, openapi, readyz, metrics
    numeric = {("/api/v1/metrics", "offset"), ("/api/v1/quarantine", "offset"), ("/api/v1/attributes", "limit"),
               ("/api/v1/cardinality/high", "threshold"), ("/api/v1/logs/patterns", "minCount")}
    covered = set()
    sent = 0
    with requests.Session() as session:
        # Value by value over every parameter, so the numbers run before the oversize value.
        for value in HOSTILE_VALUES:
            for path, parameters in routes:
                for parameter in parameters:
                    name, where = parameter["name"], parameter["in"]
                    covered.add((path, name))
                    if where == "path":
                        url, params = census.api + fill(path, {name: value}), None
                    else:
                        url, params = census.api + fill(path, {}), {name: value}
                    what = f"GET {path} {name}={value[:24]}{'…' if len(value) > 24 else ''}"
                    try:
                        r = session.get(url, params=params, timeout=30)
                    except requests.ConnectionError as error:
                        raise AssertionError(f"{what}: connection failed ({error})\n{census.log_tail()}") from None
                    sent += 1
                    assert r.status_code in ACCEPTED, f"{what} -> {r.status_code}: {r.text[:300]}"
                    if path not in ("/metrics",):  # Prometheus text; everything else answers JSON
                        body = r.json()
                        assert isinstance(body, dict), f"{what}: {r.text[:300]}"
                        if r.status_code >= 400:
                            assert isinstance(body.get("error"), str), f"{what}: {r.text[:300]}"
                    assert_alive(census, what)
    assert numeric <= covered, numeric - covered
    assert sent >= 7 * 30, sent
    # The clamp is visible in the envelope: the largest offset is answered with an empty page, not a crash.
    page = census.get("/api/v1/metrics", params={"offset": "9223372036854775807", "limit": "9223372036854775807"}).json()
    assert page["data"] == [] and page["limit"] == 1000 and page["has_more"] is False, page
    assert page["offset"] == 1 << 40, page


def _connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def _closed_by_peer(s: socket.socket) -> bool:
    """True when the server closed `s` (EOF or reset); False while it is still open."""
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _raw_request(port: int, head: bytes) -> tuple[int, dict, bytes]:
    """Sends a raw request head and reads the whole answer (census closes after a limit answer)."""
    with _connect(port) as s:
        s.sendall(head)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head_text, _, body = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    return int(lines[0].split()[1]), headers, body


IDLE_SOCKETS = 1000
HALF_HEADS = 50
IDLE_TIMEOUT = 6


def test_idle_and_half_sent_connections_do_not_stop_ingest_or_health(clickhouse, broker, census_factory):
    """Item 4: 1,000 idle sockets and 50 half-sent request heads held open while a data set is ingested."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = IDLE_SOCKETS + HALF_HEADS + 512
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    census = census_factory(broker, clickhouse, extra_args=["--api-idle-timeout", str(IDLE_TIMEOUT), "--api-read-timeout", "3",
                                                            "--api-max-uri-bytes", "4096", "--api-max-header-bytes", "8192"])
    assert "open-file limit" in census.log_text(), census.log_tail()
    port = census.api_port

    opened = time.monotonic()
    idle = [_connect(port) for _ in range(IDLE_SOCKETS)]
    half = [_connect(port) for _ in range(HALF_HEADS)]
    for s in half:
        s.sendall(b"GET /api/v1/metrics?limit=1 HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # never finished

    dataset = otlp_data.build_dataset(seed=71, messages=20, prefix="conn.")
    produce(broker.bootstrap, otlp_data.records(dataset))
    slowest = 0.0
    with requests.Session() as session:
        # Health answers quickly while every socket is held (checked before the idle timeout can have closed any).
        while time.monotonic() - opened < IDLE_TIMEOUT - 2:
            started = time.monotonic()
            assert session.get(f"{census.api}/api/v1/health", timeout=5).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.05)
    assert slowest < 1.0, f"slowest /health with {IDLE_SOCKETS + HALF_HEADS} sockets held: {slowest:.3f} s"
    early = sum(_closed_by_peer(s) for s in idle)
    assert time.monotonic() - opened >= IDLE_TIMEOUT or early == 0, f"{early} idle sockets closed before the idle timeout"

    offsets = census_factory.offsets(broker, census)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    assert_answers(expected_for(dataset).answers(), fetch_answers(census), context=" with 1,050 sockets held open")

    # census closes every idle and half-sent connection after the idle timeout.
    held = idle + half
    wait_until("census to close the idle and half-sent sockets",
               lambda: sum(_closed_by_peer(s) for s in held) == len(held) or None, timeout=IDLE_TIMEOUT * 6,
               diagnostics=lambda: f"{sum(_closed_by_peer(s) for s in held)} of {len(held)} closed")
    for s in held:
        s.close()

    # A request whose body never finishes is closed after the read timeout.
    with _connect(port) as s:
        s.sendall(b"POST /api/v1/admin/clear HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        s.settimeout(30)
        started = time.monotonic()
        while s.recv(65536):
            pass
        assert time.monotonic() - started < 20

    # Oversize URI and headers get the limit answer, as JSON, and the connection is closed.
    status, headers, body = _raw_request(port, b"GET /api/v1/metrics?service=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414 and headers["content-type"] == "application/json" and json.loads(body) == {"error": "request URI too long"}
    assert headers.get("connection") == "close"
    status, headers, body = _raw_request(port, b"GET /api/v1/metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n")
    assert status == 431 and json.loads(body) == {"error": "request header fields too large"}
    status, headers, body = _raw_request(port, b"GET /api/v1/metrics HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"c" * 200_000 + b"\r\n\r\n")
    assert status == 431 and json.loads(body) == {"error": "request header fields too large"}
    assert census.get("/api/v1/health").status_code == 200 and census.alive()


# ---------------------------------------------------------------------------------------------- item 2: cache bounds
CATALOG_KEYS = 6000  # about 1.2 MB of JSON at ?limit=10000
KEYS_PER_RECORD = 500
FLOOD_REQUESTS = 2048
CACHE_BYTES = 32 << 20
# What the process may grow by beyond the caches: answers being rendered and sent (a few MB each), allocator slack
# and fragmentation of freed bodies, NIO buffers. Measured growth is reported by the test (see docs/GUARANTEES.md).
RSS_SLACK = 96 << 20


def catalog_records(keys: int = CATALOG_KEYS, per_record: int = KEYS_PER_RECORD) -> list[tuple[str, bytes]]:
    """Metric records whose data points carry `keys` distinct attribute keys in all (each key one short value)."""
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    now = time.time_ns()
    out = []
    for first in range(0, keys, per_record):
        request = ExportMetricsServiceRequest()
        rm = request.resource_metrics.add()
        otlp_data.set_attrs(rm.resource.attributes, {"service.name": "cache-flood"})
        # One metric name per record: census keeps at most 1,000 keys per metric name and service.
        metric = rm.scope_metrics.add().metrics.add(name=f"cache.flood.gauge.{first // per_record}")
        point = metric.gauge.data_points.add(time_unix_nano=now, as_double=1.0)
        otlp_data.set_attrs(point.attributes, {f"cache.flood.key.{i:06d}": "v" for i in range(first, min(keys, first + per_record))})
        out.append((otlp_data.METRICS, request.SerializeToString()))
    return out


def flood_queries(count: int = FLOOD_REQUESTS) -> list[dict]:
    """`count` distinct combinations of the parameters `/attributes` reads, each answering most of the catalog."""
    import itertools
    combos = itertools.product(range(16), [None, "metric"], [None, "attribute"], ["cardinality", "count", "key", "first_seen", "last_seen"],
                               ["desc", "asc"], [None, "1"], [None, "5", "100000"])
    out = []
    for offset, signal, scope, sort_by, order, low, high in itertools.islice(combos, count):
        q = {"limit": "10000", "offset": str(offset), "sort_by": sort_by, "sort_order": order}
        for name, value in (("signal_type", signal), ("scope", scope), ("min_cardinality", low), ("max_cardinality", high)):
            if value is not None:
                q[name] = value
        out.append(q)
    assert len({tuple(sorted(q.items())) for q in out}) == count
    return out




def cache_bytes(census) -> dict[str, float]:
    """census_api_cache_bytes by cache, from /metrics."""
    found = {}
    for line in census.get("/metrics").text.splitlines():
        m = re.match(r'census_api_cache_bytes\{cache="([a-z]+)"\}\s+(\S+)', line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


def ingest_catalog(broker, census, census_factory) -> None:
    produce(broker.bootstrap, catalog_records())
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)


def cache_flood(census, check=lambda done: None) -> dict:
    """2,048 requests of `/attributes?limit=10000&x=N` interleaved with 2,048 distinct known-parameter combinations;
    VmRSS sampled throughout. Returns baseline, peak and final RSS, the largest body and timings."""
    pid = census.proc.pid
    queries = flood_queries()
    peak = baseline = rss_bytes(pid)
    largest = 0
    started = time.monotonic()
    with requests.Session() as session:
        for n in range(FLOOD_REQUESTS):
            for params in ({"limit": "10000", "x": str(n)}, queries[n]):
                r = session.get(f"{census.api}/api/v1/attributes", params=params, timeout=60)
                assert r.status_code == 200, f"{params} -> {r.status_code}: {r.text[:300]}"
                largest = max(largest, len(r.content))
            if n % 16 == 15:
                assert census.alive(), census.log_tail()
                peak = max(peak, rss_bytes(pid))
                check(n + 1)
    final = rss_bytes(pid)
    return {"baseline": baseline, "peak": max(peak, final), "final": final, "largest_body": largest, "seconds": time.monotonic() - started}


@pytest.mark.soak
def test_attribute_floods_keep_rss_within_the_cache_bound(clickhouse, broker, census_factory):
    """Item 2: the API caches are bounded by bytes and key on the parameters a route reads, so 4,096 requests for
    ~1 MB answers (2,048 differing only in an unknown parameter, 2,048 distinct filters) pin at most the bound."""
    census = census_factory(broker, clickhouse, api_cache_ttl="60", extra_args=["--api-cache-bytes", str(CACHE_BYTES)])
    ingest_catalog(broker, census, census_factory)
    first = census.get("/api/v1/attributes", params={"limit": "10000"})
    assert first.json()["total"] == CATALOG_KEYS + 1 and len(first.content) >= 1_000_000, (first.json()["total"], len(first.content))

    bounds = []

    def check(done):
        if done % 256 == 0:
            sizes = cache_bytes(census)
            assert set(sizes) == {"reads", "rendered"}, sizes
            assert sum(sizes.values()) <= CACHE_BYTES, f"after {done}: {sizes}"
            bounds.append(sum(sizes.values()))

    result = cache_flood(census, check)
    growth = result["peak"] - result["baseline"]
    print(f"\ncache flood: baseline {result['baseline'] >> 20} MiB, peak {result['peak'] >> 20} MiB (+{growth >> 20} MiB), "
          f"final {result['final'] >> 20} MiB, largest body {result['largest_body']} B, cache bytes max {max(bounds) / (1 << 20):.1f} MiB, "
          f"{result['seconds']:.0f} s")
    assert max(bounds) > CACHE_BYTES / 4, f"the flood should fill the caches: {bounds}"
    assert growth <= CACHE_BYTES + RSS_SLACK, f"RSS grew by {growth >> 20} MiB (bound {CACHE_BYTES >> 20} MiB + slack {RSS_SLACK >> 20} MiB)"
    # Answers after the flood are still whole and right: the catalog is the flood keys plus service.name.
    assert census.get("/api/v1/attributes", params={"limit": "10000", "x": "1"}).content == first.content
    assert census.get("/api/v1/attributes", params={"scope": "attribute", "limit": "1"}).json()["total"] == CATALOG_KEYS
    assert census.get("/api/v1/attributes", params={"scope": "resource"}).json()["total"] == 1
    assert census.get("/api/v1/health").status_code == 200 and census.alive()
