"""Exactly-once results (issue 4): kill -9 at random instants, a 60 s ClickHouse outage, members killed and added,
replays into populated and cleared stores, and malformed records — each with a fixed data set whose answers are known
(expect.py), compared on every V1 list endpoint and every detail endpoint.

Cost: about 4 minutes in total, measured on a shared 2-core machine (ClickHouse outage ~100 s — 60 s of it by
design —, kill -9 ~65 s, three members ~23 s, offset regression ~16 s, replays ~14 s, quarantine ~11 s). Every loop
is bounded in count and time.
"""

from __future__ import annotations

import base64
import json
import random
import re
import signal
import threading
import time
from datetime import datetime, timedelta, timezone

import requests
from confluent_kafka import Consumer, TopicPartition

import otlp_data
from compare import assert_every_endpoint, fetch_answers
from harness import INGEST_TABLE, DevBroker, rss_bytes, run_census_cli, unique_name
from kafka_util import TOPICS, OffsetReader, produce

# Short sessions so a killed member's partitions move quickly (the mock broker does not enforce a minimum).
FAST_GROUP = ["--kafka-property", "session.timeout.ms=3000", "--kafka-property", "heartbeat.interval.ms=500"]


class Producer(threading.Thread):
    """Produces `records` in chunks with a pause between chunks, in the background."""

    def __init__(self, brokers: str, records: list, chunk: int, pause: float):
        super().__init__(daemon=True)
        self.brokers, self.records, self.chunk, self.pause = brokers, records, chunk, pause
        self.errors: list[BaseException] = []
        self.delivered: list = []

    def run(self) -> None:
        try:
            for i in range(0, len(self.records), self.chunk):
                self.delivered.extend(produce(self.brokers, self.records[i:i + self.chunk]))
                time.sleep(self.pause)
        except BaseException as e:  # noqa: BLE001
            self.errors.append(e)

    def finish(self, timeout: float = 120) -> list:
        self.join(timeout)
        assert not self.is_alive() and not self.errors, f"producer failed: {self.errors}"
        return self.delivered




def test_kill_9_at_20_random_instants(clickhouse, broker, census_factory):
    data = otlp_data.build_dataset(seed=401, messages=240, max_items=3)
    recs = otlp_data.records(data)
    rng = random.Random(401)
    census = census_factory(broker, clickhouse, flush_interval="0.2", extra_args=FAST_GROUP, start=False)
    offsets = census_factory.offsets(broker, census)
    producer = Producer(broker.bootstrap, recs, chunk=12, pause=0.6)
    producer.start()
    started = time.monotonic()
    kills = 0
    while kills < 20:
        census.start(wait_healthy=False)
        time.sleep(rng.uniform(0.5, 4.0))
        assert census.alive(), f"census exited by itself before kill {kills + 1}\n{census.log_tail()}"
        census.stop(signal.SIGKILL, timeout=10)
        kills += 1
    producer.finish()
    census.start()
    offsets.wait_caught_up(timeout=120, diagnostics=census.log_tail)
    print(f"{kills} kill -9 at random instants over {time.monotonic() - started:.0f} s; {len(recs)} records")
    assert_every_endpoint(census, data, f" after {kills} kill -9 restarts")
    log = census.log_text()
    print(f"restarts that resumed after records already in the store: {log.count('starting after records already in the store')}; "
          f"batches found applied after a lost answer: {log.count('applied although its INSERT failed')}")


