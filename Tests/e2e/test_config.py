"""Invalid configuration: exit code 2 and one line on stderr, before touching Kafka or ClickHouse."""

from __future__ import annotations

import pytest

from harness import free_port, run_census_cli

BROKERS = ["--kafka-brokers", "127.0.0.1:9"]  # nothing listens there; validation must fail first

INVALID = [
    ("flush-rows not a number", ["run", "--flush-rows", "abc", *BROKERS], {}),
    ("flush-rows zero", ["run", "--flush-rows", "0", *BROKERS], {}),
    ("flush-interval negative", ["run", "--flush-interval", "-1", *BROKERS], {}),
    ("clickhouse-url not a URL", ["run", "--clickhouse-url", "not a url", *BROKERS], {}),
    ("clickhouse-url wrong scheme", ["run", "--clickhouse-url", "ftp://127.0.0.1:8123", *BROKERS], {}),
    ("api-addr without port", ["run", "--api-addr", "nonsense", *BROKERS], {}),
    ("encoding unknown", ["run", "--encoding", "xml", *BROKERS], {}),
    ("clickhouse-compression unknown", ["run", "--clickhouse-compression", "zstd", *BROKERS], {}),
    ("env CENSUS_CLICKHOUSE_COMPRESSION", ["consume", *BROKERS], {"CENSUS_CLICKHOUSE_COMPRESSION": "yes"}),
    ("kafka-property without =", ["run", "--kafka-property", "novalue", *BROKERS], {}),
    ("env CENSUS_FLUSH_ROWS", ["run", *BROKERS], {"CENSUS_FLUSH_ROWS": "abc"}),
    ("env CENSUS_CLICKHOUSE_URL", ["run", *BROKERS], {"CENSUS_CLICKHOUSE_URL": "::bad::"}),
    ("env CENSUS_FLUSH_INTERVAL", ["consume", *BROKERS], {"CENSUS_FLUSH_INTERVAL": "soon"}),
    ("analyzer-threads zero", ["consume", "--analyzer-threads", "0", *BROKERS], {}),
    ("env CENSUS_ANALYZER_THREADS", ["run", *BROKERS], {"CENSUS_ANALYZER_THREADS": "many"}),
    ("serve: bad api-addr", ["serve", "--api-addr", "127.0.0.1:notaport"], {}),
]


@pytest.mark.parametrize("case,args,env", INVALID, ids=[c for c, _, _ in INVALID])
def test_invalid_configuration_exits_2_with_one_line(case, args, env):
    p = run_census_cli(args, timeout=20, env=env)
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert p.returncode == 2, f"{case}: exit {p.returncode}, expected 2\nstderr: {p.stderr[-1500:]}\nstdout: {p.stdout[-500:]}"
    assert len(lines) == 1, f"{case}: expected one line on stderr, got {len(lines)}:\n{p.stderr[-1500:]}"


def test_unknown_option_fails():
    p = run_census_cli(["run", "--no-such-option", "1"], timeout=20)
    assert p.returncode != 0 and p.stderr.strip(), (p.returncode, p.stderr)


def test_help_works():
    p = run_census_cli(["--help"], timeout=20)
    assert p.returncode == 0 and "run" in p.stdout, (p.returncode, p.stdout, p.stderr)
