"""Delivery guarantees: commit only after ClickHouse acknowledged, clean SIGTERM, bad records, late ClickHouse."""

from __future__ import annotations

import re
import signal
import threading
import time

import pytest

import otlp_data
from compare import assert_answers, fetch_answers
from expect import Expected, expected_for
from harness import ClickHouse, free_port, wait_until
from kafka_util import produce


@pytest.mark.parametrize("outage", ["kill", "pause"])
def test_commit_advances_only_after_clickhouse_acknowledged(private_clickhouse, broker, census_factory, outage):
    ch = private_clickhouse
    census = census_factory(broker, ch)
    offsets = census_factory.offsets(broker, census)

    first = otlp_data.build_dataset(seed=31, messages=8, prefix="a.")
    produce(broker.bootstrap, otlp_data.records(first))
    offsets.wait_caught_up(diagnostics=census.log_tail)
    before = offsets.committed()

    # ClickHouse goes away; more data arrives.
    if outage == "kill":
        ch.kill()
    else:
        ch.pause()
    second = otlp_data.build_dataset(seed=32, messages=8, prefix="b.")
    delivered = produce(broker.bootstrap, otlp_data.records(second))
    try:
        time.sleep(6)  # several flush intervals (census runs with --flush-interval 1)
        assert census.alive(), f"census exited while ClickHouse was down\n{census.log_tail()}"
        during = offsets.committed()
        assert during == before, f"committed offsets advanced while ClickHouse was {outage}ed: {before} -> {during}\n{census.log_tail()}"
        assert offsets.lag()[0] > 0
    finally:
        if outage == "kill":
            ch.start()
        else:
            ch.resume()

    # From now on, whenever a commit is seen, the records below it must already be readable.
    requests_by_topic = {t: list(v) for t, v in second.items()}
    flat = [req for t in ("otlp_metrics", "otlp_spans", "otlp_logs") for req in requests_by_topic[t]]
    checked = 0
    deadline = time.monotonic() + 60
    while True:
        committed = offsets.committed()
        if any(committed[k] > before[k] for k in committed):
            covered = Expected()
            for d, req in zip(delivered, flat):
                if d.offset < committed[(d.topic, d.partition)]:
                    {"otlp_metrics": covered.add_metrics, "otlp_spans": covered.add_spans, "otlp_logs": covered.add_logs}[d.topic](req)
            answers = fetch_answers(census)
            short = []
            for section, minimum in (("metrics", covered.metrics), ("spans", covered.spans), ("logs", covered.logs)):
                for name, el in minimum.items():
                    got = answers[section].get(name, {}).get("sample_count", 0)
                    if got < el["sample_count"]:
                        short.append(f"{section}/{name}: {got} < {el['sample_count']}")
            assert not short, f"offsets were committed before their data was readable: {short}\n{census.log_tail()}"
            checked += 1
        if offsets.lag()[0] == 0:
            break
        assert time.monotonic() < deadline, f"census did not catch up within 60 s after ClickHouse came back\n{census.log_tail()}"
        time.sleep(0.2)
    assert checked > 0
    assert_answers(expected_for(otlp_data.merge(first, second)).answers(), fetch_answers(census), context=f" after a ClickHouse {outage}")
    if outage == "kill":
        assert re.search(r"retr|unavailable|refused|connect", census.log_text(), re.I), "census logged nothing about the outage"


def _records_consumed(census) -> int:
    m = re.search(r"^census_ingest_records_total(?:\{[^}]*\})? (\d+)", census.get("/metrics").text, re.M)
    return int(m.group(1)) if m else 0


def test_first_window_after_the_join_is_committed_without_waiting_for_the_flush_interval(clickhouse, broker, census_factory):
    """--first-flush-interval (default 0.1 s): the first window after partitions are assigned is written and committed at
    once, although the flush interval (600 s) is far beyond any wait here; what it committed is readable; the later
    windows wait for a trigger, and the graceful stop writes and commits them."""
    data = otlp_data.build_dataset(seed=43, messages=60, max_items=3)
    flat = [(topic, req) for topic in ("otlp_metrics", "otlp_spans", "otlp_logs") for req in data[topic]]
    delivered = produce(broker.bootstrap, otlp_data.records(data))
    census = census_factory(broker, clickhouse, flush_interval="600")
    offsets = census_factory.offsets(broker, census)
    wait_until("census to commit its first window", lambda: any(v > 0 for v in offsets.committed().values()), diagnostics=census.log_tail)
    committed = offsets.committed()
    covered = Expected()
    for d, (topic, req) in zip(delivered, flat):
        if d.offset < committed[(d.topic, d.partition)]:
            {"otlp_metrics": covered.add_metrics, "otlp_spans": covered.add_spans, "otlp_logs": covered.add_logs}[topic](req)
    answers = fetch_answers(census)
    short = [f"{section}/{name}: {answers[section].get(name, {}).get('sample_count', 0)} < {el['sample_count']}"
             for section, minimum in (("metrics", covered.metrics), ("spans", covered.spans), ("logs", covered.logs))
             for name, el in minimum.items() if answers[section].get(name, {}).get("sample_count", 0) < el["sample_count"]]
    assert not short, f"offsets were committed before their data was readable: {short}\n{census.log_tail()}"
    # Every record read (the later ones sit in the open window): the graceful stop writes and commits them.
    wait_until("census to read every record", lambda: _records_consumed(census) >= len(delivered), diagnostics=census.log_tail)
    assert census.stop() == 0, census.log_tail()
    assert offsets.lag()[0] == 0, f"the graceful stop did not commit the open window: {offsets.lag()[1]}"
    census.start()
    assert_answers(expected_for(data).answers(), fetch_answers(census), context=" after the first window and a graceful stop")