def test_clickhouse_stopped_60_seconds(private_clickhouse, broker, census_factory):
    ch = private_clickhouse
    first = otlp_data.build_dataset(seed=411, messages=30, prefix="a.")
    during = otlp_data.build_dataset(seed=412, messages=150, max_items=3, prefix="b.")
    # Small windows: while ClickHouse hangs, a full window with a flush in flight pauses every partition.
    census = census_factory(broker, ch, flush_interval="0.5", extra_args=["--flush-rows", "50", "--flush-bytes", "32768"])
    offsets = census_factory.offsets(broker, census)
    produce(broker.bootstrap, otlp_data.records(first))
    offsets.wait_caught_up(diagnostics=census.log_tail)
    before = offsets.committed()
    rss_before = rss_bytes(census.proc.pid)

    ch.pause()
    try:
        produce(broker.bootstrap, otlp_data.records(during))
        commits, rss = [], []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            commits.append(offsets.committed())
            rss.append(rss_bytes(census.proc.pid))
            assert census.alive(), f"census exited while ClickHouse was stopped\n{census.log_tail()}"
            time.sleep(3)
    finally:
        ch.resume()
    changed = [c for c in commits if c != before]
    assert not changed, f"offsets were committed while ClickHouse was stopped: {before} -> {changed[0]}"
    growth = max(rss) - rss_before
    print(f"RSS before the outage {rss_before >> 20} MiB, max during {max(rss) >> 20} MiB ({len(rss)} samples)")
    assert growth < 96 << 20, f"memory grew by {growth >> 20} MiB while ClickHouse was stopped"
    assert "fetching paused" in census.log_text(), f"partitions were never paused\n{census.log_tail()}"
    offsets.wait_caught_up(timeout=150, diagnostics=census.log_tail)
    assert_every_endpoint(census, otlp_data.merge(first, during), " after a 60 s ClickHouse outage")


def test_three_instances_one_killed_one_added(clickhouse, broker, census_factory):
    data = otlp_data.build_dataset(seed=421, messages=300, max_items=3)
    recs = otlp_data.records(data)
    third = len(recs) // 3
    database, group = unique_name("e2e"), unique_name("g")
    produce(broker.bootstrap, recs[:third])
    members = [census_factory(broker, clickhouse, database=database, group=group, flush_interval="0.3", extra_args=FAST_GROUP,
                              name=f"member{i}") for i in range(3)]
    offsets = census_factory.offsets(broker, members[0])
    producer = Producer(broker.bootstrap, recs[third:], chunk=20, pause=0.4)
    producer.start()
    time.sleep(3)
    members[1].stop(signal.SIGKILL, timeout=10)
    time.sleep(2)
    members.append(census_factory(broker, clickhouse, database=database, group=group, flush_interval="0.3", extra_args=FAST_GROUP,
                                  name="member3"))
    producer.finish()
    offsets.wait_caught_up(timeout=120, diagnostics=lambda: "\n".join(m.log_tail(20) for m in members))
    for member in (members[0], members[2], members[3]):
        # Partitions were spread: every live member was assigned some, and every one answers like one clean pass.
        assert re.search(r"partitions=otlp_\w+\[\d+\].*partitions assigned", member.log_text()), f"{member.log.stem} never got partitions"
        assert_every_endpoint(member, data, f" from {member.log.stem} after one member was killed and one added")


def _replay(census, *args: str) -> list[dict]:
    out = run_census_cli(["replay", "--kafka-brokers", census.brokers, "--clickhouse-url", census.clickhouse_url, "--database", census.database,
                          "--topics", ",".join(TOPICS), "--flush-interval", "0.2", *args], timeout=120)
    assert out.returncode == 0, f"census replay {' '.join(args)} exited {out.returncode}\n{out.stderr[-3000:]}"
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert lines and lines[-1]["event"] == "done", f"no final JSON progress line: {out.stdout[-1000:]}"
    done = lines[-1]
    assert done["records_done"] == done["records_total"]
    assert all({"records_done", "records_total", "records_per_second", "eta_seconds"} <= set(l) for l in lines)
    return lines


def test_replay_rejects_bad_positions():
    for args in (["--from", "yesterday"], ["--from", "0:1,0:2"], ["--from", "earliest", "--until", "1:-5"]):
        out = run_census_cli(["replay", "--topics", "otlp_logs", *args])
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "--" in out.stderr, (args, out.stderr)


ADMIN_TOKEN = "exactly-once-token"


def _clear(clickhouse, census) -> None:
    """POST /api/v1/admin/clear: metadata, progress and quarantine go; nothing buffered lands afterwards."""
    r = requests.post(census.api + "/api/v1/admin/clear", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=60)
    assert (r.status_code, r.json()) == (200, {"message": "All data cleared successfully"})
    for table in ("metadata", "quarantine"):
        assert clickhouse.query(f"SELECT count() FROM {census.database}.{table}").strip() == "0", table


