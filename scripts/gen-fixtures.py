#!/usr/bin/env python3
"""Generates the OTLP fixtures of Tests/ConsumerTests/Fixtures with the official opentelemetry-proto package.

    .venv/bin/python scripts/gen-fixtures.py

Writes, for each signal, the export request as protobuf (`*.pb`), as OTLP/JSON (`*.json`: lowerCamelCase names,
hex trace/span ids, integer enums, 64-bit integers as strings; `metrics-snake.json` uses the snake_case proto
names), and `expected.json`: the metadata census must extract from them, computed here independently of the Swift
code (plain Python over the message objects, regexes for the body templates).

The output is deterministic; rerun after changing this script and commit the fixtures with it.
"""

import base64
import json
import math
import pathlib
import re
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "lib"))
from census_value_hash import hash_bytes, hash_scalar  # noqa: E402
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "ConsumerTests" / "Fixtures"
TIMESTAMP = 1_767_229_200  # 2026-01-01T01:00:00Z, the record timestamp the Swift tests pass
NS = 1_767_229_200_000_000_000

# ----------------------------------------------------------------------------------------------------------------
# Building values


def av(value):
    """An AnyValue from a Python value; tuples tag the kind explicitly: ("bytes", b"..."), ("empty",), ("kv", [...])."""
    v = common_pb2.AnyValue()
    if isinstance(value, tuple):
        kind = value[0]
        if kind == "bytes":
            v.bytes_value = value[1]
        elif kind == "empty":
            pass
        elif kind == "kv":
            for k, x in value[1]:
                v.kvlist_value.values.append(kv(k, x))
            if not value[1]:
                v.kvlist_value.SetInParent()
        elif kind == "double":
            v.double_value = value[1]
        else:
            raise ValueError(kind)
    elif isinstance(value, bool):
        v.bool_value = value
    elif isinstance(value, int):
        v.int_value = value
    elif isinstance(value, float):
        v.double_value = value
    elif isinstance(value, str):
        v.string_value = value
    elif isinstance(value, list):
        v.array_value.SetInParent()
        for x in value:
            v.array_value.values.append(av(x))
    else:
        raise TypeError(value)
    return v


def kv(key, value):
    pair = common_pb2.KeyValue(key=key)
    if not (isinstance(value, tuple) and value[0] == "absent"):
        pair.value.CopyFrom(av(value))
    return pair


def attrs(pairs):
    return [kv(k, v) for k, v in pairs]


def resource(pairs):
    return resource_pb2.Resource(attributes=attrs(pairs))


def scope(name, version):
    return common_pb2.InstrumentationScope(name=name, version=version)


RICH = [
    ("str", "héllo \"wörld\"\n🙂"),
    ("int.neg", -42),
    ("int.max", 9223372036854775807),
    ("double.whole", 200.0),
    ("double.tenth", 0.1),
    ("double.tiny", 1e-9),
    ("double.huge", 1e16),
    ("double.nan", ("double", float("nan"))),
    ("bool", True),
    ("bytes", ("bytes", b"\x00\x01\xfe\xff")),
    ("array", ["a", 1, 2.5, False, ["nested"], ("empty",)]),
    ("kvlist", ("kv", [("zeta", 1), ("alpha", "x"), ("mid", ("kv", [("b", True), ("a", ("bytes", b"hi"))]))])),
    ("empty", ("empty",)),
    ("absent", ("absent",)),
    ("", "empty key"),
]

# ----------------------------------------------------------------------------------------------------------------
# Requests


