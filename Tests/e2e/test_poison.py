"""Poison records (issue 11, item 6): a record whose rows cannot fit one INSERT, and a name longer than a query may be.

- A ~12 MiB metrics record with 1,000,001 distinct metric names (over the 1,000,000-row limit of one INSERT) between
  normal records on ONE partition: it is quarantined with a reason naming --max-record-rows, every normal record is
  ingested exactly (every V1 endpoint against the oracle), and the partition's offsets are committed. Before the
  per-record cap, the writer refused the batch (batchTooLarge) and the flusher retried it forever: nothing after the
  poison record was ever committed.
- A metric whose name is 300,000 bytes: stored truncated (1,024 bytes, ending in "…"), and the list and detail routes
  answer 200.

Cost: about 30 s (building and producing the 12 MiB record, one census start per test). Loops are bounded.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import requests

import otlp_data
from compare import assert_every_endpoint
from harness import DevBroker
from kafka_util import OffsetReader, produce

POISON_NAMES = 1_000_001


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def metrics_request(names) -> bytes:
    """An ExportMetricsServiceRequest: one resource (service.name "poison"), one scope, one name-only Metric per name."""
    service = _field(1, _field(1, b"service.name") + _field(2, _field(1, b"poison")))  # KeyValue in Resource.attributes
    metrics = b"".join(_field(2, _field(1, name)) for name in names)                 # ScopeMetrics.metrics
    resource_metrics = _field(1, service) + _field(2, metrics)                        # resource, scope_metrics
    return _field(1, resource_metrics)


def test_record_over_one_insert_is_quarantined_and_the_partition_moves_on(workdir, clickhouse, census_factory):
    broker = DevBroker(workdir, partitions=1)
    try:
        data = otlp_data.build_dataset(seed=611, messages=40, max_items=3)
        good = [r for r in otlp_data.records(data)]
        poison = metrics_request(b"p%07d" % i for i in range(POISON_NAMES))
        assert 11 << 20 < len(poison) < 16 << 20, len(poison)
        # The mock cluster keeps about 5 MiB per partition (it drops the oldest data beyond): the poison record goes
        # gzip-compressed (2.3 MB on the broker); census reads it decompressed, 12 MB.
        produce(broker.bootstrap, good[:10])
        (at,) = produce(broker.bootstrap, [("otlp_metrics", poison)], compression="gzip")
        produce(broker.bootstrap, good[10:])

        census = census_factory(broker, clickhouse, flush_interval="0.3", env={"CENSUS_ADMIN_TOKEN": "poison-token"})
        offsets = OffsetReader(broker.bootstrap, census.group, broker.topics)
        census_factory.readers.append(offsets)
        offsets.wait_caught_up(timeout=120, diagnostics=census.log_tail)
        assert census.alive(), census.log_tail()
        assert_every_endpoint(census, data, " with a record over one INSERT in the partition")

        # Payload bytes are shown only with the admin token.
        listed = requests.get(census.api + "/api/v1/quarantine", params={"limit": 100}, headers={"Authorization": "Bearer poison-token"},
                              timeout=15).json()["data"]
        assert [(q["topic"], q["partition"], q["offset"]) for q in listed] == [(at.topic, at.partition, at.offset)], listed
        assert "--max-record-rows" in listed[0]["error"] and listed[0]["size"] == len(poison), listed[0]
        assert base64.b64decode(listed[0]["first_bytes_base64"]) == poison[:256]
        assert "batchTooLarge" not in census.log_text()
    finally:
        broker.stop()


def test_300_kb_metric_name_is_stored_truncated_and_readable(workdir, clickhouse, census_factory):
    broker = DevBroker(workdir, partitions=1)
    try:
        long_name = ("é" * 150_000).encode()  # 300,000 bytes of two-byte characters
        produce(broker.bootstrap, [("otlp_metrics", metrics_request([long_name, b"short.metric"]))])
        census = census_factory(broker, clickhouse, flush_interval="0.3")
        offsets = OffsetReader(broker.bootstrap, census.group, broker.topics)
        census_factory.readers.append(offsets)
        offsets.wait_caught_up(timeout=60, diagnostics=census.log_tail)

        names = [m["name"] for m in census.get("/api/v1/metrics", params={"limit": 100}).json()["data"]]
        assert "short.metric" in names, names
        stored = [n for n in names if n != "short.metric"]
        assert len(stored) == 1 and stored[0] == "é" * 510 + "…", [len(n.encode()) for n in stored]
        assert len(stored[0].encode()) <= 1024
        detail = census.get(f"/api/v1/metrics/{quote(stored[0], safe='')}").json()
        assert detail["name"] == stored[0], detail
        census.get(f"/api/v1/metrics/{quote('short.metric')}")
        assert census.alive(), census.log_tail()
    finally:
        broker.stop()