def test_replay_into_populated_and_cleared_store(clickhouse, broker, census_factory):
    data = otlp_data.build_dataset(seed=431, messages=60)
    delivered = produce(broker.bootstrap, otlp_data.records(data))
    census = census_factory(broker, clickhouse, flush_interval="0.2", env={"CENSUS_ADMIN_TOKEN": ADMIN_TOKEN})
    offsets = census_factory.offsets(broker, census)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    committed = offsets.committed()
    assert_every_endpoint(census, data, " after live ingest")

    # The whole topic into the populated store: every record is skipped, nothing changes, the live group is untouched.
    done = _replay(census, "--from", "earliest")[-1]
    assert done["records_total"] == len(delivered) and done["skipped_already_applied"] == len(delivered)
    assert offsets.committed() == committed, "a replay committed offsets to the live group"
    assert_every_endpoint(census, data, " after replaying the whole topic into a populated store")

    # Cleared store, then replay: the same answers again.
    _clear(clickhouse, census)
    assert fetch_answers(census)["metrics"] == {}
    done = _replay(census, "--from", "earliest")[-1]
    assert done["skipped_already_applied"] == 0
    assert_every_endpoint(census, data, " after a clear and a replay")

    # Cleared again, then overlapping replays: a middle range by offsets, then everything.
    _clear(clickhouse, census)
    middle = _replay(census, "--from", "0:2,1:3,2:1,3:4", "--until", "0:9,1:8,2:7,3:9")[-1]
    assert middle["records_total"] == 3 * (7 + 5 + 6 + 5) and middle["skipped_already_applied"] == 0
    full = _replay(census, "--from", "earliest", "--until", "now")[-1]
    assert full["skipped_already_applied"] == middle["records_total"]
    assert_every_endpoint(census, data, " after overlapping partial replays into a cleared store")
    # Time positions (the dev broker's ListOffsets does not look up timestamps, so only the empty future range is
    # checked here): nothing is at or after a time in the future.
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _replay(census, "--from", future)[-1]["records_total"] == 0
    assert_every_endpoint(census, data, " after an empty replay")