def metrics_request():
    req = metrics_service_pb2.ExportMetricsServiceRequest()

    # Resource 1: checkout, every value kind on its resource, a duplicate resource key (the last wins).
    rm = req.resource_metrics.add()
    rm.resource.CopyFrom(resource([
        ("service.name", "checkout"), ("host.name", "node-1"), ("process.pid", 4242), ("deployment.weight", 0.5),
        ("feature.on", True), ("tags", ["a", "b"]), ("owner", ("kv", [("team", "payments"), ("oncall", 2)])),
        ("blob", ("bytes", b"\x00\x01\xff")), ("dup.key", "first"), ("dup.key", "second"),
    ]))
    rm.schema_url = "https://opentelemetry.io/schemas/1.26.0"
    sm = rm.scope_metrics.add()
    sm.scope.CopyFrom(scope("io.opentelemetry.checkout", "1.2.0"))

    m = sm.metrics.add(name="system.cpu.utilization", description="CPU utilization.", unit="1")
    for i, mode in enumerate(["user", "system", "idle"]):
        p = m.gauge.data_points.add(time_unix_nano=NS + i, as_double=0.25 * i)
        p.attributes.extend(attrs([("cpu", i % 2), ("cpu.mode", mode)]))
    p = m.gauge.data_points.add(time_unix_nano=NS, as_int=3)  # a point with no attributes

    m = sm.metrics.add(name="app.orders", description="Orders placed.", unit="{order}")
    m.sum.aggregation_temporality = metrics_pb2.AGGREGATION_TEMPORALITY_DELTA
    m.sum.is_monotonic = True
    for i in range(12):
        p = m.sum.data_points.add(time_unix_nano=NS + i, as_int=i)
        p.attributes.extend(attrs([("user.id", f"user-{i}"), ("currency", ["USD", "EUR"][i % 2]), ("retry", i % 5 == 0)]))
    # A duplicate key on one point counts once; both values count for cardinality.
    p = m.sum.data_points.add(time_unix_nano=NS, as_int=1)
    p.attributes.extend(attrs([("currency", "GBP"), ("currency", "JPY")]))

    m = sm.metrics.add(name="http.server.active_requests", unit="{request}")
    m.sum.aggregation_temporality = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE
    m.sum.is_monotonic = False
    p = m.sum.data_points.add(time_unix_nano=NS, as_int=7)
    p.attributes.extend(attrs(RICH))

    m = sm.metrics.add(name="http.server.request.duration", description="Duration.", unit="s")
    m.histogram.aggregation_temporality = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE
    for bounds in ([0.1, 1.0, 10.0], [0.1, 1.0, 10.0], [1.0, 5.0, -0.0]):
        p = m.histogram.data_points.add(time_unix_nano=NS, count=3, sum=1.5, bucket_counts=[1] * (len(bounds) + 1),
                                        explicit_bounds=bounds, min=0.01, max=9.0)
        p.attributes.extend(attrs([("http.route", "/api/cart"), ("http.response.status_code", 200)]))

    m = sm.metrics.add(name="rpc.client.duration", unit="ms")
    m.exponential_histogram.aggregation_temporality = metrics_pb2.AGGREGATION_TEMPORALITY_DELTA
    for scale in (3, 3, -2, 0):
        p = m.exponential_histogram.data_points.add(time_unix_nano=NS, count=4, scale=scale, zero_count=1)
        p.positive.offset = -3
        p.positive.bucket_counts.extend([1, 2])
        p.attributes.extend(attrs([("rpc.method", "Charge")]))

    m = sm.metrics.add(name="db.client.operation.duration", unit="s")
    p = m.summary.data_points.add(time_unix_nano=NS, count=10, sum=2.5)
    p.quantile_values.add(quantile=0.5, value=0.2)
    p.quantile_values.add(quantile=0.99, value=0.9)
    p.attributes.extend(attrs([("db.system", "postgresql")]))

    sm.metrics.add(name="empty.metric", description="No data at all.")  # no data: type unknown, 0 points

    # The same metric name again in the same resource (merged) from a second scope (smaller pair wins).
    sm2 = rm.scope_metrics.add()
    sm2.scope.CopyFrom(scope("io.opentelemetry.checkout", "1.10.0"))
    m = sm2.metrics.add(name="system.cpu.utilization", description="CPU utilization (v2).", unit="1")
    p = m.gauge.data_points.add(time_unix_nano=NS, as_double=0.5)
    p.attributes.extend(attrs([("cpu", 7), ("cpu.mode", "steal")]))

    # Resource 2: no service.name, so host.name is the service.
    rm = req.resource_metrics.add()
    rm.resource.CopyFrom(resource([("host.name", "node-9"), ("cloud.region", "eu-west-1")]))
    sm = rm.scope_metrics.add()  # no scope at all
    m = sm.metrics.add(name="system.cpu.utilization", unit="1")
    for i in range(2):
        p = m.gauge.data_points.add(time_unix_nano=NS, as_double=0.1)
        p.attributes.extend(attrs([("cpu", i)]))

    # Resource 3: no attributes: unknown service. Resource 4: empty service.name and a non-string one.
    rm = req.resource_metrics.add()
    sm = rm.scope_metrics.add()
    m = sm.metrics.add(name="system.cpu.utilization")
    m.gauge.data_points.add(time_unix_nano=NS, as_double=0.2)
    rm = req.resource_metrics.add()
    rm.resource.CopyFrom(resource([("service.name", ""), ("host.name", "")]))
    sm = rm.scope_metrics.add()
    sm.scope.CopyFrom(scope("", ""))
    m = sm.metrics.add(name="system.cpu.utilization")
    m.gauge.data_points.add(time_unix_nano=NS, as_double=0.3)
    return req


