"""Deterministic OTLP data sets built with opentelemetry-proto (independent of census's own encoder),
and the two Kafka encodings of the OpenTelemetry Collector kafka exporter: otlp_proto and otlp_json.

A data set is a dict topic -> list of Export*ServiceRequest messages (one Kafka record each).
"""

from __future__ import annotations

import base64
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

METRICS, SPANS, LOGS = "otlp_metrics", "otlp_spans", "otlp_logs"
REQUEST_TYPES = {METRICS: ExportMetricsServiceRequest, SPANS: ExportTraceServiceRequest, LOGS: ExportLogsServiceRequest}


# ---------------------------------------------------------------------------------------------- values
def any_value(v: Any) -> AnyValue:
    if isinstance(v, AnyValue):
        return v
    if isinstance(v, bool):
        return AnyValue(bool_value=v)
    if isinstance(v, int):
        return AnyValue(int_value=v)
    if isinstance(v, float):
        return AnyValue(double_value=v)
    if isinstance(v, str):
        return AnyValue(string_value=v)
    if isinstance(v, bytes):
        return AnyValue(bytes_value=v)
    if isinstance(v, dict):
        av = AnyValue()
        av.kvlist_value.values.extend(KeyValue(key=k, value=any_value(x)) for k, x in v.items())
        return av
    if isinstance(v, (list, tuple)):
        av = AnyValue()
        av.array_value.values.extend(any_value(x) for x in v)
        return av
    raise TypeError(f"unsupported attribute value {v!r}")


def set_attrs(target, attrs: dict[str, Any]) -> None:
    target.extend(KeyValue(key=k, value=any_value(v)) for k, v in attrs.items())


# ---------------------------------------------------------------------------------------------- catalog
RESOURCES: dict[str, dict[str, Any]] = {
    "checkout-a": {"service.name": "checkout", "service.version": "1.4.2", "host.name": "node-1", "deployment.environment": "prod"},
    # Same service, one more key: resource keys must come from every resource, not only the first one seen.
    "checkout-b": {"service.name": "checkout", "service.version": "1.4.2", "host.name": "node-2", "deployment.environment": "prod",
                   "k8s.pod.name": "checkout-7f9c"},
    "payments": {"service.name": "payments", "service.version": "2.0.0", "host.name": "node-3", "deployment.environment": "prod",
                 "cloud.region": "eu-west-1"},
    "frontend": {"service.name": "frontend", "host.name": "node-1", "browser.mobile": True},
    # No service.name: the service is host.name.
    "batch": {"host.name": "batch-host-7", "process.pid": 4242},
    # Neither: the service is "unknown".
    "anon": {"telemetry.sdk.language": "python"},
}

HTTP_SCOPE = ("io.opentelemetry.http", "1.2.0")
JS_SCOPE = ("@opentelemetry/instrumentation-http", "0.52.1")
HOST_SCOPE = ("io.opentelemetry.host", "0.9.0")
LOG_SCOPE = ("app-logger", "1.0.0")

BOUNDS_A = [0.005, 0.01, 0.025, 0.05, 0.1]
BOUNDS_B = [0.1, 0.25, 0.5, 1.0, 2.5]


@dataclass
class MetricDef:
    name: str
    kind: str  # gauge, sum, histogram, exp_histogram, summary
    unit: str
    description: str
    resources: list[str]
    attrs: Callable[[random.Random], dict]
    scope: Callable[[str], tuple[str, str]] = lambda res: HTTP_SCOPE
    monotonic: bool = False
    temporality: int = 0


def _maybe(r: random.Random, p: float, d: dict) -> dict:
    return d if r.random() < p else {}


