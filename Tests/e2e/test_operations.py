"""Operations on the real binary: Prometheus /metrics, /readyz, broker outages at start and later (recovery without
restart), rejected ClickHouse credentials (exit 2, secret never printed), JSON logs, configuration file and
`census config` (precedence, redaction).

Cost: about 40 s on 2 cores (the broker-outage test is most of it: two outages of a few seconds each).
"""

from __future__ import annotations

import json
import re
import signal
import time

import requests

import otlp_data
from compare import assert_answers, fetch_answers
from expect import expected_for
from harness import ROOT, free_port, run_census_cli, wait_until
from kafka_util import produce

# librdkafka statistics (group state, brokers, lag) every 500 ms instead of 2 s, so readiness follows quickly.
FAST_STATS = ["--kafka-property", "statistics.interval.ms=500"]
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$")


def scrape(census) -> dict[str, float]:
    """`GET /metrics` as {'name{labels}': value}; fails on any line that is not valid exposition text."""
    r = census.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain"), r.headers
    samples = {}
    for line in r.text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not Prometheus exposition text: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def readyz(census) -> tuple[int, dict]:
    r = requests.get(f"{census.api}/readyz", timeout=10)
    return r.status_code, r.json()


def wait_ready(census, want: int, reason: str = "", timeout: float = 45) -> dict:
    """Waits until /readyz answers `want` (and, for 503, a reason containing `reason`)."""
    def check():
        assert census.alive(), f"census exited\n{census.log_tail()}"
        status, body = readyz(census)
        return body if status == want and reason in body.get("reason", "") else None
    return wait_until(f"/readyz {want} {reason}", check, timeout=timeout, diagnostics=census.log_tail)


def test_metrics_and_readiness_after_ingest(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse, extra_args=FAST_STATS)
    body = wait_ready(census, 200)
    assert body["status"] == "ready" and set(body["checks"]) == {"clickhouse", "schema", "kafka"}, body
    assert all(c["ok"] for c in body["checks"].values()), body

    dataset = otlp_data.build_dataset(seed=51, messages=6)
    records = otlp_data.records(dataset)
    produce(broker.bootstrap, records)
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    census.get("/api/v1/health")
    census.get("/api/v1/metrics", params={"limit": 1})
    census.get("/api/v1/metrics/no.such.metric", expect=404)

    def caught_up():
        m = scrape(census)
        lags = {k: v for k, v in m.items() if k.startswith("census_kafka_consumer_lag{")}
        return m if m.get("census_ingest_records_total") == len(records) and len(lags) == 12 and not any(lags.values()) else None
    m = wait_until("metrics to show every record and zero lag", caught_up, timeout=30, diagnostics=lambda: "\n".join(l for l in census.get("/metrics").text.splitlines() if "lag" in l or "records" in l) + f"\nproduced {len(records)}")

    assert m["census_ingest_bytes_total"] == sum(len(v) for _, v in records)
    assert m["census_ingest_data_points_total"] > 0
    assert m["census_flushes_total"] >= 1 and m["census_flush_duration_seconds_count"] == m["census_flushes_total"]
    assert m['census_kafka_commits_total{outcome="ok"}'] >= 1
    assert m['census_clickhouse_requests_total{statement="insert",outcome="ok"}'] >= 1
    assert m["census_kafka_assigned_partitions"] == 12 and m["census_kafka_paused_partitions"] == 0
    assert m["census_kafka_brokers_up"] == 1
    assert m["census_quarantined_records_total"] == 0
    assert 0 <= m["census_buffer_fill_ratio"] <= 1
    assert m['census_http_requests_total{route="/api/v1/metrics/{name}",method="GET",status="404"}'] == 1
    assert m['census_http_requests_total{route="/api/v1/health",method="GET",status="200"}'] >= 1
    assert 'census_http_request_duration_seconds_count{route="/api/v1/metrics",method="GET",status="200"}' in m

    # Every metric census exports is documented in docs/OPERATIONS.md.
    families = {re.sub(r"_(bucket|sum|count)$", "", k.split("{")[0]) for k in m if k.startswith("census_")}
    operations = (ROOT / "docs" / "OPERATIONS.md").read_text()
    undocumented = sorted(f for f in families if f"`{f}`" not in operations and f not in operations)
    assert not undocumented, f"metrics missing from docs/OPERATIONS.md: {undocumented}"