def traces_request():
    req = trace_service_pb2.ExportTraceServiceRequest()
    trace_id = bytes(range(1, 17))

    def span(ss, name, kind, **fields):
        s = ss.spans.add(trace_id=trace_id, span_id=bytes([kind + 1] * 8), name=name, kind=kind,
                         start_time_unix_nano=NS, end_time_unix_nano=NS + 1000)
        for k, v in fields.items():
            if k == "attributes":
                s.attributes.extend(attrs(v))
            elif k == "events":
                for ev_name, ev_attrs in v:
                    e = s.events.add(time_unix_nano=NS, name=ev_name)
                    e.attributes.extend(attrs(ev_attrs))
            elif k == "links":
                for link_attrs in v:
                    link = s.links.add(trace_id=bytes(16), span_id=bytes([9] * 8))
                    link.attributes.extend(attrs(link_attrs))
            elif k == "status":
                if v is not None:
                    s.status.SetInParent()
                    s.status.code = v[0]
                    s.status.message = v[1]
            else:
                setattr(s, k, v)
        return s

    rs = req.resource_spans.add()
    rs.resource.CopyFrom(resource([("service.name", "frontend"), ("region", "eu"), ("replica", 1)]))
    ss = rs.scope_spans.add()
    ss.scope.CopyFrom(scope("io.opentelemetry.frontend", "0.9.0"))
    span(ss, "GET /api/cart", trace_pb2.Span.SPAN_KIND_SERVER, parent_span_id=bytes(8), trace_state="rojo=00f067aa0ba902b7",
         attributes=[("http.request.method", "GET"), ("user.id", "u1"), ("http.response.status_code", 200)],
         status=(trace_pb2.Status.STATUS_CODE_OK, ""))
    span(ss, "GET /api/cart", trace_pb2.Span.SPAN_KIND_SERVER,
         attributes=[("http.request.method", "GET"), ("user.id", "u2"), ("http.response.status_code", 500)],
         events=[("exception", [("exception.type", "TimeoutError"), ("exception.message", "upstream timed out after 30s"),
                                ("exception.escaped", True)]),
                 ("cache.miss", [("cache.key", "product:1")]), ("", [("anonymous", 1)])],
         status=(trace_pb2.Status.STATUS_CODE_ERROR, "boom"), dropped_attributes_count=3, dropped_events_count=1)
    span(ss, "render page", trace_pb2.Span.SPAN_KIND_INTERNAL, parent_span_id=bytes([1] * 8),
         attributes=[("template", "cart.html"), ("cached", False)], status=(trace_pb2.Status.STATUS_CODE_UNSET, ""),
         dropped_attributes_count=7, dropped_links_count=2)
    span(ss, "ChargeCard", trace_pb2.Span.SPAN_KIND_CLIENT, parent_span_id=bytes([2] * 8),
         attributes=[("server.address", "payments.internal"), ("server.port", 443)],
         events=[("exception", [("exception.type", "ConnectionResetError"), ("exception.message", "reset by peer")])],
         links=[[("link.kind", "follows_from")], [("link.kind", "batch_member"), ("batch.size", 10)]])
    span(ss, "orders publish", trace_pb2.Span.SPAN_KIND_PRODUCER, attributes=[("messaging.system", "kafka")])
    span(ss, "orders process", trace_pb2.Span.SPAN_KIND_CONSUMER, attributes=[("messaging.system", "kafka")],
         links=[[("messaging.operation.type", "receive")]])
    span(ss, "background tick", trace_pb2.Span.SPAN_KIND_UNSPECIFIED)

    # The same service and span name from another resource with other resource keys: every resource counts.
    rs = req.resource_spans.add()
    rs.resource.CopyFrom(resource([("service.name", "frontend"), ("zone", "b"), ("replica", 2)]))
    ss = rs.scope_spans.add()
    ss.scope.CopyFrom(scope("io.opentelemetry.frontend", "0.10.0"))
    span(ss, "GET /api/cart", trace_pb2.Span.SPAN_KIND_CLIENT, parent_span_id=bytes([3] * 8),
         attributes=[("http.request.method", "POST"), ("user.id", "u3")])

    rs = req.resource_spans.add()
    rs.resource.CopyFrom(resource([("service.name", "payments")]))
    ss = rs.scope_spans.add()
    span(ss, "ChargeCard", trace_pb2.Span.SPAN_KIND_SERVER, attributes=RICH)
    return req