METRIC_DEFS = [
    MetricDef("http.server.request.count", "sum", "{request}", "Number of HTTP server requests",
              ["checkout-a", "checkout-b", "payments", "frontend"],
              lambda r: {"http.request.method": r.choice(["GET", "POST", "PUT"]),
                         "http.response.status_code": r.choice([200, 201, 404, 500]),
                         **_maybe(r, 0.7, {"http.route": r.choice(["/cart", "/cart/items", "/pay", "/"])})},
              monotonic=True, temporality=2),
    MetricDef("system.cpu.utilization", "gauge", "1", "CPU utilization", list(RESOURCES),
              lambda r: {"cpu": r.randint(0, 3), "state": r.choice(["idle", "user", "system", "iowait"])},
              scope=lambda res: HOST_SCOPE),
    MetricDef("queue.depth", "sum", "{message}", "Messages waiting", ["payments"],
              lambda r: {"queue.name": r.choice(["orders", "refunds"]), "messaging.system": "kafka"},
              monotonic=False, temporality=1),
    MetricDef("http.server.request.duration", "histogram", "s", "Duration of HTTP server requests",
              ["checkout-a", "checkout-b", "frontend"],
              lambda r: {"http.request.method": r.choice(["GET", "POST"]), "http.route": r.choice(["/cart", "/pay"]),
                         **_maybe(r, 0.5, {"error": r.choice([True, False])})},
              # Two scopes for one metric: the smallest (name, version) pair is reported.
              scope=lambda res: JS_SCOPE if res == "frontend" else HTTP_SCOPE, temporality=2),
    MetricDef("rpc.client.duration", "exp_histogram", "ms", "Duration of outbound RPCs", ["checkout-a", "payments"],
              lambda r: {"rpc.system": "grpc", "rpc.service": r.choice(["PaymentService", "InventoryService"]),
                         "rpc.method": r.choice(["Charge", "Refund", "Reserve"])},
              scope=lambda res: ("io.opentelemetry.grpc", "1.60.0"), temporality=1),
    MetricDef("jvm.gc.duration", "summary", "s", "GC pauses", ["payments", "batch"],
              lambda r: {"jvm.gc.name": r.choice(["G1 Young Generation", "G1 Old Generation"]),
                         "jvm.gc.action": r.choice(["end of minor GC", "end of major GC"])},
              scope=lambda res: ("io.opentelemetry.runtime-telemetry-java17", "2.5.0")),
    MetricDef("db.client.connections.usage", "gauge", "{connection}", "Connections in the pool", ["checkout-a", "payments"],
              lambda r: {"pool.name": r.choice(["orders-db", "payments-db"]), "state": r.choice(["idle", "used"]),
                         "pool.utilization": r.choice([0.25, 0.5, 0.75])},
              scope=lambda res: ("io.opentelemetry.jdbc", "2.1.0")),
    MetricDef("cache.lookups", "sum", "{lookup}", "Cache lookups", ["checkout-a", "checkout-b"],
              # 25 distinct keys: more than the 10 value samples kept.
              lambda r: {"cache.key": f"product:{r.randint(0, 24)}", "cache.hit": r.choice([True, False])},
              scope=lambda res: ("checkout.cache", "0.1.0"), monotonic=True, temporality=2),
    MetricDef("process.memory.usage", "gauge", "By", "", ["batch", "anon"], lambda r: {},
              scope=lambda res: ("", "")),
]


@dataclass
class SpanDef:
    name: str
    kind: int
    resources: list[str]
    scope: tuple[str, str]
    build: Callable[[random.Random, trace_pb2.Span], None]


def _ids(r: random.Random, n: int) -> bytes:
    return bytes(r.getrandbits(8) for _ in range(n)) or b"\x01"


def _event(span: trace_pb2.Span, name: str, attrs: dict, t: int) -> None:
    e = span.events.add(name=name, time_unix_nano=t)
    set_attrs(e.attributes, attrs)


def _link(r: random.Random, span: trace_pb2.Span, attrs: dict) -> None:
    lk = span.links.add(trace_id=_ids(r, 16), span_id=_ids(r, 8))
    set_attrs(lk.attributes, attrs)


