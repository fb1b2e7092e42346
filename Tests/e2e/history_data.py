"""A multi-day OTLP data set for the V2 (history) tests, and its Python oracle.

Five consecutive UTC days ending yesterday (`days[0]` … `days[4]`); every Kafka record carries an explicit CreateTime
timestamp at noon + i seconds of its day, so census files its metadata under that day. What happens when:

| day index | 0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| `http.server.request.duration` (histogram, checkout) | ✓ | ✓ | ✓ | ✓ | ✓ |
|   `user.id` distinct values that day | 10 | 10 | 200 | 200 | 200 |  ← 20x jump on the third day (critical)
|   `legacy.flag` | ✓ | ✓ | – | – | – |  ← vanishes
| `jobs.legacy.count` (sum, checkout) | ✓ | ✓ | – | – | – |  ← vanishes
| `queue.depth` (gauge, **payments**: a new service) | – | – | – | – | ✓ |  ← new metric, new service
| span `GET /cart` (checkout) | ✓ | ✓ | ✓ | ✓ | ✓ |
| log INFO "user logged in" (checkout) | ✓ | ✓ | ✓ | ✓ | ✓ |
| log INFO "payment retry scheduled" (checkout) | – | – | – | – | ✓ |  ← new template

`user.id` values are day-specific from the third day on (`d2-u17`, …), so all-time cardinality is 10 + 3 × 200 = 610
and a range's cardinality is the union over its days. `http.request.method` is GET/POST/PUT in a fixed 7:2:1 ratio
(heavy hitters with exact shares), `http.response.status_code` 200/404/500 (ints) in 8:1:1.

The oracle (``Oracle``) is computed from the same Python values the records are built from (never from census):
per (signal, name, service, scope, sub, key, day) the items carrying the key, the value multiset (typed values, as
expect.typed gives them), per (signal, name, service, day) the item count, per (metric, service, day) the set of
distinct series (resource attributes + point attributes), and per (severity, service, template, day) the count.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Iterable, Optional

from confluent_kafka import Producer

from otlp_data import LOGS, METRICS, SPANS, set_attrs
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

DAY_COUNT = 5
JUMP_DAY = 2  # index of the day user.id jumps 20x
SCOPES = {"resource": 1, "attribute": 2, "event": 3, "link": 4}

CHECKOUT = {"service.name": "checkout", "service.version": "1.4.2", "host.name": "node-1"}
PAYMENTS = {"service.name": "payments", "service.version": "2.0.0", "host.name": "node-3", "cloud.region": "eu-west-1"}

HISTOGRAM = "http.server.request.duration"
LEGACY_METRIC = "jobs.legacy.count"
NEW_METRIC = "queue.depth"
SPAN = "GET /cart"
OLD_TEMPLATE = "user logged in"
NEW_TEMPLATE = "payment retry scheduled"
BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1]

POINTS_PER_DAY = 400  # histogram points per day (user.id needs ≥ 200 distinct)
RECORDS_PER_DAY = 4   # the day's histogram points are split over this many records


def utc_today() -> int:
    """Today's UTC day number (days since 1970-01-01)."""
    return int(time.time()) // 86_400


def day_text(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))


def typed(v: Any) -> tuple:
    """The typed value of a Python attribute value, as expect.typed gives it for the AnyValue built from it."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, int):
        return ("i", v)
    if isinstance(v, float):
        return ("d", v)
    return ("s", v)


def text(v: Any) -> str:
    """census's text of a value (samples, top values)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@dataclass
class KeyDay:
    count: int = 0
    values: Counter = field(default_factory=Counter)  # typed value -> items carrying it