def logs_request():
    req = logs_service_pb2.ExportLogsServiceRequest()
    trace_id = bytes(range(1, 17))

    def record(sl, text, number, body=("absent",), attributes=(), **fields):
        r = sl.log_records.add(time_unix_nano=NS, observed_time_unix_nano=NS + 1, severity_text=text, severity_number=number)
        if not (isinstance(body, tuple) and body[0] == "absent"):
            r.body.CopyFrom(av(body))
        r.attributes.extend(attrs(attributes))
        for k, v in fields.items():
            setattr(r, k, v)
        return r

    rl = req.resource_logs.add()
    rl.resource.CopyFrom(resource([("service.name", "checkout"), ("host.name", "node-1")]))
    sl = rl.scope_logs.add()
    sl.scope.CopyFrom(scope("app.logger", "2.0"))
    record(sl, "INFO", 9, "User 42 logged in from 10.0.0.7", [("user.id", "42")], trace_id=trace_id, span_id=bytes([1] * 8))
    record(sl, "INFO", 9, "User 7 logged in from 192.168.1.20", [("user.id", "7")], trace_id=bytes(16), span_id=bytes(8))
    record(sl, "INFO", 10, "Order 550e8400-e29b-41d4-a716-446655440000 placed by alice@example.com at 2024-01-15T10:30:00Z",
           [("event.name", "order.placed")])
    record(sl, "INFO", 9, "GET /api/products/17 returned 404 in 35ms")
    record(sl, "INFO", 9, "GET /api/products/9 returned 200 in 4ms", event_name="http.access")
    record(sl, "INFO", 9, "Fetched https://cdn.example.com/a.png?v=3 (10KB)")
    record(sl, "ERROR", 17, "Payment 9f3c2a1b7e failed after 120ms", [("payment.id", "9f3c2a1b7e")], dropped_attributes_count=2)
    record(sl, "ERROR", 17, "Payment 00ab12cd34ef failed after 1.5s", [("payment.id", "00ab12cd34ef")])
    record(sl, "ERROR", 18, "Connected to [::1]:8080 then lost it", [("retry", 3)])
    record(sl, "WARN", 13, "   multiple   spaces\tand\nnewlines  ")
    record(sl, "WARN", 13, "héllo wörld 5 times")
    record(sl, "WARN", 13, "x" * 300)
    record(sl, "", 0, "no severity text 1")  # UNSET
    record(sl, "", 5, "no severity text 2")
    # Bodies of every AnyValue kind; only strings (and empty bodies with message/msg) give templates.
    record(sl, "DEBUG", 5, 12345, [("message", "ignored: the body is not empty")])
    record(sl, "DEBUG", 5, 2.5)
    record(sl, "DEBUG", 5, True)
    record(sl, "DEBUG", 5, ("bytes", b"\x00\xffbin"))
    record(sl, "DEBUG", 5, ["a", 1])
    record(sl, "DEBUG", 5, ("kv", [("event", "checkout"), ("items", 3)]))
    record(sl, "DEBUG", 5, ("empty",), [("message", "Slow query took 5000ms")])
    record(sl, "DEBUG", 5, ("absent",), [("msg", "Slow query took 12ms")])
    record(sl, "DEBUG", 5, "", [("msg", "Cache miss for key product:1000"), ("message", "Cache miss for key product:99")])
    record(sl, "DEBUG", 5, ("absent",), [("event.name", "session.start")], event_name="session.start")
    record(sl, "DEBUG", 5, ("absent",), [("event.name", 42)])  # a non-string event.name is no event name

    rl = req.resource_logs.add()
    rl.resource.CopyFrom(resource([("service.name", "cart"), ("k8s.pod.name", "cart-1")]))
    sl = rl.scope_logs.add()
    record(sl, "INFO", 9, "User 99 logged in from 10.0.0.8", attributes=RICH)
    return req