def _build_get_cart(r, s):
    code = r.choice([200, 200, 200, 500])
    set_attrs(s.attributes, {"http.request.method": "GET", "http.route": "/api/cart", "http.response.status_code": code,
                             **_maybe(r, 0.6, {"user.id": f"user-{r.randint(0, 14)}"})})
    if r.random() < 0.3:
        s.trace_state = "rojo=00f067aa0ba902b7"
    if code == 500:
        s.status.code = trace_pb2.Status.STATUS_CODE_ERROR
        s.status.message = "internal error"
        _event(s, "exception", {"exception.type": r.choice(["java.io.IOException", "TimeoutError"]),
                                "exception.message": r.choice(["connection reset", "deadline exceeded"])}, s.start_time_unix_nano)
    else:
        s.status.code = r.choice([trace_pb2.Status.STATUS_CODE_OK, trace_pb2.Status.STATUS_CODE_UNSET])
        s.status.SetInParent()
    if r.random() < 0.2:
        s.dropped_attributes_count = r.choice([1, 2, 5])


def _build_select_orders(r, s):
    s.parent_span_id = _ids(r, 8)
    set_attrs(s.attributes, {"db.system": "postgresql", "db.name": r.choice(["orders", "payments"]), "db.operation": "SELECT"})
    for _ in range(r.randint(0, 2)):
        _link(r, s, _maybe(r, 0.7, {"link.reason": r.choice(["retry", "fanout"])}))
    s.status.code = r.choice([trace_pb2.Status.STATUS_CODE_OK, trace_pb2.Status.STATUS_CODE_UNSET])
    s.status.SetInParent()
    if r.random() < 0.25:
        s.dropped_links_count = 1


def _build_process_payment(r, s):
    # No status at all: status_codes stays empty.
    s.parent_span_id = _ids(r, 8)
    set_attrs(s.attributes, {"payment.method": r.choice(["card", "paypal", "invoice"])})
    for attempt in range(1, r.randint(1, 3) + 1):
        _event(s, "retry", {"retry.attempt": attempt}, s.start_time_unix_nano + attempt)
    if r.random() < 0.3:
        _event(s, "exception", {"exception.type": "CardDeclinedException"}, s.start_time_unix_nano + 9)
    if r.random() < 0.3:
        s.dropped_events_count = 3


def _build_publish(r, s):
    s.parent_span_id = _ids(r, 8)
    set_attrs(s.attributes, {"messaging.system": "kafka", "messaging.destination.name": "orders"})
    _link(r, s, {"messaging.message.id": f"msg-{r.randint(0, 7)}"})
    s.status.SetInParent()


def _build_consume(r, s):
    s.parent_span_id = _ids(r, 8)
    set_attrs(s.attributes, {"messaging.system": "kafka", "messaging.consumer.group.name": "payments"})
    _link(r, s, {"link.reason": "follows_from"})
    _event(s, "ack", {}, s.end_time_unix_nano)
    s.status.code = trace_pb2.Status.STATUS_CODE_OK


def _build_healthcheck(r, s):
    # An all-zero parent id means "no parent".
    s.parent_span_id = b"\x00" * 8
    s.status.code = trace_pb2.Status.STATUS_CODE_OK


SPAN_DEFS = [
    SpanDef("GET /api/cart", trace_pb2.Span.SPAN_KIND_SERVER, ["checkout-a", "checkout-b"], HTTP_SCOPE, _build_get_cart),
    SpanDef("SELECT orders", trace_pb2.Span.SPAN_KIND_CLIENT, ["checkout-a", "payments"], ("io.opentelemetry.jdbc", "2.1.0"), _build_select_orders),
    SpanDef("process payment", trace_pb2.Span.SPAN_KIND_INTERNAL, ["payments"], ("payments.core", ""), _build_process_payment),
    SpanDef("publish order.created", trace_pb2.Span.SPAN_KIND_PRODUCER, ["checkout-b"], ("io.opentelemetry.kafka", "1.0.0"), _build_publish),
    SpanDef("consume order.created", trace_pb2.Span.SPAN_KIND_CONSUMER, ["payments"], ("io.opentelemetry.kafka", "1.0.0"), _build_consume),
    SpanDef("healthcheck", trace_pb2.Span.SPAN_KIND_UNSPECIFIED, ["anon", "batch"], ("health", "1"), _build_healthcheck),
]