def test_sigterm_mid_stream_loses_and_doubles_nothing(clickhouse, broker, census_factory):
    data = otlp_data.build_dataset(seed=41, messages=900, max_items=3)
    recs = otlp_data.records(data)
    first = len(recs) // 3
    produce(broker.bootstrap, recs[:first])
    # A long flush interval: when SIGTERM arrives, census holds consumed but uncommitted records.
    census = census_factory(broker, clickhouse, flush_interval="5")
    offsets = census_factory.offsets(broker, census)

    # Keep producing while census consumes, so SIGTERM lands mid-stream.
    rest = recs[first:]
    errors: list[BaseException] = []

    def producer():
        try:
            for i in range(0, len(rest), 50):
                produce(broker.bootstrap, rest[i:i + 50])
                time.sleep(0.3)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    t = threading.Thread(target=producer, daemon=True)
    t.start()
    wait_until("census to commit something", lambda: any(v >= 0 for v in offsets.committed().values()), diagnostics=census.log_tail)
    time.sleep(1.5)  # into the next window
    at_term = offsets.committed()
    lag_at_term = offsets.lag()[0]
    producing = t.is_alive()
    rc = census.stop(signal.SIGTERM, timeout=30)
    assert rc == 0, f"census exited with {rc} on SIGTERM (expected flush, commit, exit 0)\n{census.log_tail()}"
    after_stop = offsets.committed()
    print(f"SIGTERM with lag {lag_at_term}, producer running: {producing}; "
          f"committed on shutdown: {sum(after_stop.values()) - sum(at_term.values())} records")
    assert producing, "the producer finished before SIGTERM; the test did not stop census mid-stream"
    assert sum(after_stop.values()) > sum(at_term.values()), "census did not flush and commit its open window on SIGTERM"
    t.join(timeout=120)
    assert not t.is_alive() and not errors, f"producer failed: {errors}"

    census.flush_interval = "1"
    census.start()
    offsets.wait_caught_up(timeout=120, diagnostics=census.log_tail)
    assert_answers(expected_for(data).answers(), fetch_answers(census), context=" after SIGTERM and restart")


def _mentions(log: str, topic: str, partition: int, offset: int) -> bool:
    for line in log.splitlines():
        if topic not in line:
            continue
        has_offset = re.search(rf"offset\W{{0,3}}{offset}\b", line, re.I) or re.search(rf"{re.escape(topic)}\W{{1,3}}{partition}\W{{1,3}}{offset}\b", line)
        has_partition = re.search(rf"partition\W{{0,3}}{partition}\b", line, re.I) or re.search(rf"{re.escape(topic)}\W{{1,3}}{partition}\b", line)
        if has_offset and has_partition:
            return True
    return False


def test_bad_records_are_skipped_counted_and_logged(clickhouse, broker, census_factory):
    good = otlp_data.build_dataset(seed=51, messages=12)
    good_recs = otlp_data.records(good)
    bad = otlp_data.bad_records()
    mixed, bad_index = [], {}
    for i, rec in enumerate(good_recs):
        mixed.append(rec)
        if i % 4 == 1 and len(bad_index) < len(bad):
            topic, value, kind = bad[len(bad_index)]
            bad_index[len(mixed)] = kind
            mixed.append((topic, value))
    for topic, value, kind in bad[len(bad_index):]:
        bad_index[len(mixed)] = kind
        mixed.append((topic, value))
    delivered = produce(broker.bootstrap, mixed)

    census = census_factory(broker, clickhouse)
    census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
    assert census.alive()
    assert_answers(expected_for(good).answers(), fetch_answers(census), context=" with bad records mixed in")

    time.sleep(1)
    log = census.log_text()
    unlogged = [f"{delivered[i].topic}/{delivered[i].partition}/{delivered[i].offset} ({kind})" for i, kind in bad_index.items()
                if not _mentions(log, delivered[i].topic, delivered[i].partition, delivered[i].offset)]
    assert not unlogged, ("bad records not logged with topic, partition and offset: " + ", ".join(unlogged) +
                          "\nlog lines about bad records:\n" + "\n".join(l for l in log.splitlines() if re.search(r"decod|invalid|skip|bad", l, re.I))[-3000:])


def test_starts_without_clickhouse_and_recovers(workdir, broker, census_factory):
    ch = ClickHouse(directory=workdir / "clickhouse", http_port=free_port())
    census = census_factory(broker, ch, start=False)
    census.start(wait_healthy=False)
    try:
        data = otlp_data.build_dataset(seed=61, messages=6)
        produce(broker.bootstrap, otlp_data.records(data))
        time.sleep(6)
        assert census.alive(), f"census exited because ClickHouse was unreachable at start\n{census.log_tail()}"
        assert re.search(r"retr", census.log_text(), re.I), f"no retry lines in the log while ClickHouse is unreachable\n{census.log_tail()}"
        offsets = census_factory.offsets(broker, census)
        assert all(v < 0 for v in offsets.committed().values()), "offsets committed without ClickHouse"
        ch.start()
        offsets.wait_caught_up(diagnostics=census.log_tail)
        census.wait_healthy()
        assert_answers(expected_for(data).answers(), fetch_answers(census), context=" after ClickHouse appeared late")
    finally:
        ch.stop()