# ----------------------------------------------------------------------------------------------------------------
# The expected metadata (independent of the Swift implementation)


def utf8(s):
    return s.encode("utf-8")


def fmt_double(d):
    return "nan" if math.isnan(d) else repr(d)


def json_string(b):
    out = ['"']
    for ch in b.decode("utf-8", errors="replace"):
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif c < 0x20:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_json(v):
    kind = v.WhichOneof("value")
    if kind == "string_value":
        return json_string(utf8(v.string_value))
    if kind == "bytes_value":
        return '"' + base64.b64encode(v.bytes_value).decode() + '"'
    if kind == "int_value":
        return str(v.int_value)
    if kind == "bool_value":
        return "true" if v.bool_value else "false"
    if kind == "double_value":
        d = v.double_value
        if math.isnan(d):
            return '"NaN"'
        if math.isinf(d):
            return '"Infinity"' if d > 0 else '"-Infinity"'
        return repr(d)
    if kind == "array_value":
        return "[" + ",".join(canonical_json(x) for x in v.array_value.values) + "]"
    if kind == "kvlist_value":
        entries = sorted(enumerate(v.kvlist_value.values), key=lambda e: (utf8(e[1].key), e[0]))
        return "{" + ",".join(json_string(utf8(e.key)) + ":" + canonical_json(e.value) for _, e in entries) + "}"
    return "null"


# census value hash v1 (Sources/Store/Model/ValueHash.swift): a single-lane xxHash64 variant with a type tag as seed.
TAGS = {"s": 1, "b": 2, "i": 3, "d": 4, "y": 5, "c": 6, "e": 7}
CANONICAL_NAN = 0x7FF8000000000000
MAX_SAMPLES = 10


def value_hash(identity):
    """census's ValueHash of a value identity (see value_identity)."""
    kind, tag = identity[0], TAGS[identity[0]]
    if kind == "s" or kind == "y":
        return hash_bytes(identity[1], tag)
    if kind == "c":
        return hash_bytes(utf8(identity[1]), tag)
    if kind == "e":
        return hash_bytes(b"", tag)
    if kind == "d":
        return hash_scalar(CANONICAL_NAN if identity[1] == "nan" else identity[1], tag)
    return hash_scalar(int(identity[1]), tag)  # ints (two's complement) and bools (1/0)


def sample_texts(texts_by_identity):
    """census's value samples: with at most 10 distinct values (hashes), every distinct text, sorted (UTF-8 order);
    otherwise slot = ValueHash % 10 keeps its smallest text; the distinct slot texts, sorted."""
    if len(texts_by_identity) <= MAX_SAMPLES:
        return sorted(set(texts_by_identity.values()), key=utf8)
    slots = {}
    for identity, text in texts_by_identity.items():
        slot = value_hash(identity) % MAX_SAMPLES
        if slot not in slots or utf8(text) < utf8(slots[slot]):
            slots[slot] = text
    return sorted(set(slots.values()), key=utf8)


