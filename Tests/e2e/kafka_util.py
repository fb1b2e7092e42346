"""Kafka helpers built on confluent-kafka (independent of census): produce records, read committed offsets."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

TOPICS = ("otlp_metrics", "otlp_spans", "otlp_logs")
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")


@dataclass(frozen=True)
class Delivered:
    topic: str
    partition: int
    offset: int


def partition_counts(brokers: str, topics: Iterable[str] = TOPICS, timeout: float = 15) -> dict[str, int]:
    p = Producer({"bootstrap.servers": brokers})
    md = p.list_topics(timeout=timeout)
    out = {}
    for t in topics:
        tm = md.topics.get(t)
        if tm is None or tm.error is not None or not tm.partitions:
            raise AssertionError(f"topic {t} is missing on {brokers}: {tm.error if tm else 'absent'}")
        out[t] = len(tm.partitions)
    return out


def produce(brokers: str, records: list[tuple[str, bytes]], compression: str = "none", timeout: float = 60,
            spread: bool = True) -> list[Delivered]:
    """Writes `records` ((topic, value) pairs) and waits for every delivery report.

    With `spread`, record i of a topic goes to partition i % partitions, so every partition gets data.
    Returns where each record landed, in input order.
    """
    counts = partition_counts(brokers, {t for t, _ in records}) if spread else {}
    p = Producer({
        "bootstrap.servers": brokers,
        "compression.type": compression,
        "linger.ms": 20,
        "batch.num.messages": 200,
        "message.max.bytes": 16 * 1024 * 1024,
        "acks": "all",
    })
    results: list[Optional[Delivered]] = [None] * len(records)
    errors: list[str] = []
    per_topic: dict[str, int] = {}

    def report(index):
        def cb(err, msg):
            if err is not None:
                errors.append(f"record {index}: {err}")
            else:
                results[index] = Delivered(msg.topic(), msg.partition(), msg.offset())
        return cb

    for i, (topic, value) in enumerate(records):
        kwargs = {}
        if spread:
            n = per_topic.get(topic, 0)
            per_topic[topic] = n + 1
            kwargs["partition"] = n % counts[topic]
        for _ in range(1000):  # bounded retry when the local queue is full
            try:
                p.produce(topic, value=value, on_delivery=report(i), **kwargs)
                break
            except BufferError:
                p.poll(0.05)
        else:
            raise AssertionError("producer queue stayed full")
        p.poll(0)
    remaining = p.flush(timeout)
    if remaining or errors or any(r is None for r in results):
        raise AssertionError(f"produce failed: {remaining} undelivered, errors: {errors[:5]}")
    return results  # type: ignore[return-value]


class OffsetReader:
    """Reads a group's committed offsets and the high watermarks without joining the group."""

    def __init__(self, brokers: str, group: str, topics: Iterable[str] = TOPICS):
        self.topics = list(topics)
        self.consumer = Consumer({
            "bootstrap.servers": brokers,
            "group.id": group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
        })
        md = self.consumer.list_topics(timeout=15)
        self.partitions = [TopicPartition(t, p) for t in self.topics for p in sorted(md.topics[t].partitions)]

    def committed(self, timeout: float = 10) -> dict[tuple[str, int], int]:
        """(topic, partition) -> committed offset (the next offset to read), -1 when none."""
        res = self.consumer.committed(self.partitions, timeout=timeout)
        out = {}
        for tp in res:
            if tp.error:
                raise KafkaException(tp.error)
            out[(tp.topic, tp.partition)] = tp.offset if tp.offset >= 0 else -1
        return out

    def high_watermarks(self, timeout: float = 10) -> dict[tuple[str, int], tuple[int, int]]:
        out = {}
        for tp in self.partitions:
            lo, hi = self.consumer.get_watermark_offsets(tp, timeout=timeout, cached=False)
            out[(tp.topic, tp.partition)] = (lo, hi)
        return out

    def lag(self) -> tuple[int, dict]:
        committed = self.committed()
        marks = self.high_watermarks()
        total, detail = 0, {}
        for key, (lo, hi) in marks.items():
            c = committed.get(key, -1)
            start = c if c >= 0 else lo
            detail[key] = {"committed": c, "low": lo, "high": hi, "lag": max(0, hi - start)}
            total += max(0, hi - start)
        return total, detail

    def wait_caught_up(self, timeout: float = 60, diagnostics=lambda: "") -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                total, detail = self.lag()
                last = detail
                if total == 0:
                    return detail
            except KafkaException as e:
                last = repr(e)
            if time.monotonic() >= deadline:
                raise AssertionError(f"group did not commit everything within {timeout:.0f}s: {last}\n{diagnostics()}")
            time.sleep(0.3)

    def close(self) -> None:
        try:
            self.consumer.close()
        except Exception:  # noqa: BLE001
            pass


class Trickle(threading.Thread):
    """Produces `records` in chunks of `chunk` with `send` (``produce`` by default), pausing `pause` seconds after each,
    until all are delivered (bounded by their count); `finish()` asserts that every chunk went out."""

    def __init__(self, brokers: str, records: list, chunk: int, pause: float, send: Callable[[str, list], object] | None = None):
        super().__init__(daemon=True)
        self.brokers, self.records, self.chunk, self.pause = brokers, records, chunk, pause
        self.send = send or produce
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            for i in range(0, len(self.records), self.chunk):
                self.send(self.brokers, self.records[i:i + self.chunk])
                time.sleep(self.pause)
        except BaseException as e:  # noqa: BLE001
            self.errors.append(e)

    def finish(self, timeout: float) -> None:
        self.join(timeout)
        assert not self.is_alive() and not self.errors, f"producer failed: {self.errors}"