@dataclass
class LogDef:
    severity_text: str
    severity_number: int
    resources: list[str]
    scope: Callable[[str], tuple[str, str]]
    build: Callable[[random.Random, logs_pb2.LogRecord], None]


def _log_info(r, rec):
    if r.random() < 0.7:
        rec.body.string_value = f"User {r.randint(1, 500)} logged in from 10.0.{r.randint(0, 9)}.{r.randint(1, 254)}"
        set_attrs(rec.attributes, {"user.id": f"user-{r.randint(0, 14)}", "session.id": f"sess-{r.randint(0, 7)}",
                                   **_maybe(r, 0.5, {"event.name": "user.login"})})
    else:
        rec.body.string_value = f"Order {r.randint(1000, 9999)} created with {r.randint(1, 9)} items"
        set_attrs(rec.attributes, {"order.channel": r.choice(["web", "mobile"])})
    if r.random() < 0.5:
        rec.trace_id = _ids(r, 16)
        if r.random() < 0.8:
            rec.span_id = _ids(r, 8)


def _log_warn(r, rec):
    rec.body.string_value = f"Slow query took {r.randint(200, 5000)}ms on table orders"
    set_attrs(rec.attributes, {"db.name": r.choice(["orders", "payments"])})


def _log_error(r, rec):
    rec.body.string_value = f"Payment {r.randint(1, 99999)} failed: card declined"
    set_attrs(rec.attributes, {"error.type": r.choice(["CardDeclined", "Timeout"])})
    if r.random() < 0.5:
        rec.event_name = "payment.failed"
    if r.random() < 0.3:
        rec.dropped_attributes_count = r.randint(1, 4)
    rec.trace_id = _ids(r, 16)
    rec.span_id = _ids(r, 8)


def _log_unset(r, rec):
    # Empty severity text -> "UNSET"; a kvlist body (not a string) -> no template.
    rec.body.CopyFrom(any_value({"msg": "debug dump", "size": r.randint(1, 99)}))
    set_attrs(rec.attributes, {"thread.name": r.choice(["main", "worker-1"])})


def _log_fatal(r, rec):
    rec.body.string_value = f"Out of memory: killed process {r.randint(100, 9999)}"
    rec.trace_id = b"\x00" * 16  # all-zero ids are not a trace context
    rec.span_id = b"\x00" * 8


LOG_DEFS = [
    LogDef("INFO", 9, ["checkout-a", "checkout-b", "frontend"], lambda res: LOG_SCOPE, _log_info),
    LogDef("WARN", 13, ["payments"], lambda res: LOG_SCOPE, _log_warn),
    LogDef("ERROR", 17, ["payments", "checkout-a"], lambda res: ("payments.logger", "0.3") if res == "payments" else LOG_SCOPE,
           _log_error),
    LogDef("", 5, ["batch"], lambda res: ("", ""), _log_unset),
    LogDef("FATAL", 21, ["anon"], lambda res: LOG_SCOPE, _log_fatal),
]


# ---------------------------------------------------------------------------------------------- building
def _resource(target, key: str) -> None:
    set_attrs(target.attributes, RESOURCES[key])


def _now_ns() -> int:
    return time.time_ns()