def value_identity(v):
    """(text, identity) of an AnyValue: identity is what census hashes (type tag + bytes)."""
    kind = v.WhichOneof("value")
    if kind == "string_value":
        return v.string_value, ("s", utf8(v.string_value))
    if kind == "int_value":
        return str(v.int_value), ("i", v.int_value)
    if kind == "double_value":
        d = v.double_value
        bits = struct.unpack("<Q", struct.pack("<d", d))[0] if not math.isnan(d) else "nan"
        return fmt_double(d), ("d", bits)
    if kind == "bool_value":
        return ("true" if v.bool_value else "false"), ("b", v.bool_value)
    if kind == "bytes_value":
        return base64.b64encode(v.bytes_value).decode(), ("y", v.bytes_value)
    if kind in ("array_value", "kvlist_value"):
        text = canonical_json(v)
        return text, ("c", text)
    return "", ("e",)


class Expected:
    def __init__(self):
        self.signals = {}
        self.keys = {}
        self.templates = {}

    def signal(self, signal, name, service):
        k = (signal, name, service)
        if k not in self.signals:
            self.signals[k] = dict(signal=signal, name=name, service=service, count=0, metricType=0, temporality=0, monotonic=False,
                                   description="", unit="", explicitBounds=set(), scales=set(), spanKind=0, statusCodes=set(),
                                   eventNames=set(), droppedAttributes=[0, 0, 0], droppedEvents=[0, 0, 0], droppedLinks=[0, 0, 0],
                                   severityNumber=0, flags=0, scope=None)
        return self.signals[k]

    def key(self, sig, scope_id, event, key):
        k = (sig["signal"], sig["name"], sig["service"], scope_id, event, key)
        if k not in self.keys:
            self.keys[k] = dict(count=0, values={})
        return self.keys[k]

    def observe(self, sig, scope_id, event, key, value, count=1):
        entry = self.key(sig, scope_id, event, key)
        entry["count"] += count
        text, identity = value_identity(value)
        entry["values"].setdefault(identity, text[:256])

    def attributes(self, sig, scope_id, pairs, event=""):
        seen = set()
        for pair in pairs:
            entry = self.key(sig, scope_id, event, pair.key)
            if pair.key not in seen:
                entry["count"] += 1
                seen.add(pair.key)
            text, identity = value_identity(pair.value)
            entry["values"].setdefault(identity, text[:256])

    def scope(self, sig, sc):
        pair = (utf8(sc.name), utf8(sc.version))
        if sig["scope"] is None or pair < sig["scope"]:
            sig["scope"] = pair

    def dropped(self, stats, n):
        if n > 0:
            stats[0] += n
            stats[1] += 1
            stats[2] = max(stats[2], n)

    def to_json(self):
        signals = []
        for s in self.signals.values():
            out = dict(s)
            out["explicitBounds"] = sorted(s["explicitBounds"])
            out["scales"] = sorted(s["scales"])
            out["statusCodes"] = [n for bit, n in ((1, "UNSET"), (2, "OK"), (4, "ERROR")) if bit in s["statusCodes"]]
            out["eventNames"] = sorted(s["eventNames"], key=utf8)
            scope_pair = s["scope"] or (b"", b"")
            out["scopeName"], out["scopeVersion"] = scope_pair[0].decode(), scope_pair[1].decode()
            del out["scope"]
            signals.append(out)
        keys = []
        for (signal, name, service, scope_id, event, key), entry in self.keys.items():
            keys.append(dict(signal=signal, name=name, service=service, scope=scope_id, eventName=event, key=key, count=entry["count"],
                             distinctValues=len(entry["values"]), samples=sample_texts(entry["values"])))
        templates = []
        for (severity, service, template), entry in self.templates.items():
            templates.append(dict(severity=severity, service=service, template=template, count=entry["count"], example=entry["example"]))
        order = lambda d: json.dumps(d, sort_keys=True)
        return dict(signals=sorted(signals, key=order), keys=sorted(keys, key=order), templates=sorted(templates, key=order))


def dedupe(pairs):
    out = {}
    for pair in pairs:
        out[pair.key] = pair.value  # the last wins
    return out


def service_of(res):
    attributes = dedupe(res.attributes)
    for key in ("service.name", "host.name"):
        v = attributes.get(key)
        if v is not None and v.WhichOneof("value") == "string_value" and v.string_value:
            return v.string_value
    return "unknown"


def apply_resource(exp, sigs_counts, res):
    attributes = dedupe(res.attributes)
    for sig, count in sigs_counts.items():
        if count == 0:
            continue
        s = exp.signals[sig]
        for key, value in attributes.items():
            exp.observe(s, 1, "", key, value, count)