@dataclass
class Oracle:
    days: list[int]
    # (signal, name, service, scope, sub, key, day) -> KeyDay; signal is "metric" | "span" | "log"
    keys: dict = field(default_factory=lambda: defaultdict(KeyDay))
    # (signal, name, service, day) -> items
    names: Counter = field(default_factory=Counter)
    # (metric name, service, day) -> set of series (frozenset of (key, typed value) over resource + point attributes)
    series: dict = field(default_factory=lambda: defaultdict(set))
    # (severity, service, template, day) -> count
    templates: Counter = field(default_factory=Counter)
    # metric name -> (type, bounds) for the Prometheus series estimate
    metric_types: dict = field(default_factory=dict)

    # -- selection helpers -------------------------------------------------------------------------------------
    def in_range(self, day: int, start: Optional[int] = None, end: Optional[int] = None) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    def key_rows(self, start: Optional[int] = None, end: Optional[int] = None, **match) -> Iterable[tuple[tuple, KeyDay]]:
        fields = ("signal", "name", "service", "scope", "sub", "key", "day")
        for ident, acc in self.keys.items():
            row = dict(zip(fields, ident))
            if not self.in_range(row["day"], start, end):
                continue
            if all(row[k] == v for k, v in match.items()):
                yield ident, acc

    def key_summary(self, start: Optional[int] = None, end: Optional[int] = None, **match) -> dict:
        """count, cardinality (distinct values), value counts of the matching key rows merged over days/services."""
        count, values = 0, Counter()
        for _, acc in self.key_rows(start, end, **match):
            count += acc.count
            values.update(acc.values)
        return {"count": count, "cardinality": len(values), "values": values}

    def name_count(self, signal: str, name: str, start: Optional[int] = None, end: Optional[int] = None,
                   service: Optional[str] = None) -> int:
        return sum(n for (s, nm, svc, d), n in self.names.items()
                   if s == signal and nm == name and self.in_range(d, start, end) and (service is None or svc == service))

    def series_count(self, name: str, start: Optional[int] = None, end: Optional[int] = None,
                     service: Optional[str] = None) -> int:
        merged: set = set()
        for (nm, svc, d), ss in self.series.items():
            if nm == name and self.in_range(d, start, end) and (service is None or svc == service):
                merged |= ss
        return len(merged)

    def services(self, start: Optional[int] = None, end: Optional[int] = None) -> set[str]:
        return {svc for (_, _, svc, d) in self.names if self.in_range(d, start, end)}

    # -- recording -----------------------------------------------------------------------------------------------
    def item(self, signal: str, name: str, service: str, day: int, resource: dict, attrs: dict,
             scope: str = "attribute", sub: str = "") -> None:
        self.names[(signal, name, service, day)] += 1
        for k, v in resource.items():
            acc = self.keys[(signal, name, service, SCOPES["resource"], "", k, day)]
            acc.count += 1
            acc.values[typed(v)] += 1
        for k, v in attrs.items():
            acc = self.keys[(signal, name, service, SCOPES[scope], sub, k, day)]
            acc.count += 1
            acc.values[typed(v)] += 1
        if signal == "metric":
            self.series[(name, service, day)].add(frozenset((k, typed(v)) for k, v in {**resource, **attrs}.items()))


@dataclass
class Record:
    topic: str
    payload: bytes
    timestamp_ms: int
    day_index: int


def _metric_request(resource: dict, name: str, kind: str, points: list[dict], t_ns: int) -> bytes:
    req = ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    set_attrs(rm.resource.attributes, resource)
    sm = rm.scope_metrics.add()
    sm.scope.name, sm.scope.version = "io.opentelemetry.http", "1.2.0"
    m = sm.metrics.add(name=name, unit="s" if kind == "histogram" else "1", description=f"{name} (history data set)")
    for attrs in points:
        if kind == "histogram":
            m.histogram.aggregation_temporality = 2
            p = m.histogram.data_points.add(time_unix_nano=t_ns, count=10, sum=1.5, explicit_bounds=BOUNDS,
                                            bucket_counts=[2] * (len(BOUNDS) + 1))
        elif kind == "sum":
            m.sum.aggregation_temporality = 2
            m.sum.is_monotonic = True
            p = m.sum.data_points.add(time_unix_nano=t_ns, start_time_unix_nano=t_ns - 10**9, as_int=5)
        else:
            p = m.gauge.data_points.add(time_unix_nano=t_ns, as_double=3.0)
        set_attrs(p.attributes, attrs)
    return req.SerializeToString()