def _fill_points(r: random.Random, m: metrics_pb2.Metric, d: MetricDef, n: int, t: int) -> None:
    for _ in range(n):
        attrs = d.attrs(r)
        if d.kind == "gauge":
            p = m.gauge.data_points.add(time_unix_nano=t, as_double=r.random())
        elif d.kind == "sum":
            m.sum.is_monotonic = d.monotonic
            m.sum.aggregation_temporality = d.temporality
            p = m.sum.data_points.add(time_unix_nano=t, start_time_unix_nano=t - 10**9, as_int=r.randint(0, 1000))
        elif d.kind == "histogram":
            m.histogram.aggregation_temporality = d.temporality
            bounds = r.choice([BOUNDS_A, BOUNDS_B])
            p = m.histogram.data_points.add(time_unix_nano=t, count=10, sum=1.5, explicit_bounds=bounds,
                                            bucket_counts=[2] * (len(bounds) + 1))
        elif d.kind == "exp_histogram":
            m.exponential_histogram.aggregation_temporality = d.temporality
            p = m.exponential_histogram.data_points.add(time_unix_nano=t, count=4, sum=3.0, scale=r.choice([-1, 2, 3]), zero_count=1)
            p.positive.offset = 1
            p.positive.bucket_counts.extend([1, 2])
        elif d.kind == "summary":
            p = m.summary.data_points.add(time_unix_nano=t, count=3, sum=0.3)
            p.quantile_values.add(quantile=0.5, value=0.1)
            p.quantile_values.add(quantile=0.99, value=0.2)
        else:
            raise ValueError(d.kind)
        set_attrs(p.attributes, attrs)


def build_dataset(seed: int = 1, messages: int = 30, prefix: str = "", max_items: int = 3) -> dict[str, list]:
    """`messages` Kafka records per signal, each an Export*ServiceRequest with 1..max_items resource entries.

    `prefix` is prepended to every metric and span name and to every severity text, so several data sets can
    share one census without overlapping.
    """
    r = random.Random(seed)
    base_t = _now_ns() - 600 * 10**9
    out: dict[str, list] = {METRICS: [], SPANS: [], LOGS: []}

    for _ in range(messages):
        req = ExportMetricsServiceRequest()
        for _ in range(r.randint(1, max_items)):
            res = r.choice(list(RESOURCES))
            defs = [d for d in METRIC_DEFS if res in d.resources]
            rm = req.resource_metrics.add()
            _resource(rm.resource, res)
            by_scope: dict[tuple, Any] = {}
            for d in r.sample(defs, r.randint(1, min(3, len(defs)))):
                sc = d.scope(res)
                if sc not in by_scope:
                    sm = rm.scope_metrics.add()
                    sm.scope.name, sm.scope.version = sc
                    by_scope[sc] = sm
                m = by_scope[sc].metrics.add(name=prefix + d.name, unit=d.unit, description=d.description)
                _fill_points(r, m, d, r.randint(1, 4), base_t + r.randint(0, 590) * 10**9)
        out[METRICS].append(req)

    for _ in range(messages):
        req = ExportTraceServiceRequest()
        for _ in range(r.randint(1, max_items)):
            res = r.choice(list(RESOURCES))
            defs = [d for d in SPAN_DEFS if res in d.resources] or [SPAN_DEFS[-1]]
            rs = req.resource_spans.add()
            _resource(rs.resource, res)
            by_scope = {}
            for d in r.sample(defs, r.randint(1, min(2, len(defs)))):
                if d.scope not in by_scope:
                    ss = rs.scope_spans.add()
                    ss.scope.name, ss.scope.version = d.scope
                    by_scope[d.scope] = ss
                for _ in range(r.randint(1, 3)):
                    t = base_t + r.randint(0, 590) * 10**9
                    s = by_scope[d.scope].spans.add(name=prefix + d.name, kind=d.kind, trace_id=_ids(r, 16), span_id=_ids(r, 8),
                                                    start_time_unix_nano=t, end_time_unix_nano=t + r.randint(1, 10**8))
                    d.build(r, s)
        out[SPANS].append(req)

    for _ in range(messages):
        req = ExportLogsServiceRequest()
        for _ in range(r.randint(1, max_items)):
            res = r.choice(list(RESOURCES))
            defs = [d for d in LOG_DEFS if res in d.resources] or [LOG_DEFS[-1]]
            rl = req.resource_logs.add()
            _resource(rl.resource, res)
            by_scope = {}
            for d in r.sample(defs, r.randint(1, min(2, len(defs)))):
                sc = d.scope(res)
                if sc not in by_scope:
                    sl = rl.scope_logs.add()
                    sl.scope.name, sl.scope.version = sc
                    by_scope[sc] = sl
                for _ in range(r.randint(1, 4)):
                    t = base_t + r.randint(0, 590) * 10**9
                    text = (prefix + d.severity_text) if d.severity_text else ""
                    rec = by_scope[sc].log_records.add(time_unix_nano=t, observed_time_unix_nano=t, severity_text=text,
                                                       severity_number=d.severity_number)
                    d.build(r, rec)
        out[LOGS].append(req)
    return out