def test_broker_unreachable_at_start_and_later_recovers_without_restart(clickhouse, broker, census_factory):
    broker.proc.send(signal.SIGUSR1)  # brokers down before census starts
    time.sleep(0.5)
    census = census_factory(broker, clickhouse, extra_args=FAST_STATS)  # liveness (/api/v1/health) answers anyway
    body = wait_ready(census, 503, reason="no Kafka broker connected")
    assert body["checks"]["clickhouse"]["ok"] and not body["checks"]["kafka"]["ok"], body
    wait_until("a clear log line about the unreachable broker", lambda: "no Kafka broker reachable" in census.log_text(),
               timeout=15, diagnostics=census.log_tail)
    pid = census.proc.pid

    broker.proc.send(signal.SIGUSR2)  # the broker arrives
    wait_ready(census, 200)
    first = otlp_data.build_dataset(seed=61, messages=5, prefix="a.")
    produce(broker.bootstrap, otlp_data.records(first))
    offsets = census_factory.offsets(broker, census)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    offsets.close()  # its own client would only log connection errors during the outage

    broker.proc.send(signal.SIGUSR1)  # outage while running
    body = wait_ready(census, 503, reason="no Kafka broker connected")
    assert census.log_text().count("no Kafka broker reachable") >= 2, census.log_tail()
    time.sleep(2)
    assert census.alive()
    broker.proc.send(signal.SIGUSR2)
    wait_ready(census, 200)
    assert "Kafka brokers reachable again" in census.log_text(), census.log_tail()

    second = otlp_data.build_dataset(seed=62, messages=5, prefix="b.")
    produce(broker.bootstrap, otlp_data.records(second))
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    assert census.proc.pid == pid and census.starts == 1 and census.alive()
    assert_answers(expected_for(otlp_data.merge(first, second)).answers(), fetch_answers(census), context=" after two broker outages")


def test_wrong_clickhouse_credentials_exit_2_without_leaking_the_secret(clickhouse, tmp_path):
    secret = "Wr0ng-S3cret-value"
    p = run_census_cli(["run", "--kafka-brokers", "127.0.0.1:9", "--clickhouse-url", clickhouse.url, "--clickhouse-user", "census",
                        "--api-addr", f"127.0.0.1:{free_port()}", "--database", "e2e_badcreds"],
                       env={"CENSUS_CLICKHOUSE_PASSWORD": secret}, timeout=60)
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert "refused user 'census'" in p.stderr and "CENSUS_CLICKHOUSE_PASSWORD" in p.stderr, p.stderr[-2000:]
    assert secret not in p.stderr + p.stdout

    # The same secret in the URL's user information and in a password file: never printed either.
    pw_file = tmp_path / "pw"
    pw_file.write_text(secret + "\n")
    url = clickhouse.url.replace("http://", f"http://census:{secret}@")
    for args in (["--clickhouse-url", url], ["--clickhouse-url", clickhouse.url, "--clickhouse-user", "nobody",
                                             "--clickhouse-password-file", str(pw_file)]):
        p = run_census_cli(["consume", "--kafka-brokers", "127.0.0.1:9", "--database", "e2e_badcreds", "--log-format", "json", *args], timeout=60)
        assert p.returncode == 2, (args, p.returncode, p.stderr[-2000:])
        assert secret not in p.stderr + p.stdout, p.stderr
        assert "refused user" in p.stderr.splitlines()[-1], p.stderr[-2000:]