def _span_request(resource: dict, spans: list[dict], t_ns: int) -> bytes:
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    set_attrs(rs.resource.attributes, resource)
    ss = rs.scope_spans.add()
    ss.scope.name, ss.scope.version = "io.opentelemetry.http", "1.2.0"
    for i, attrs in enumerate(spans):
        s = ss.spans.add(name=SPAN, kind=2, start_time_unix_nano=t_ns, end_time_unix_nano=t_ns + 1000,
                         trace_id=(i + 1).to_bytes(16, "big"), span_id=(i + 1).to_bytes(8, "big"))
        set_attrs(s.attributes, attrs)
    return req.SerializeToString()


def _log_request(resource: dict, logs: list[tuple[str, dict]], t_ns: int) -> bytes:
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    set_attrs(rl.resource.attributes, resource)
    sl = rl.scope_logs.add()
    sl.scope.name, sl.scope.version = "app-logger", "1.0.0"
    for body, attrs in logs:
        rec = sl.log_records.add(time_unix_nano=t_ns, severity_number=9, severity_text="INFO")
        rec.body.string_value = body
        set_attrs(rec.attributes, attrs)
    return req.SerializeToString()


def build(today: Optional[int] = None) -> tuple[list[Record], Oracle]:
    """The records of the five days (in day order) and their oracle."""
    today = utc_today() if today is None else today
    days = [today - DAY_COUNT + i for i in range(DAY_COUNT)]
    oracle = Oracle(days=days)
    oracle.metric_types = {HISTOGRAM: ("histogram", BOUNDS), LEGACY_METRIC: ("sum", []), NEW_METRIC: ("gauge", [])}
    records: list[Record] = []
    for index, day in enumerate(days):
        noon_ms = (day * 86_400 + 12 * 3600) * 1000
        seq = 0

        def stamp() -> int:
            nonlocal seq
            seq += 1
            return noon_ms + seq * 1000

        t_ns = noon_ms * 1_000_000
        # The histogram: POINTS_PER_DAY points split over RECORDS_PER_DAY records.
        points = []
        for i in range(POINTS_PER_DAY):
            user = f"u{i % 10}" if index < JUMP_DAY else f"d{index}-u{i % 200}"
            attrs = {"http.request.method": ("GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT")[i % 10],
                     "http.response.status_code": (200, 200, 200, 200, 200, 200, 200, 200, 404, 500)[(i // 10) % 10],
                     "user.id": user}
            if index < JUMP_DAY:
                attrs["legacy.flag"] = "on" if i % 2 else "off"
            points.append(attrs)
            oracle.item("metric", HISTOGRAM, "checkout", day, CHECKOUT, attrs)
        per_record = POINTS_PER_DAY // RECORDS_PER_DAY
        for r in range(RECORDS_PER_DAY):
            chunk = points[r * per_record:(r + 1) * per_record]
            records.append(Record(METRICS, _metric_request(CHECKOUT, HISTOGRAM, "histogram", chunk, t_ns), stamp(), index))
        if index < JUMP_DAY:
            legacy = [{"job": f"job-{i % 3}"} for i in range(6)]
            for attrs in legacy:
                oracle.item("metric", LEGACY_METRIC, "checkout", day, CHECKOUT, attrs)
            records.append(Record(METRICS, _metric_request(CHECKOUT, LEGACY_METRIC, "sum", legacy, t_ns), stamp(), index))
        if index == DAY_COUNT - 1:
            gauge = [{"queue": f"q{i % 4}"} for i in range(8)]
            for attrs in gauge:
                oracle.item("metric", NEW_METRIC, "payments", day, PAYMENTS, attrs)
            records.append(Record(METRICS, _metric_request(PAYMENTS, NEW_METRIC, "gauge", gauge, t_ns), stamp(), index))
        # Spans.
        spans = [{"http.route": "/cart", "cart.items": 1 + i % 5} for i in range(20)]
        for attrs in spans:
            oracle.item("span", SPAN, "checkout", day, CHECKOUT, attrs)
        records.append(Record(SPANS, _span_request(CHECKOUT, spans, t_ns), stamp(), index))
        # Logs (INFO): the old template every day, the new one on the last day.
        logs = [(OLD_TEMPLATE, {"log.source": "app"}) for _ in range(5)]
        if index == DAY_COUNT - 1:
            logs += [(NEW_TEMPLATE, {"log.source": "billing"}) for _ in range(3)]
        for body, attrs in logs:
            oracle.item("log", "INFO", "checkout", day, CHECKOUT, attrs)
            oracle.templates[("INFO", "checkout", body, day)] += 1
        records.append(Record(LOGS, _log_request(CHECKOUT, logs, t_ns), stamp(), index))
    return records, oracle


def produce(brokers: str, records: list[Record], partitions: int, timeout: float = 60) -> list[tuple[str, int, int]]:
    """Writes the records with their timestamps (record i of a topic to partition i % partitions) and waits for every
    delivery report. Returns (topic, partition, offset) per record, in input order."""
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 5, "acks": "all", "message.max.bytes": 16 * 1024 * 1024})
    results: list[Optional[tuple[str, int, int]]] = [None] * len(records)
    errors: list[str] = []
    per_topic: Counter = Counter()

    def report(index: int):
        def cb(err, msg):
            if err is not None:
                errors.append(f"record {index}: {err}")
            else:
                results[index] = (msg.topic(), msg.partition(), msg.offset())
        return cb

    for i, rec in enumerate(records):
        partition = per_topic[rec.topic] % partitions
        per_topic[rec.topic] += 1
        for _ in range(1000):  # bounded retry when the local queue is full
            try:
                producer.produce(rec.topic, value=rec.payload, partition=partition, timestamp=rec.timestamp_ms, on_delivery=report(i))
                break
            except BufferError:
                producer.poll(0.05)
        else:
            raise AssertionError("producer queue stayed full")
        producer.poll(0)
    remaining = producer.flush(timeout)
    if remaining or errors or any(r is None for r in results):
        raise AssertionError(f"produce failed: {remaining} undelivered, errors: {errors[:5]}")
    return results  # type: ignore[return-value]


@contextmanager
def loaded(clickhouse, name: str, env: Optional[dict] = None):
    """A broker and a census (its own database on `clickhouse`) holding the five days, every offset committed: yields
    (broker, census, records, oracle, produced). Everything is stopped, and the database dropped, on the way out."""
    from conftest import KEEP, RUN_DIR
    from harness import Census, DevBroker, rmtree
    from kafka_util import OffsetReader

    workdir = RUN_DIR / name
    rmtree(workdir)
    workdir.mkdir(parents=True)
    broker = DevBroker(workdir)
    census = None
    reader = None
    try:
        census = Census(workdir, broker.bootstrap, clickhouse.url, env=env).start()
        records, oracle = build()
        produced = produce(broker.bootstrap, records, broker.partitions)
        reader = OffsetReader(broker.bootstrap, census.group, broker.topics)
        reader.wait_caught_up(timeout=60, diagnostics=census.log_tail)
        yield SimpleNamespace(broker=broker, census=census, records=records, oracle=oracle, produced=produced)
    finally:
        if reader:
            reader.close()
        if census:
            census.stop()
            if not KEEP:
                clickhouse.drop_database(census.database)
        broker.stop()