def expected_metrics(req):
    exp = Expected()
    items = 0
    type_of = {"gauge": 1, "sum": 2, "histogram": 3, "exponential_histogram": 4, "summary": 5, None: 0}
    for rm in req.resource_metrics:
        service = service_of(rm.resource)
        touched = {}
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                s = exp.signal("metric", m.name, service)
                kind = m.WhichOneof("data")
                s["metricType"] = max(s["metricType"], type_of[kind])
                s["description"] = max(s["description"], m.description, key=utf8)
                s["unit"] = max(s["unit"], m.unit, key=utf8)
                points = []
                if kind:
                    data = getattr(m, kind)
                    points = list(data.data_points)
                    if kind in ("sum", "histogram", "exponential_histogram"):
                        s["temporality"] = max(s["temporality"], data.aggregation_temporality)
                    if kind == "sum" and data.is_monotonic:
                        s["monotonic"] = True
                for p in points:
                    exp.attributes(s, 2, p.attributes)
                    if kind == "histogram":
                        s["explicitBounds"].update(0.0 if b == 0 else b for b in p.explicit_bounds if not math.isnan(b))
                    if kind == "exponential_histogram":
                        s["scales"].add(p.scale)
                s["count"] += len(points)
                exp.scope(s, sm.scope)
                items += len(points)
                key = ("metric", m.name, service)
                touched[key] = touched.get(key, 0) + len(points)
        apply_resource(exp, touched, rm.resource)
    for s in exp.signals.values():
        s["flags"] = 1 if s.pop("monotonic") else 0
    return items, exp


def nonzero(b):
    return len(b) > 0 and any(b)


def expected_traces(req):
    exp = Expected()
    items = 0
    for rs in req.resource_spans:
        service = service_of(rs.resource)
        touched = {}
        for ss in rs.scope_spans:
            for span in ss.spans:
                s = exp.signal("span", span.name, service)
                s.pop("monotonic", None)
                s["count"] += 1
                items += 1
                s["spanKind"] = max(s["spanKind"], span.kind)
                if span.trace_state:
                    s["flags"] |= 2
                if nonzero(span.parent_span_id):
                    s["flags"] |= 4
                if span.HasField("status"):
                    s["statusCodes"].add({0: 1, 1: 2, 2: 4}[span.status.code])
                exp.dropped(s["droppedAttributes"], span.dropped_attributes_count)
                exp.dropped(s["droppedEvents"], span.dropped_events_count)
                exp.dropped(s["droppedLinks"], span.dropped_links_count)
                exp.attributes(s, 2, span.attributes)
                for event in span.events:
                    s["eventNames"].add(event.name)
                    exp.attributes(s, 3, event.attributes, event=event.name)
                for link in span.links:
                    exp.attributes(s, 4, link.attributes)
                exp.scope(s, ss.scope)
                key = ("span", span.name, service)
                touched[key] = touched.get(key, 0) + 1
        apply_resource(exp, touched, rs.resource)
    return items, exp


# The reference body templater: ordered regex substitutions over the same token classes as census's scanner.
WORD = r"[A-Za-z0-9_\u0080-\U0010FFFF]"
B = rf"(?<!{WORD})"  # token start
E = rf"(?!{WORD})"  # token end
TEMPLATE_RULES = [
    (rf"{B}[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]*[^\s\"'<>.,;:!?)\]}}]", "<URL>"),
    (rf"{B}/(?=[^\s]*{WORD})[A-Za-z0-9_/.\-~%+=&?:\u0080-\U0010FFFF]*[A-Za-z0-9_/\-~%+=&\u0080-\U0010FFFF]", "<URL>"),
    (rf"{B}[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{{2,}}{E}", "<EMAIL>"),
    (rf"{B}\d{{4}}([-/])\d{{2}}\1\d{{2}}(?:[T ]\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d+)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?{E}", "<TIMESTAMP>"),
    (rf"{B}\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d+)?(?:Z|[+-]\d{{2}}:?\d{{2}})?{E}", "<TIMESTAMP>"),
    (rf"{B}[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}{E}", "<UUID>"),
    (rf"{B}\d{{1,3}}(?:\.\d{{1,3}}){{3}}{E}(?!\.\d)", "<IP>"),
    (rf"(?<![A-Za-z0-9_:\u0080-\U0010FFFF])[0-9a-fA-F]*::[0-9a-fA-F:]*(?<=[0-9a-fA-F]){E}", "<IP>"),
    (rf"{B}[-+]?\d+(?:\.\d+)?(?:ns|us|µs|ms|min|s|m|h|d)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|min|s|m|h|d))*{E}", "<DURATION>"),
    (rf"{B}[-+]?\d+(?:\.\d+)?(?:[kKMGTP]i?B|B|[kmgt]b){E}", "<SIZE>"),
    (rf"{B}[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?{E}", "<NUM>"),
    (rf"{B}(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{{8,}}{E}", "<HEX>"),
]


