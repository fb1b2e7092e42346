#!/usr/bin/env python3
"""Read benchmark of the V1 API (issue 3): p50/p95/p99 latency and errors at 50 connections while ingest runs.

    .venv/bin/python scripts/bench-read.py [--metrics 10000] [--spans 1000] [--keys-per-metric 10]
                                          [--connections 50] [--rate 1000] [--duration 20] [--census .build/release/census]

It starts its own ClickHouse 18.16, `census dev-broker` and `census run` on free 127.0.0.1 ports, stores 10,000 metrics,
1,000 span names and 100,000 distinct attribute keys through the real pipeline (Kafka -> census -> ClickHouse), then
runs `wrk` against a rotating mix of every read endpoint while a producer keeps feeding new telemetry (every stored metric
exported again once per `--reexport-seconds`, default 60 s as an OpenTelemetry SDK does). The baseline,
measured in the same run with the same connections, is `GET /api/v1/health` (no storage access): the figures are also
reported as ratios to it. Every loop is bounded in count and time; everything stops by itself.

The latency targets (p95 <= 5 ms, p99 <= 20 ms, no errors) apply at a stated offered load: `--rate` requests/s spread over
the connections (default 1,000/s, 20x the 50 req/s of the reference's read test). A closed loop that sends as fast as
the server answers measures throughput, not latency (its latency is just connections / throughput), so that run is
reported separately as `read_mix_unpaced` (requests/s the API sustains; its errors count against the target too).
Requests carry `Accept-Encoding: gzip`, as browsers and dashboards send (a service overview here is 1.5 MB of JSON);
`read_mix_without_gzip` repeats the timed run without it, for reference.

Everything is stored on one day by default, so the changes feed compares today against an empty yesterday (every key
new: the largest answer). `--history-days N` copies today's rows to the N-1 days before it once the load is stored
(one INSERT ... SELECT per day), so the changes feed compares full days, the realistic daily case; from 14 days the mix
also asks for a week against the week before (`changes?since&until` among the first reads).
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))

import requests  # noqa: E402
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest  # noqa: E402
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest  # noqa: E402
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest  # noqa: E402

from harness import ClickHouse, Census, DevBroker, wait_until  # noqa: E402
from kafka_util import produce  # noqa: E402

SERVICES = [f"svc-{i}" for i in range(8)]

WRK_SCRIPT = r"""
local urls = {}
for line in io.lines(os.getenv("BENCH_URLS")) do urls[#urls + 1] = line end
counter = 0
errors = 0
-- Like a browser or a dashboard, ask for gzip (BENCH_IDENTITY=1: don't).
request_headers = {}
if os.getenv("BENCH_IDENTITY") ~= "1" then request_headers["Accept-Encoding"] = "gzip" end
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  counter = offset or 0
  math.randomseed(counter + 1)
end
-- Paced mode (BENCH_DELAY_MS > 0): each connection waits a random 0..2x the mean gap before its next request, so the
-- whole run offers about connections * 1000 / mean requests per second instead of as many as the server can take.
local mean_delay = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if mean_delay > 0 then
  function delay()
    return math.random() * 2 * mean_delay
  end
end
function request()
  counter = counter + 1
  return wrk.format("GET", urls[(counter % #urls) + 1], request_headers)
end
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("errors") end
  io.write(string.format("RESULT requests=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d non200=%d socket_errors=%d duration_us=%d\n",
    summary.requests, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    summary.duration))
end
"""


def kv(key, value):
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    return KeyValue(key=key, value=AnyValue(string_value=value))


def metric_records(first: int, count: int, keys_per_metric: int, rng: random.Random, per_record: int = 200):
    """OTLP metric export requests for metrics first..first+count, each with its own label keys (so keys add up)."""
    records = []
    for start in range(first, first + count, per_record):
        req = ExportMetricsServiceRequest()
        rm = req.resource_metrics.add()
        rm.resource.attributes.extend([kv("service.name", SERVICES[start // per_record % len(SERVICES)]), kv("host.name", "h1")])
        sm = rm.scope_metrics.add()
        sm.scope.name = "bench"
        for i in range(start, min(start + per_record, first + count)):
            m = sm.metrics.add()
            m.name = f"bench.metric.{i:05d}"
            m.unit = "1"
            m.sum.aggregation_temporality = 2
            m.sum.is_monotonic = True
            for point in range(2):
                dp = m.sum.data_points.add()
                dp.as_int = point
                dp.time_unix_nano = time.time_ns()
                dp.attributes.extend(kv(f"m{i:05d}.k{j}", f"v{rng.randrange(50)}") for j in range(keys_per_metric))
        records.append(("otlp_metrics", req.SerializeToString()))
    return records


def span_records(count: int, per_record: int = 100):
    records = []
    for start in range(0, count, per_record):
        req = ExportTraceServiceRequest()
        rs = req.resource_spans.add()
        rs.resource.attributes.append(kv("service.name", SERVICES[start // per_record % len(SERVICES)]))
        ss = rs.scope_spans.add()
        for i in range(start, min(start + per_record, count)):
            span = ss.spans.add()
            span.name = f"GET /bench/{i:04d}"
            span.kind = 2
            span.trace_id = os.urandom(16)
            span.span_id = os.urandom(8)
            span.attributes.extend([kv("http.method", "GET"), kv("http.route", f"/bench/{i:04d}")])
        records.append(("otlp_spans", req.SerializeToString()))
    return records


def log_records(count: int):
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    rl.resource.attributes.append(kv("service.name", SERVICES[0]))
    sl = rl.scope_logs.add()
    for i in range(count):
        record = sl.log_records.add()
        record.severity_text = ["INFO", "WARN", "ERROR", "DEBUG"][i % 4]
        record.severity_number = [9, 13, 17, 5][i % 4]
        record.body.string_value = f"user {i} logged in from 10.0.{i % 256}.{i % 7}"
        record.attributes.append(kv("user.id", f"u{i}"))
    return [("otlp_logs", req.SerializeToString())]


def metric_key(metric: str, index: int) -> str:
    """Label key `index` of the ones `metric_records` gives `metric` (`bench.metric.00042`, 3 -> `m00042.k3`)."""
    return f"m{metric.rsplit('.', 1)[1]}.k{index}"


def total(census: Census, path: str, field: str = "total") -> int:
    return census.get(path, params={"limit": 1}).json()[field]


def route_histograms(census: Census) -> dict:
    """census's own request histograms (`census_http_request_duration_seconds`) by route: bucket counts, sum, count."""
    routes: dict = {}
    pattern = re.compile(r'census_http_request_duration_seconds_(bucket|sum|count)\{(.*)\} (\S+)$')
    for line in requests.get(census.api + "/metrics", timeout=30).text.splitlines():
        m = pattern.match(line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        if labels.get("method") != "GET":
            continue
        entry = routes.setdefault(labels["route"], {"buckets": {}, "sum": 0.0, "count": 0.0})
        if m.group(1) == "bucket":
            le = labels["le"]
            entry["buckets"][le] = entry["buckets"].get(le, 0.0) + float(m.group(3))
        else:
            entry[m.group(1)] += float(m.group(3))
    return routes


def route_breakdown(before: dict, after: dict) -> dict:
    """Per route, between two scrapes: requests, mean, and the share answered within 5 ms / over 100 ms (server side)."""
    out = {}
    for route, a in after.items():
        b = before.get(route, {"buckets": {}, "sum": 0.0, "count": 0.0})
        count = a["count"] - b["count"]
        if count <= 0:
            continue
        within = lambda le: (a["buckets"].get(le, 0.0) - b["buckets"].get(le, 0.0)) / count  # noqa: E731
        out[route] = {"requests": int(count), "mean_ms": round((a["sum"] - b["sum"]) / count * 1000, 2),
                      "within_5ms": round(within("0.005"), 4), "over_100ms": round(1 - within("0.1"), 4)}
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["mean_ms"]))


def run_wrk(url_file: Path, base: str, connections: int, duration: int, rate: int = 0, identity: bool = False) -> dict:
    """wrk with `connections` connections; `rate` > 0 paces them to about that many requests per second in all."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
        script = f.name
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "5s", "-s", script, base],
                         capture_output=True, text=True, timeout=duration + 60, env={**os.environ, "BENCH_URLS": str(url_file),
                                                                               "BENCH_DELAY_MS": str(1000 * connections / rate if rate > 0 else 0),
                                                                               "BENCH_IDENTITY": "1" if identity else "0"})
    os.unlink(script)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    result = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def copy_to_earlier_days(clickhouse: ClickHouse, database: str, today: str, days: int) -> None:
    """Copies the data rows of `today` (YYYY-MM-DD, UTC: signal, key, template and catalog rows, their aggregate states
    as they are) to each of the `days` days before it, one INSERT … SELECT per day, as if the same telemetry had
    arrived every day."""
    columns = clickhouse.query(f"SELECT name FROM system.columns WHERE database = '{database}' AND table = 'metadata' FORMAT TSV").split()
    shifted = ", ".join(f"day - {{n}}" if c == "day" else c for c in columns)
    for n in range(1, days + 1):
        clickhouse.query(f"INSERT INTO {database}.metadata ({', '.join(columns)}) SELECT {shifted.format(n=n)} "
                         f"FROM {database}.metadata WHERE kind IN (1, 2, 3, 5) AND day = toDate('{today}')", timeout=300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--metrics", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=1_000)
    parser.add_argument("--keys-per-metric", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--rate", type=int, default=1000,
                        help="requests/s offered over the connections in the timed runs (the targets apply to these); "
                             "a further unpaced run measures the most the API serves (0: only the unpaced run)")
    parser.add_argument("--census", default=str(ROOT / ".build" / "release" / "census"))
    parser.add_argument("--census-arg", action="append", default=[], help="extra census argument (repeatable)")
    parser.add_argument("--distinct", type=int, default=20,
                        help="distinct URLs per endpoint kind in the mix (a dashboard's hot set; 200 makes most reads miss the cache)")
    parser.add_argument("--reexport-seconds", type=float, default=60,
                        help="ingest during the runs: every stored metric is exported again once per this many seconds "
                             "(60: the OpenTelemetry SDK's default export interval; 10 for a stress run; 0: no ingest)")
    parser.add_argument("--hold", type=int, default=0,
                        help="investigate: after loading, write the URL mix and keep everything running (and fed) this many seconds")
    parser.add_argument("--only", default="", help="regex: time only the endpoint URLs that match it")
    parser.add_argument("--history-days", type=int, default=1,
                        help="days of data (1-60): after loading, today's rows are copied to the days before it, so the "
                             "changes feed compares full days (and, from 14, a week against the week before)")
    args = parser.parse_args()
    os.environ["CENSUS_BIN"] = args.census

    work = Path(tempfile.mkdtemp(prefix="census-bench-read-"))
    rng = random.Random(7)
    clickhouse = ClickHouse(work / "clickhouse").start()
    broker = DevBroker(work, partitions=4)
    census = Census(work, broker.bootstrap, clickhouse.url, flush_interval="1", extra_args=args.census_arg, api_cache_ttl=None).start()
    stop_feeding = threading.Event()
    try:
        t0 = time.monotonic()
        produce(broker.bootstrap, metric_records(0, args.metrics, args.keys_per_metric, rng) + span_records(args.spans)
                + log_records(2_000), compression="zstd")
        expected_keys = args.metrics * args.keys_per_metric
        wait_until("every metric, span and key stored",
                   lambda: total(census, "/api/v1/metrics") == args.metrics and total(census, "/api/v1/spans") == args.spans
                   and total(census, "/api/v1/attributes") >= expected_keys, timeout=600, interval=2)
        load_seconds = time.monotonic() - t0
        stored = {"metrics": total(census, "/api/v1/metrics"), "spans": total(census, "/api/v1/spans"),
                  "attribute_keys": total(census, "/api/v1/attributes")}
        # One UTC day for the whole run: the copies, the changes URLs and the week-against-week window.
        today = time.strftime("%Y-%m-%d", time.gmtime())
        history_days = max(1, min(60, args.history_days))
        if history_days > 1:
            copy_to_earlier_days(clickhouse, census.database, today, history_days - 1)
            stored["days"] = history_days

        # Ingest keeps running during the measurement: every stored metric is exported again, with new values, once per
        # --reexport-seconds, in records of 200 metrics (bounded by count and by the stop event).
        gap = 200 * args.reexport_seconds / args.metrics if args.reexport_seconds > 0 else 0

        def feed():
            first = 0
            for round_ in range(100_000):
                if stop_feeding.is_set() or gap == 0:
                    return
                produce(broker.bootstrap, metric_records(first, min(200, args.metrics - first), args.keys_per_metric, rng), compression="zstd")
                first = (first + 200) % args.metrics
                stop_feeding.wait(gap)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()

        q = urllib.parse.quote
        mix = []
        for i in range(args.distinct):
            metric = f"bench.metric.{rng.randrange(args.metrics):05d}"
            mix += [f"/api/v1/metrics?limit=100&offset={rng.randrange(0, args.metrics, 100)}",
                    f"/api/v1/metrics/{q(metric, safe='')}",
                    f"/api/v1/metrics?service={SERVICES[i % len(SERVICES)]}&limit=50",
                    f"/api/v1/spans?limit=100&offset={rng.randrange(0, args.spans, 100)}",
                    f"/api/v1/spans/{q(f'GET /bench/{rng.randrange(args.spans):04d}', safe='')}",
                    "/api/v1/logs", "/api/v1/logs/INFO",
                    f"/api/v1/attributes?limit=100&offset={rng.randrange(0, expected_keys, 100)}",
                    f"/api/v1/attributes?sort_by=key&sort_order=asc&limit=50&signal_type=metric",
                    f"/api/v1/attributes/{q(f'm{rng.randrange(args.metrics):05d}.k{rng.randrange(args.keys_per_metric)}', safe='')}",
                    "/api/v1/services", f"/api/v1/services/{SERVICES[i % len(SERVICES)]}/overview",
                    "/api/v1/cardinality/high?threshold=10&limit=100", "/api/v1/cardinality/complexity?threshold=5",
                    "/api/v1/logs/patterns?minCount=1", "/api/v1/logs/by-service",
                    f"/api/v2/history?signal=metric&name={q(metric, safe='')}",
                    f"/api/v2/history?signal=metric&name={q(metric, safe='')}&key={metric_key(metric, i % args.keys_per_metric)}",
                    # With one day of data, against yesterday every name, key and service is new: the largest answer.
                    # With --history-days, today against a full yesterday: every key's sketches of two days merged.
                    f"/api/v2/changes?since={today}&limit=100&offset={100 * (i % 3)}",
                    f"/api/v2/changes?since={today}&min_severity=warning&sort=delta",
                    f"/api/v2/metrics/{q(metric, safe='')}/labels", f"/api/v2/metrics?limit=100&offset={100 * (i % 5)}",
                    f"/api/v2/keys/{q(metric_key(metric, i % args.keys_per_metric), safe='')}",
                    f"/api/v2/services/{SERVICES[i % len(SERVICES)]}?limit=100", "/api/v2/system/clickhouse", "/api/v2/system/tables"]
            # Store-wide reports are few per dashboard (each one merges every metric or every key): two URLs each.
            if i < 2:
                mix += ["/api/v2/metrics?sort=series&limit=50", f"/api/v2/status/tsdb?topN={10 + i}",
                        f"/api/v2/status/tsdb?focusLabel={metric_key(metric, 0)}"]
                if history_days >= 14:
                    week_ago = time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm(time.strptime(today, "%Y-%m-%d")) - 6 * 86400))
                    mix.append(f"/api/v2/changes?since={week_ago}&until={today}&limit={100 + i}")
        mix = [u for u in mix if re.search(args.only, u)]
        mix *= max(1, 200 // max(1, args.distinct))
        rng.shuffle(mix)
        mix_file, health_file = work / "mix.txt", work / "health.txt"
        mix_file.write_text("\n".join(mix) + "\n")
        health_file.write_text("/api/v1/health\n")
        if args.hold:
            print(f"holding {args.hold} s: API {census.api}, URL mix {mix_file}, ClickHouse {clickhouse.url}", file=sys.stderr, flush=True)
            stop_feeding.wait(args.hold)
            return 0
        baseline = run_wrk(health_file, census.api, args.connections, args.duration, args.rate)
        # Every URL of the mix must answer 200 before it is timed; the first (uncached) answer of each endpoint kind is
        # timed here one by one, as the cost of a cache miss.
        first_read_ms: dict[str, float] = {}
        for path in sorted(set(mix)):
            kind = re.sub(r"/api/v1/(\w+)/[^?]+", r"/api/v1/\1/{x}", path)
            kind = re.sub(r"/api/v2/(metrics|keys|services)/[^/?]+", r"/api/v2/\1/{x}", kind)
            # One kind per route and set of parameter names: `/api/v2/status/tsdb?focusLabel` and `?topN` apart.
            names = sorted({p.split("=", 1)[0] for p in urllib.parse.urlsplit(path).query.split("&") if p})
            kind = re.sub(r"\?.*", "", kind) + ("?" + "&".join(names) if names else "")
            started = time.monotonic()
            r = requests.get(census.api + path, timeout=300)
            elapsed = (time.monotonic() - started) * 1000
            if r.status_code != 200:
                raise SystemExit(f"{path} -> {r.status_code}: {r.text[:300]}")
            if kind not in first_read_ms:
                first_read_ms[kind] = round(elapsed, 1)
                print(f"first read {kind}: {elapsed:.1f} ms", file=sys.stderr, flush=True)
        # A dashboard that is already open: 3 untimed seconds of the same load, so every URL was asked for recently.
        run_wrk(mix_file, census.api, args.connections, 3, args.rate)
        before = route_histograms(census)
        reads = run_wrk(mix_file, census.api, args.connections, args.duration, args.rate)
        by_route = route_breakdown(before, route_histograms(census))
        saturated = run_wrk(mix_file, census.api, args.connections, args.duration) if args.rate > 0 else reads
        identity = run_wrk(mix_file, census.api, args.connections, args.duration, args.rate, identity=True)
        stop_feeding.set()
        feeder.join(timeout=60)

        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        report = {
            "machine": {"cores": os.cpu_count(), "cpu": cpu},
            "stored": stored, "initial_load_seconds": round(load_seconds, 1),
            "ingest_during_runs": {"metrics_per_second": round(args.metrics / args.reexport_seconds) if args.reexport_seconds > 0 else 0,
                                   "key_updates_per_second": round(args.metrics * args.keys_per_metric / args.reexport_seconds)
                                   if args.reexport_seconds > 0 else 0},
            "connections": args.connections, "duration_s": args.duration, "offered_rate_rps": args.rate or "unpaced",
            "endpoint_mix_urls": len(set(mix)),
            "first_uncached_read_ms": first_read_ms, "baseline_health": baseline, "read_mix": reads,
            "read_mix_by_route": by_route,
            "read_mix_unpaced": saturated,
            "read_mix_without_gzip": identity,
            "ratios_to_baseline": {p: round(reads[p] / max(1, baseline[p]), 2) for p in ("p50_us", "p95_us", "p99_us")},
            "targets": {"p95_le_5ms": reads["p95_us"] <= 5_000, "p99_le_20ms": reads["p99_us"] <= 20_000,
                        "zero_errors": all(r["non200"] == 0 and r["socket_errors"] == 0 for r in (reads, saturated))},
        }
        print(json.dumps(report, indent=2))
        return 0 if all(report["targets"].values()) else 1
    finally:
        stop_feeding.set()
        census.stop()
        broker.stop()
        clickhouse.stop()


if __name__ == "__main__":
    sys.exit(main())