def template_group(severity_text: str, body: str) -> Optional[str]:
    """The template group a string body belongs to (bodies of one group differ only in numbers/IPs)."""
    if body.startswith("User "):
        return "login"
    if body.startswith("Order "):
        return "order"
    if body.startswith("Slow query"):
        return "slow"
    if body.startswith("Payment "):
        return "payment"
    if body.startswith("Out of memory"):
        return "oom"
    return None


# ---------------------------------------------------------------------------------------------- encodings
_ID_FIELDS = {"traceId", "spanId", "parentSpanId"}


def _hex_ids(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (base64.b64decode(v).hex() if k in _ID_FIELDS and isinstance(v, str) else _hex_ids(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_hex_ids(x) for x in node]
    return node


def to_json_bytes(req) -> bytes:
    """OTLP/JSON as the Collector's otlp_json encoding writes it: lowerCamelCase, integer enums, hex ids."""
    d = json_format.MessageToDict(req, use_integers_for_enums=True, preserving_proto_field_name=False)
    return json.dumps(_hex_ids(d), separators=(",", ":")).encode()


def to_proto_bytes(req) -> bytes:
    return req.SerializeToString()


def records(dataset: dict[str, list], encoding: str = "proto") -> list[tuple[str, bytes]]:
    """(topic, value) pairs for kafka_util.produce, metrics first, then spans, then logs."""
    enc = to_json_bytes if encoding == "json" else to_proto_bytes
    return [(topic, enc(req)) for topic in (METRICS, SPANS, LOGS) for req in dataset.get(topic, [])]


def merge(*datasets: dict[str, list]) -> dict[str, list]:
    out: dict[str, list] = {METRICS: [], SPANS: [], LOGS: []}
    for d in datasets:
        for k, v in d.items():
            out[k].extend(v)
    return out


def bad_records(seed: int = 7) -> list[tuple[str, bytes, str]]:
    """Records no OTLP decoder can accept, as (topic, value, kind). Each is verified to fail Python's decoder too."""
    r = random.Random(seed)
    good = build_dataset(seed=seed, messages=3)
    out = []
    for topic, reqs in good.items():
        raw = reqs[0].SerializeToString()
        # Random bytes starting with a zero tag byte (field number 0 is never valid).
        junk = b"\x00" + bytes(r.getrandbits(8) for _ in range(61))
        # Truncated: cut inside the first length-delimited field.
        trunc = raw[: max(3, len(raw) // 2)]
        invalid_json = b'{"resource' + topic.encode() + b'": [ {"resource": {"attributes": [ {"key": "a", "value": '
        for kind, value in (("random", junk), ("truncated", trunc), ("invalid-json", invalid_json)):
            try:
                REQUEST_TYPES[topic].FromString(value)
            except Exception:  # noqa: BLE001 - DecodeError expected
                pass
            else:
                raise AssertionError(f"{kind} record for {topic} unexpectedly decodes")
            out.append((topic, value, kind))
    return out