def test_allocator_mmap_threshold_is_fixed_unless_the_environment_sets_it(clickhouse):
    """glibc's mmap threshold is fixed at 16 MiB at start (docs/OPERATIONS.md, "Memory bound"), and left alone when
    GLIBC_TUNABLES (or the legacy MALLOC_MMAP_THRESHOLD_) sets it; the start-up line says which."""
    def start_event(env):
        # Wrong credentials end the process right after the start-up line (exit 2), no broker needed.
        p = run_census_cli(["consume", "--kafka-brokers", "127.0.0.1:9", "--clickhouse-url", clickhouse.url, "--clickhouse-user", "census",
                            "--database", "e2e_alloc", "--log-format", "json"], env={"CENSUS_CLICKHOUSE_PASSWORD": "wrong", **env}, timeout=60)
        assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
        events = [json.loads(line) for line in p.stderr.splitlines() if line.startswith("{")]
        return next(e for e in events if e["msg"] == "census starting")

    assert start_event({"GLIBC_TUNABLES": ""})["allocator"] == "mmap_threshold=16777216"
    tunables = "glibc.malloc.arena_max=4:glibc.malloc.mmap_threshold=262144"
    assert start_event({"GLIBC_TUNABLES": tunables})["allocator"] == \
        "mmap_threshold from GLIBC_TUNABLES glibc.malloc.mmap_threshold=262144"
    assert start_event({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"})["allocator"] == "mmap_threshold=16777216"
    assert start_event({"MALLOC_MMAP_THRESHOLD_": "65536"})["allocator"] == "mmap_threshold from MALLOC_MMAP_THRESHOLD_=65536"


def test_password_file_and_json_logs(clickhouse, tmp_path):
    """The right password from a file: `census serve` starts, is ready, logs JSON lines and never the password."""
    pw_file = tmp_path / "pw"
    pw_file.write_text("census-secret\n")  # the password of user `census` in scripts/lib/clickhouse.sh
    port = free_port()
    from harness import Proc, census_bin
    proc = Proc("census", [str(census_bin()), "serve", "--clickhouse-url", clickhouse.url, "--clickhouse-user", "census",
                           "--clickhouse-password-file", str(pw_file), "--database", "e2e_pwfile", "--api-addr", f"127.0.0.1:{port}",
                           "--log-format", "json"], tmp_path / "serve.log")
    try:
        def ready():
            assert proc.alive(), proc.log_tail()
            r = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            return r.status_code in (200, 503) and r.json()
        body = wait_until("serve /readyz", ready, timeout=30, diagnostics=proc.log_tail)
        # serve does not migrate: the schema check says so (ready once a consumer migrated the database).
        assert body["checks"]["clickhouse"]["ok"] and "kafka" not in body["checks"], body
    finally:
        proc.stop()
    lines = [line for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    assert lines, "no JSON log lines"
    events = [json.loads(line) for line in lines]
    assert all({"ts", "level", "logger", "msg"} <= set(e) for e in events), events[:3]
    start = next(e for e in events if e["msg"] == "census starting")
    assert start["config"]["CENSUS_CLICKHOUSE_PASSWORD"].startswith("<redacted>"), start["config"]
    assert "census-secret" not in (tmp_path / "serve.log").read_text()


def test_config_file_precedence_and_redaction(tmp_path):
    cfg = tmp_path / "census.env"
    cfg.write_text("# census configuration\nCENSUS_GROUP=from-file\nexport CENSUS_FLUSH_ROWS='1234'\nCENSUS_DATABASE=file_db\n"
                   "CENSUS_ADMIN_TOKEN=file-token-value\nCENSUS_KAFKA_PROPERTIES=sasl.password=kafka-secret,fetch.wait.max.ms=50\n")
    p = run_census_cli(["config", "--config", str(cfg), "--database", "flag_db",
                        "--clickhouse-url", "http://alice:url-secret@127.0.0.1:8123"], env={"CENSUS_FLUSH_ROWS": "99"})
    assert p.returncode == 0, p.stderr
    sections, current = {}, None
    for line in p.stdout.splitlines():
        if line.startswith("# from "):
            current = line[len("# from "):]
        elif "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            sections[name] = (value, current)
    assert sections["CENSUS_DATABASE"] == ("flag_db", "flag")          # flag > file
    assert sections["CENSUS_FLUSH_ROWS"] == ("99", "env")              # env > file
    assert sections["CENSUS_GROUP"] == ("from-file", "file")           # file > default
    assert sections["CENSUS_API_ADDR"] == ("127.0.0.1:8090", "default")
    assert sections["CENSUS_CLICKHOUSE_URL"] == ("http://127.0.0.1:8123", "flag")
    assert sections["CENSUS_CLICKHOUSE_USER"] == ("alice", "flag")                  # from the URL given as a flag
    assert sections["CENSUS_CLICKHOUSE_PASSWORD"] == ("<redacted>", "flag")
    assert sections["CENSUS_ADMIN_TOKEN"][0] == "<redacted>"
    assert "sasl.password=<redacted>" in sections["CENSUS_KAFKA_PROPERTIES"][0]
    for secret in ("url-secret", "file-token-value", "kafka-secret"):
        assert secret not in p.stdout + p.stderr

    bad = tmp_path / "bad.env"
    bad.write_text("CENSUS_GROUP=x\nkafka-brokers=oops\n")
    p = run_census_cli(["config"], env={"CENSUS_CONFIG": str(bad)})
    assert p.returncode == 2 and "bad.env:2" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    p = run_census_cli(["run", "--config", str(tmp_path / "missing.env")])
    assert p.returncode == 2 and "cannot read the configuration file" in p.stderr, p.stderr
