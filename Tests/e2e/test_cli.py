"""The other commands: `census produce-demo`, `census lag`, `census consume` and `census serve`."""

from __future__ import annotations

import json
import re

import otlp_data
from compare import assert_answers, fetch_answers
from expect import expected_for
from harness import run_census_cli, unique_name
from kafka_util import produce


def _lag(broker, group, wait):
    p = run_census_cli(["lag", "--kafka-brokers", broker.bootstrap, "--group", group, "--wait", str(wait)], timeout=wait + 60)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    assert lines and "lag" in lines[-1], f"census lag printed no summary line: {p.stdout!r} {p.stderr[-500:]!r}"
    return p.returncode, lines


def test_produce_demo_then_lag_until_caught_up(clickhouse, broker, census_factory):
    p = run_census_cli(["produce-demo", "--kafka-brokers", broker.bootstrap, "--records", "300", "--seed", "5"], timeout=120)
    assert p.returncode == 0, f"produce-demo exit {p.returncode}: {p.stderr[-1500:]}"
    assert p.stdout.strip(), "produce-demo printed no summary line"

    group = unique_name("g")
    rc, lines = _lag(broker, group, 2)
    assert rc == 1 and lines[-1]["lag"] > 0, f"lag --wait must fail while nothing is consumed: rc {rc}, {lines[-1]}"
    partitions = [line for line in lines[:-1]]
    assert len(partitions) >= 3, f"expected one JSON line per partition, got {lines}"

    census = census_factory(broker, clickhouse, group=group)
    rc, lines = _lag(broker, group, 60)
    assert rc == 0 and lines[-1]["lag"] == 0, f"rc {rc}: {lines[-1]}\n{census.log_tail()}"
    # The independent reader agrees.
    assert census_factory.offsets(broker, census).lag()[0] == 0

    a = fetch_answers(census)
    types = {m.get("type") for m in a["metrics"].values()}
    assert types >= {"Gauge", "Sum", "Histogram", "ExponentialHistogram", "Summary"}, types
    services = set().union(*(m.get("services", {}).keys() for m in a["metrics"].values()))
    assert len(services) >= 2, services
    assert any(s.get("event_names") for s in a["spans"].values()), "demo spans have no events"
    assert any(s.get("link_attribute_keys") for s in a["spans"].values()), "demo spans have no link attributes"
    assert any(l.get("body_templates") for l in a["logs"].values()), "demo logs have no body templates"


def test_produce_demo_json_and_compression(clickhouse, broker, census_factory):
    for enc, codec in (("json", "gzip"), ("proto", "zstd"), ("json", "lz4"), ("proto", "snappy")):
        p = run_census_cli(["produce-demo", "--kafka-brokers", broker.bootstrap, "--records", "60", "--encoding", enc,
                            "--compression", codec, "--seed", "9"], timeout=120)
        assert p.returncode == 0, f"produce-demo {enc}/{codec}: exit {p.returncode}: {p.stderr[-1000:]}"
    census = census_factory(broker, clickhouse)
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    assert fetch_answers(census)["metrics"], "nothing consumed"
    undecodable = [line for line in census.log_text().splitlines() if re.search(r"decod|malformed|invalid record", line, re.I)]
    assert not undecodable, "census could not decode its own demo records:\n" + "\n".join(undecodable[:10])


def test_consume_and_serve_as_separate_processes(clickhouse, broker, census_factory):
    """`census consume` (no API) and `census serve` (no consumer) on one database answer like `census run`."""
    data = otlp_data.build_dataset(seed=71, messages=10)
    consumer = census_factory(broker, clickhouse, command="consume", start=False, name="consume")
    consumer.start()
    produce(broker.bootstrap, otlp_data.records(data))
    census_factory.offsets(broker, consumer).wait_caught_up(diagnostics=consumer.log_tail)
    assert consumer.alive()
    server = census_factory(broker, clickhouse, command="serve", database=consumer.database, name="serve")
    assert_answers(expected_for(data).answers(), fetch_answers(server), context=" (consume + serve)")