def test_malformed_records_are_quarantined_and_counted(workdir, clickhouse, census_factory):
    dead_letters = "census_dead_letters"
    broker = DevBroker(workdir, topics=(*TOPICS, dead_letters))
    try:
        good = otlp_data.build_dataset(seed=441, messages=24)
        good_recs = otlp_data.records(good)
        sample = good["otlp_metrics"][0].SerializeToString()
        json_text = otlp_data.to_json_bytes(good["otlp_logs"][0])
        big = otlp_data.build_dataset(seed=442, messages=1, max_items=400)["otlp_metrics"][0].SerializeToString()
        assert len(big) > 40_000
        rng = random.Random(441)
        bad = [
            ("otlp_metrics", b"\x00" + bytes(rng.getrandbits(8) for _ in range(200)), "random bytes"),
            ("otlp_spans", bytes(rng.getrandbits(8) for _ in range(64)), "random bytes"),
            ("otlp_metrics", sample[: len(sample) // 2], "truncated protobuf"),
            ("otlp_logs", json_text[: len(json_text) // 2], "truncated JSON"),
            ("otlp_logs", json_text.decode().encode("utf-16"), "wrong encoding (UTF-16 JSON)"),
            ("otlp_spans", b'{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"\xff\xfe"}}]}}]}',
             "invalid UTF-8"),
            ("otlp_metrics", big, "oversize"),
            ("otlp_logs", b"", "empty"),
        ]
        records = list(good_recs)
        for i, (topic, value, _) in enumerate(bad):
            records.insert(3 + i * 5, (topic, value))
        delivered = produce(broker.bootstrap, records)
        where = {(t, v): d for (t, v), d in zip(records, delivered)}
        census = census_factory(broker, clickhouse, flush_interval="0.3", env={"CENSUS_ADMIN_TOKEN": "eo-admin"},
                                extra_args=["--max-record-bytes", "40000", "--dead-letter-topic", dead_letters])
        offsets = OffsetReader(broker.bootstrap, census.group, TOPICS)  # not the dead-letter topic
        census_factory.readers.append(offsets)
        offsets.wait_caught_up(diagnostics=census.log_tail)
        assert census.alive(), f"census crashed on malformed records\n{census.log_tail()}"
        assert_every_endpoint(census, good, " with malformed records mixed in")

        page = census.get("/api/v1/quarantine", params={"limit": 3}).json()
        assert page["total"] == len(bad) and page["limit"] == 3 and page["offset"] == 0 and page["has_more"] is True
        # Payload bytes only with the admin token.
        assert all("first_bytes_base64" not in q for q in page["data"]), page
        admin = {"Authorization": "Bearer eo-admin"}
        listed = requests.get(census.api + "/api/v1/quarantine", params={"limit": 1000}, headers=admin, timeout=15).json()["data"]
        assert len(listed) == len(bad)
        got = {(q["topic"], q["partition"], q["offset"]): q for q in listed}
        for topic, value, kind in bad:
            d = where[(topic, value)]
            q = got.get((d.topic, d.partition, d.offset))
            assert q is not None, f"{kind} record at {d} is not in the quarantine: {sorted(got)}"
            assert q["size"] == len(value) and q["error"], q
            assert base64.b64decode(q["first_bytes_base64"]) == value[:256], kind
            assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", q["timestamp"]), q
        assert any("exceeds --max-record-bytes" in q["error"] for q in listed)
        assert any(q["error"] == "empty record" for q in listed)

        # A restart and a replay of everything add no quarantine rows.
        census.stop(signal.SIGKILL)
        census.start()
        _replay(census, "--from", "earliest")
        assert census.get("/api/v1/quarantine").json()["total"] == len(bad)
        assert_every_endpoint(census, good, " after a replay with malformed records")

        # The dead-letter topic got every quarantined record (at least once), keyed topic/partition/offset.
        consumer = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique_name("dlq"), "auto.offset.reset": "earliest"})
        try:
            parts = consumer.list_topics(dead_letters, timeout=10).topics[dead_letters].partitions
            consumer.assign([TopicPartition(dead_letters, p, 0) for p in parts])
            keys, deadline = set(), time.monotonic() + 30
            while len(keys) < len(bad) and time.monotonic() < deadline:
                m = consumer.poll(0.5)
                if m is not None and m.error() is None:
                    keys.add(m.key().decode())
        finally:
            consumer.close()
        expected_keys = {f"{where[(t, v)].topic}/{where[(t, v)].partition}/{where[(t, v)].offset}" for t, v, _ in bad}
        assert keys == expected_keys
    finally:
        broker.stop()


def test_offset_regression_fails_clearly_or_resets(clickhouse, broker, census_factory):
    data = otlp_data.build_dataset(seed=451, messages=16)
    produce(broker.bootstrap, otlp_data.records(data))
    census = census_factory(broker, clickhouse, start=False)
    # Progress of an older, longer incarnation of otlp_logs (as after the topic was deleted and re-created).
    assert census_factory is not None
    run_census_cli(["migrate", "--clickhouse-url", clickhouse.url, "--database", census.database])
    clickhouse.query(f"INSERT INTO {census.database}.{INGEST_TABLE} (kind, name, key, last_offset) VALUES "
                     + ", ".join(f"(4, 'otlp_logs', '{p}', 5000)" for p in range(4)))
    census.start(wait_healthy=False)
    rc = census.proc.wait(60)
    assert rc not in (None, 0), f"census did not stop on an offset regression (rc {rc})\n{census.log_tail()}"
    log = census.log_text()
    assert re.search(r"kafka\.topic=otlp_logs.*stored_last_offset=5000.*offset regression", log), census.log_tail()
    assert "stored progress is beyond the end of otlp_logs" in log, "no final error line naming the partitions"

    census.extra_args = ["--on-offset-regression", "reset"]
    census.start()
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    assert_every_endpoint(census, data, " after an offset-regression reset")
