"""Garbage during an outage (issue 11, item 8): invalid records must not raise census's memory beyond its bound.

ClickHouse is paused (SIGSTOP: the flush in flight hangs), then 2,048 invalid records of 1 MiB each (2 GiB) are
produced with valid ones between them. Before the fix every failed record kept its whole librdkafka message until the
next window was submitted — never, while the flush hangs — so RSS grew by the garbage's size. Now a failed record keeps
only the quarantine's 256-byte prefix, and what it keeps counts toward the window's bytes. The test samples VmRSS
while the garbage flows and expects it to stay within the documented bound above the RSS before the outage; after
ClickHouse resumes, every garbage record is quarantined exactly once and the valid data equals one clean pass.

The broker is the librdkafka mock cluster, which keeps only about 5 MiB per partition (older data is dropped), so the
garbage is produced in chunks of 24 MiB over 8 partitions and each chunk waits until census has read it (its
census_ingest_records_total counter). Cost: about 60-90 s on a shared 2-core machine.
"""

from __future__ import annotations

import os
import re

import otlp_data
from compare import assert_every_endpoint
from harness import DevBroker, rss_bytes, wait_until
from kafka_util import OffsetReader, produce

GARBAGE_RECORDS = 2_048
GARBAGE_BYTES = 1 << 20
CHUNK = 24
# The documented bound above the pre-outage RSS (docs/OPERATIONS.md, "Memory bound"): librdkafka's prefetch (32 MiB),
# the analyzer lanes' queues (at most 4 MiB + 2 records each), one window of failed records' prefixes, allocator slack.
RSS_BOUND = 256 << 20




def records_consumed(census) -> int:
    text = census.get("/metrics").text
    m = re.search(r"^census_ingest_records_total(?:\{[^}]*\})? (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def test_2_gib_of_garbage_during_an_outage_stays_within_the_memory_bound(workdir, private_clickhouse, census_factory):
    broker = DevBroker(workdir, partitions=8)
    try:
        data = otlp_data.build_dataset(seed=811, messages=60, max_items=3)
        good = otlp_data.records(data)
        census = census_factory(broker, private_clickhouse, flush_interval="0.3")
        offsets = OffsetReader(broker.bootstrap, census.group, broker.topics)
        census_factory.readers.append(offsets)
        produce(broker.bootstrap, good[:20])
        offsets.wait_caught_up(diagnostics=census.log_tail)
        baseline = rss_bytes(census.proc.pid)

        private_clickhouse.pause()
        try:
            block = os.urandom(GARBAGE_BYTES)
            garbage_at = set()
            peak = baseline
            sent = 0
            good_rest = good[20:]
            while sent < GARBAGE_RECORDS:
                before = records_consumed(census)
                chunk = [("otlp_metrics", b"\x00" + (sent + i).to_bytes(8, "big") + block[9:]) for i in range(CHUNK)]
                chunk = chunk[: GARBAGE_RECORDS - sent]
                valid = good_rest[:2]
                good_rest = good_rest[2:]
                delivered = produce(broker.bootstrap, chunk + valid)
                garbage_at.update((d.topic, d.partition, d.offset) for d in delivered[: len(chunk)])
                sent += len(chunk)

                def read_it():
                    nonlocal peak
                    peak = max(peak, rss_bytes(census.proc.pid))
                    assert peak - baseline < RSS_BOUND, f"RSS grew by {(peak - baseline) >> 20} MiB after {sent} garbage records"
                    return records_consumed(census) >= before + len(chunk) + len(valid)
                wait_until(f"census read chunk ending at garbage record {sent}", read_it, timeout=60, interval=0.1,
                           diagnostics=census.log_tail)
            assert census.alive(), census.log_tail()
            print(f"RSS before the outage {baseline >> 20} MiB, peak during it {peak >> 20} MiB "
                  f"(+{(peak - baseline) >> 20} MiB for {GARBAGE_RECORDS * GARBAGE_BYTES >> 20} MiB of garbage)")
        finally:
            private_clickhouse.resume()

        if good_rest:
            produce(broker.bootstrap, good_rest)
        offsets.wait_caught_up(timeout=120, diagnostics=census.log_tail)
        assert_every_endpoint(census, data, " after 2 GiB of garbage during an outage")
        page = census.get("/api/v1/quarantine", params={"limit": 1}).json()
        assert page["total"] == GARBAGE_RECORDS, page["total"]
        listed = []
        for page_no in range(10):  # bounded: 2,048 rows in pages of 1,000
            part = census.get("/api/v1/quarantine", params={"limit": 1000, "offset": page_no * 1000}).json()["data"]
            listed += part
            if not part:
                break
        assert len(listed) == GARBAGE_RECORDS
        assert {(q["topic"], q["partition"], q["offset"]) for q in listed} == garbage_at
    finally:
        broker.stop()