def template(body):
    for pattern, placeholder in TEMPLATE_RULES:
        body = re.sub(pattern, placeholder, body)
    return " ".join(body.split())[:256].rstrip(" ")


def expected_logs(req):
    exp = Expected()
    items = 0
    for rl in req.resource_logs:
        service = service_of(rl.resource)
        touched = {}
        for sl in rl.scope_logs:
            for r in sl.log_records:
                name = r.severity_text or "UNSET"
                s = exp.signal("log", name, service)
                s.pop("monotonic", None)
                s["count"] += 1
                items += 1
                if r.severity_number <= 24:
                    s["severityNumber"] = max(s["severityNumber"], r.severity_number)
                if nonzero(r.trace_id):
                    s["flags"] |= 8
                if nonzero(r.span_id):
                    s["flags"] |= 16
                exp.dropped(s["droppedAttributes"], r.dropped_attributes_count)
                if r.event_name:
                    s["eventNames"].add(r.event_name)
                exp.attributes(s, 2, r.attributes)
                attributes = dedupe(r.attributes)
                ev = attributes.get("event.name")
                if ev is not None and ev.WhichOneof("value") == "string_value" and ev.string_value:
                    s["eventNames"].add(ev.string_value)
                body_kind = r.body.WhichOneof("value") if r.HasField("body") else None
                source = None
                if body_kind == "string_value" and r.body.string_value:
                    source = r.body.string_value
                elif body_kind in (None, "string_value"):
                    for key in ("message", "msg"):
                        v = attributes.get(key)
                        if v is not None and v.WhichOneof("value") == "string_value" and v.string_value:
                            source = v.string_value
                            break
                if source is not None:
                    k = (name, service, template(source))
                    example = source[:200]
                    entry = exp.templates.setdefault(k, dict(count=0, example=example))
                    entry["count"] += 1
                    entry["example"] = min(entry["example"], example, key=utf8)
                exp.scope(s, sl.scope)
                key = ("log", name, service)
                touched[key] = touched.get(key, 0) + 1
        apply_resource(exp, touched, rl.resource)
    return items, exp


# ----------------------------------------------------------------------------------------------------------------
# JSON with hex ids

ID_FIELDS = {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}


def hex_ids(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ID_FIELDS and isinstance(v, str):
                node[k] = base64.b64decode(v).hex()
            else:
                hex_ids(v)
    elif isinstance(node, list):
        for v in node:
            hex_ids(v)
    return node


def to_json(message, snake=False):
    text = json_format.MessageToJson(message, use_integers_for_enums=True, preserving_proto_field_name=snake, indent=2)
    return json.dumps(hex_ids(json.loads(text)), indent=2, ensure_ascii=False) + "\n"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {"timestamp": TIMESTAMP}
    for name, req, fn in (("metrics", metrics_request(), expected_metrics), ("traces", traces_request(), expected_traces),
                          ("logs", logs_request(), expected_logs)):
        (OUT / f"{name}.pb").write_bytes(req.SerializeToString(deterministic=True))
        (OUT / f"{name}.json").write_text(to_json(req), encoding="utf-8")
        items, exp = fn(req)
        expected[name] = dict(items=items, **exp.to_json())
        if name == "metrics":
            (OUT / "metrics-snake.json").write_text(to_json(req, snake=True), encoding="utf-8")
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent.parent.parent)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
