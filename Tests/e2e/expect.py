"""Independent calculator of what census's V1 API must answer for a set of OTLP export requests.

Written from docs (v1-api-reference.md §1.4 shapes, §2 extraction rules, [MEM] semantics: one element per
name with services merged), with census's fixes of §7 items 23–25:
  * resource keys are counted once per data point / span / log record they apply to (so percentage is
    count / sample_count × 100 like every other key),
  * resource keys come from every resource (not only the first one seen for a name),
  * value strings are stable: strings as is, ints in decimal, bools true/false (doubles: any exact text form).
Other rules census's data model documents (Sources/Store/Model): scope_info is the smallest (name, version)
pair seen; samples are every distinct value text when a key has at most 10 distinct values, else one value per hash
bucket (census's ValueHash % 10, the value with the smallest text in its bucket), distinct and sorted; cardinality is exact for small sets; span event
names are sorted; log event_names are the `event.name` attribute values plus LogRecord.event_name.

The result is plain JSON-like data with a few marker objects (Samples, Anything) that compare.py understands.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

from opentelemetry.proto.common.v1.common_pb2 import AnyValue

MAX_SAMPLES = 10
MAX_SAMPLE_SCALARS = 256
KIND_NAMES = {0: "Unspecified", 1: "Internal", 2: "Server", 3: "Client", 4: "Producer", 5: "Consumer"}
STATUS_NAMES = {0: "UNSET", 1: "OK", 2: "ERROR"}
METRIC_TYPES = {"gauge": "Gauge", "sum": "Sum", "histogram": "Histogram", "exponential_histogram": "ExponentialHistogram",
                "summary": "Summary"}


# ---------------------------------------------------------------------------------------------- span-name patterns
# The placeholder rule of log body templates (docs/API.md, "Span-name patterns"), written independently with regular
# expressions: at each token start (start of text or after a byte that is not [A-Za-z0-9_] or non-ASCII), the first
# matching token kind wins; whitespace runs become one space, the ends are trimmed.
_END = r"(?![A-Za-z0-9_\u0080-\U0010ffff])"
_TOKENS = [
    (re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]*[^\s\"'<>.,;:!?)\]}]"), "<URL>"),
    (re.compile(r"/[\w/.\-~%+=&?:]*\w[\w/\-~%+=&]*(?:[.?:]+[\w/\-~%+=&]+)*"), "<URL>"),
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}" + _END), "<EMAIL>"),
    (re.compile(r"\d{4}([-/])\d{2}\1\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?" + _END), "<TIMESTAMP>"),
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" + _END), "<UUID>"),
    (re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}" + _END + r"(?!\.\d)"), "<IP>"),
    (re.compile(r"[-+]?\d+(?:\.\d+)?(?:ns|us|ms|min|s|m|h|d)" + _END), "<DURATION>"),
    (re.compile(r"[-+]?\d+(?:\.\d+)?(?:[kKMGTP]i?B|B|kb|mb|gb|tb)" + _END), "<SIZE>"),
    (re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?" + _END), "<NUM>"),
    (re.compile(r"(?:0[xX][0-9a-fA-F]+|(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,})" + _END), "<HEX>"),
]


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_") or not ch.isascii()


def span_pattern(name: str) -> str:
    """The pattern of a span name (placeholders for URLs/paths, emails, timestamps, UUIDs, IPs, durations, sizes,
    numbers, hex)."""
    out, i, n = [], 0, len(name)
    while i < n:
        if i == 0 or not _word(name[i - 1]):
            for rx, placeholder in _TOKENS:
                m = rx.match(name, i)
                if m and m.end() > i:
                    out.append(placeholder)
                    i = m.end()
                    break
            else:
                out.append(name[i])
                i += 1
            continue
        out.append(name[i])
        i += 1
    return " ".join("".join(out).split())


# ---------------------------------------------------------------------------------------------- markers
class Anything:
    """Matches any value (used where the rules leave a number unspecified)."""

    def __repr__(self) -> str:
        return "<anything>"


ANYTHING = Anything()


@dataclass(frozen=True)
class Double:
    """A double attribute value: census may print it in any exact form ("0.25", "2.5e-1")."""
    value: float


class Opaque:
    """An array/kvlist/bytes value: its text form is census's choice; only count and cardinality are checked."""

    def __init__(self, raw: bytes):
        self.raw = raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __eq__(self, other) -> bool:
        return isinstance(other, Opaque) and other.raw == self.raw

    def __repr__(self) -> str:
        return "<opaque>"


class Samples:
    """Expected `value_samples` of a set of typed values (see `typed`).

    With at most 10 distinct values (ValueHashes) census shows every distinct value text; otherwise it keeps one sample
    per hash bucket: bucket = ValueHash % 10, and the bucket's sample is its smallest value text (UTF-8 order). Either
    way the API shows the distinct samples, sorted. `exact()` computes that list; `values` holds the rendered values for
    the looser checks.
    """

    def __init__(self, typed_values: set):
        self.typed = set(typed_values)
        self.values = {rendered(v) for v in self.typed}

    def exact(self) -> Optional[list[str]]:
        """The samples census must answer, or None when a value's text is census's choice (array, kvlist)."""
        described_all = []
        for tv in self.typed:
            described = hash_and_text(tv)
            if described is None:
                return None
            described_all.append(described)
        if len({h for h, _ in described_all}) <= MAX_SAMPLES:
            return sorted({text for _, text in described_all}, key=str.encode)
        slots: dict[int, str] = {}
        for h, text in described_all:
            slot = h % MAX_SAMPLES
            if slot not in slots or text.encode() < slots[slot].encode():
                slots[slot] = text
        return sorted(set(slots.values()), key=str.encode)

    def __repr__(self) -> str:
        return f"Samples({sorted(map(str, self.values))[:12]}{'…' if len(self.values) > 12 else ''}, n={len(self.values)})"


def typed(av: AnyValue) -> tuple:
    k = av.WhichOneof("value")
    if k is None:
        return ("empty", "")
    if k == "string_value":
        return ("s", av.string_value)
    if k == "bool_value":
        return ("b", av.bool_value)
    if k == "int_value":
        return ("i", av.int_value)
    if k == "double_value":
        return ("d", av.double_value)
    return ("o", av.SerializeToString(deterministic=True))


# ---------------------------------------------------------------------------------------------- census value hash
# census value hash v1 (Sources/Store/Model/ValueHash.swift): a single-lane xxHash64 variant seeded with a type tag.
# Strings and bytes are hashed as raw bytes, ints, bools and doubles as one 64-bit scalar (Sources/Consumer/Analysis/
# ValueText.swift). Only value samples need it.
import sys as _sys
from pathlib import Path as _Path

_sys.path.insert(0, str(_Path(__file__).resolve().parents[2] / "scripts" / "lib"))
from census_value_hash import (  # noqa: E402
    CANONICAL_NAN as _CANONICAL_NAN,
    TAG_BOOL as _TAG_BOOL,
    TAG_BYTES as _TAG_BYTES,
    TAG_DOUBLE as _TAG_DOUBLE,
    TAG_EMPTY as _TAG_EMPTY,
    TAG_INT as _TAG_INT,
    TAG_STRING as _TAG_STRING,
    hash_bytes as value_hash_bytes,
    hash_scalar as value_hash_scalar,
)


def swift_double_text(d: float) -> str:
    """Swift's `Double.description`: Python's shortest repr, except that Swift switches to exponent form above 2^53."""
    if math.isnan(d):
        return "nan"
    if math.isinf(d):
        return "inf" if d > 0 else "-inf"
    text = repr(d)
    if 2.0 ** 53 < abs(d) < 1e16:
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole = digits.split(".")[0]
        mantissa = (whole[0] + "." + whole[1:]).rstrip("0").rstrip(".")
        text = f"{sign}{mantissa}e+{len(whole) - 1:02d}"
    return text


def hash_and_text(tv: tuple) -> Optional[tuple[int, str]]:
    """census's ValueHash and sample text of a typed value; None for arrays and kvlists (their text is census's choice)."""
    t, v = tv
    if t == "s":
        return value_hash_bytes(v.encode(), _TAG_STRING), v[:MAX_SAMPLE_SCALARS]
    if t == "b":
        return value_hash_scalar(1 if v else 0, _TAG_BOOL), "true" if v else "false"
    if t == "i":
        return value_hash_scalar(v, _TAG_INT), str(v)
    if t == "d":
        bits = _CANONICAL_NAN if math.isnan(v) else struct.unpack("<Q", struct.pack("<d", v))[0]
        return value_hash_scalar(bits, _TAG_DOUBLE), swift_double_text(v)
    if t == "empty":
        return value_hash_bytes(b"", _TAG_EMPTY), ""
    av = AnyValue.FromString(v)
    if av.WhichOneof("value") == "bytes_value":
        return value_hash_bytes(av.bytes_value, _TAG_BYTES), base64.b64encode(av.bytes_value).decode()[:MAX_SAMPLE_SCALARS]
    return None


def rendered(tv: tuple) -> Any:
    t, v = tv
    if t == "s":
        return v
    if t == "b":
        return "true" if v else "false"
    if t == "i":
        return str(v)
    if t == "d":
        return Double(v)
    if t == "empty":
        return ""
    return Opaque(v)


# ---------------------------------------------------------------------------------------------- accumulators
@dataclass
class KeyAcc:
    count: int = 0
    values: set = field(default_factory=set)

    def add(self, tv: tuple) -> None:
        self.count += 1
        self.values.add(tv)

    def api(self, sample_count: Optional[int]) -> dict:
        out = {"value_samples": Samples(self.values), "count": self.count,
               "percentage": ANYTHING if sample_count is None else (self.count / sample_count * 100 if sample_count else 0.0),
               "estimated_cardinality": len(self.values)}
        return out


def keys_api(accs: dict[str, KeyAcc], sample_count: Optional[int]) -> dict:
    return {k: a.api(sample_count) for k, a in sorted(accs.items())}


@dataclass
class Dropped:
    total: int = 0
    items: int = 0
    max: int = 0

    def add(self, n: int) -> None:
        if n > 0:
            self.total += n
            self.items += 1
            self.max = max(self.max, n)

    def api(self, items_field: str) -> Optional[dict]:
        if self.total == 0:
            return None
        return {"total_dropped": self.total, items_field: self.items, "max_dropped": self.max}


@dataclass
class CatalogAcc:
    count: int = 0
    values: set = field(default_factory=set)
    signals: set = field(default_factory=set)
    scopes: set = field(default_factory=set)

    def add(self, tv: tuple, signal: str, scope: str) -> None:
        self.count += 1
        self.values.add(tv)
        self.signals.add(signal)
        self.scopes.add(scope)


def service_of(resource) -> str:
    attrs = {kv.key: kv.value for kv in resource.attributes}
    for k in ("service.name", "host.name"):
        v = attrs.get(k)
        if v is not None and v.WhichOneof("value") == "string_value" and v.string_value:
            return v.string_value
    return "unknown"


def _scope_min(current: Optional[tuple], scope) -> tuple:
    pair = (scope.name, scope.version)
    return pair if current is None or pair < current else current


def _scope_api(pair: Optional[tuple]) -> Optional[dict]:
    if not pair or not pair[0]:
        return None
    return {"name": pair[0], **({"version": pair[1]} if pair[1] else {})}


# ---------------------------------------------------------------------------------------------- active series
def series_fingerprint(resource_attributes, point_attributes) -> frozenset:
    """One OTLP series: the set of (key, typed value) over the resource attributes and the data point's own (a point
    attribute wins over a resource attribute of the same key), as history_data.Oracle counts series."""
    merged = {kv.key: repr(typed(kv.value)) for kv in resource_attributes}
    merged.update({kv.key: repr(typed(kv.value)) for kv in point_attributes})
    return frozenset(merged.items())


def prometheus_series(otlp: int, kind: Optional[str], bounds: int, max_scale: Optional[int]) -> int:
    """The reference's EstimatePrometheusActiveSeries: histograms otlp × (buckets + 2), buckets = bounds + 1 or, for
    exponential histograms, 2^(maxScale+1) capped at 160 (1 when maxScale ≤ 0); others otlp."""
    if kind == "histogram":
        return otlp * (bounds + 1 + 2)
    if kind == "exponential_histogram":
        buckets = 1 if max_scale is None or max_scale <= 0 else min(2 ** (max_scale + 1), 160)
        return otlp * (buckets + 2)
    return otlp


def active_series(distinct: int, count: int, kind: Optional[str], bounds: int, max_scale: Optional[int]) -> dict:
    """`active_series_otlp` (distinct fingerprints, at least 1 with data points) and `active_series_prometheus`."""
    otlp = max(1, distinct) if count else 0
    return {"active_series_otlp": otlp, "active_series_prometheus": prometheus_series(otlp, kind, bounds, max_scale)}


# ---------------------------------------------------------------------------------------------- calculator
class Expected:
    """Feed requests with add_metrics/add_spans/add_logs (or add_dataset), then read .metrics/.spans/.logs/.attributes."""

    def __init__(self):
        self._m: dict[str, dict] = {}
        self._s: dict[str, dict] = {}
        self._l: dict[str, dict] = {}
        self._cat: dict[str, CatalogAcc] = defaultdict(CatalogAcc)
        self.bodies: dict[str, list[str]] = defaultdict(list)  # severity -> string bodies
        # (severity, service) -> {"count", "attrs", "resource", "bodies"}: the per-service view of logs.
        self._ls: dict[tuple[str, str], dict] = {}

    def add_dataset(self, dataset: dict[str, list]) -> "Expected":
        for req in dataset.get("otlp_metrics", []):
            self.add_metrics(req)
        for req in dataset.get("otlp_spans", []):
            self.add_spans(req)
        for req in dataset.get("otlp_logs", []):
            self.add_logs(req)
        return self

    def _catalog(self, attributes, signal: str, scope: str) -> None:
        for kv in attributes:
            self._cat[kv.key].add(typed(kv.value), signal, scope)

    # -- metrics
    def add_metrics(self, req) -> None:
        for rm in req.resource_metrics:
            svc = service_of(rm.resource)
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    kind = metric.WhichOneof("data")
                    a = self._m.setdefault(metric.name, {
                        "name": metric.name, "description": metric.description, "unit": metric.unit, "kind": kind,
                        "temporality": 0, "monotonic": False, "bounds": set(), "scales": set(), "count": 0,
                        "labels": defaultdict(KeyAcc), "resource": defaultdict(KeyAcc), "scope": None,
                        "services": defaultdict(int), "series": set()})
                    assert a["kind"] == kind, f"data set error: metric {metric.name} has two types"
                    a["scope"] = _scope_min(a["scope"], sm.scope)
                    if kind is None:
                        continue
                    data = getattr(metric, kind)
                    if kind in ("sum", "histogram", "exponential_histogram"):
                        a["temporality"] = data.aggregation_temporality
                    if kind == "sum":
                        a["monotonic"] = a["monotonic"] or data.is_monotonic
                    for dp in data.data_points:
                        a["count"] += 1
                        a["services"][svc] += 1
                        if kind == "histogram":
                            a["bounds"].update(dp.explicit_bounds)
                        if kind == "exponential_histogram":
                            a["scales"].add(dp.scale)
                        a["series"].add(series_fingerprint(rm.resource.attributes, dp.attributes))
                        for kv in dp.attributes:
                            a["labels"][kv.key].add(typed(kv.value))
                        for kv in rm.resource.attributes:
                            a["resource"][kv.key].add(typed(kv.value))
                        self._catalog(dp.attributes, "metric", "attribute")
                        self._catalog(rm.resource.attributes, "metric", "resource")

    @property
    def metrics(self) -> dict[str, dict]:
        out = {}
        for name, a in sorted(self._m.items()):
            n = a["count"]
            kind = a["kind"]
            data: dict = {"data_point_count": n}
            if kind in ("sum", "histogram", "exponential_histogram"):
                data["aggregation_temporality"] = a["temporality"]
            if kind == "sum":
                data["is_monotonic"] = a["monotonic"]
            if kind == "histogram" and a["bounds"]:
                data["explicit_bounds"] = sorted(a["bounds"])
            if kind == "exponential_histogram" and a["scales"]:
                data["scales"] = sorted(a["scales"])
            out[name] = {
                "name": name, "description": a["description"], "unit": a["unit"], "data": data,
                "label_keys": keys_api(a["labels"], n), "resource_keys": keys_api(a["resource"], n),
                "scope_info": _scope_api(a["scope"]), "sample_count": n, "services": dict(sorted(a["services"].items())),
                "type": METRIC_TYPES.get(kind, "Unknown"),
                **active_series(len(a["series"]), n, kind, len(a["bounds"]), max(a["scales"], default=None)),
            }
        return out

    # -- spans
    def add_spans(self, req) -> None:
        for rs in req.resource_spans:
            svc = service_of(rs.resource)
            for ss in rs.scope_spans:
                for span in ss.spans:
                    a = self._s.setdefault(span.name, {
                        "kind": span.kind, "attrs": defaultdict(KeyAcc), "events": defaultdict(lambda: defaultdict(KeyAcc)),
                        "event_names": set(), "links": defaultdict(KeyAcc), "resource": defaultdict(KeyAcc),
                        "trace_state": False, "parent": False, "status": set(), "d_attr": Dropped(), "d_events": Dropped(),
                        "d_links": Dropped(), "scope": None, "count": 0, "services": defaultdict(int)})
                    assert a["kind"] == span.kind, f"data set error: span {span.name} has two kinds"
                    a["count"] += 1
                    a["services"][svc] += 1
                    a["scope"] = _scope_min(a["scope"], ss.scope)
                    a["trace_state"] |= span.trace_state != ""
                    a["parent"] |= any(span.parent_span_id)
                    if span.HasField("status"):
                        a["status"].add(span.status.code)
                    a["d_attr"].add(span.dropped_attributes_count)
                    a["d_events"].add(span.dropped_events_count)
                    a["d_links"].add(span.dropped_links_count)
                    for kv in span.attributes:
                        a["attrs"][kv.key].add(typed(kv.value))
                    for kv in rs.resource.attributes:
                        a["resource"][kv.key].add(typed(kv.value))
                    self._catalog(span.attributes, "span", "attribute")
                    self._catalog(rs.resource.attributes, "span", "resource")
                    for ev in span.events:
                        a["event_names"].add(ev.name)
                        per_event = a["events"][ev.name]
                        for kv in ev.attributes:
                            per_event[kv.key].add(typed(kv.value))
                        self._catalog(ev.attributes, "span", "attribute")
                    for lk in span.links:
                        for kv in lk.attributes:
                            a["links"][kv.key].add(typed(kv.value))
                        self._catalog(lk.attributes, "span", "attribute")

    @property
    def spans(self) -> dict[str, dict]:
        out = {}
        for name, a in sorted(self._s.items()):
            n = a["count"]
            out[name] = {
                "name": name, "kind": a["kind"], "kind_name": KIND_NAMES[a["kind"]],
                "attribute_keys": keys_api(a["attrs"], n),
                "event_names": sorted(a["event_names"]),
                # The reference never computes event/link key percentages; census's choice is not checked.
                "event_attribute_keys": {e: keys_api(keys, None) for e, keys in sorted(a["events"].items()) if keys},
                "link_attribute_keys": keys_api(a["links"], None),
                "resource_keys": keys_api(a["resource"], n),
                "has_trace_state": a["trace_state"], "has_parent_span_id": a["parent"],
                "status_codes": [STATUS_NAMES[c] for c in sorted(a["status"]) if c in STATUS_NAMES],
                "dropped_attributes_stats": a["d_attr"].api("items_with_dropped"),
                "dropped_events_stats": a["d_events"].api("items_with_dropped"),
                "dropped_links_stats": a["d_links"].api("items_with_dropped"),
                "scope_info": _scope_api(a["scope"]),
                # One pattern per span object: its own name's (the reference keeps an analyzer per name).
                "name_patterns": [{"template": span_pattern(name), "count": n, "percentage": 100.0, "examples": [name]}] if name else None,
                "sample_count": n, "services": dict(sorted(a["services"].items())),
            }
        return out

    # -- logs
    def add_logs(self, req) -> None:
        for rl in req.resource_logs:
            svc = service_of(rl.resource)
            for sl in rl.scope_logs:
                for rec in sl.log_records:
                    sev = rec.severity_text or "UNSET"
                    a = self._l.setdefault(sev, {
                        "number": rec.severity_number, "attrs": defaultdict(KeyAcc), "resource": defaultdict(KeyAcc),
                        "event_names": set(), "trace": False, "span": False, "d_attr": Dropped(), "scope": None, "count": 0,
                        "services": defaultdict(int)})
                    assert a["number"] == rec.severity_number, f"data set error: severity {sev} has two numbers"
                    a["count"] += 1
                    a["services"][svc] += 1
                    a["scope"] = _scope_min(a["scope"], sl.scope)
                    a["trace"] |= any(rec.trace_id)
                    a["span"] |= any(rec.span_id)
                    a["d_attr"].add(rec.dropped_attributes_count)
                    for kv in rec.attributes:
                        a["attrs"][kv.key].add(typed(kv.value))
                        if kv.key == "event.name" and kv.value.WhichOneof("value") == "string_value" and kv.value.string_value:
                            a["event_names"].add(kv.value.string_value)
                    if rec.event_name:
                        a["event_names"].add(rec.event_name)
                    for kv in rl.resource.attributes:
                        a["resource"][kv.key].add(typed(kv.value))
                    self._catalog(rec.attributes, "log", "attribute")
                    self._catalog(rl.resource.attributes, "log", "resource")
                    if rec.body.WhichOneof("value") == "string_value":
                        self.bodies[sev].append(rec.body.string_value)
                    ls = self._ls.setdefault((sev, svc), {"count": 0, "attrs": defaultdict(KeyAcc), "resource": defaultdict(KeyAcc),
                                                          "bodies": []})
                    ls["count"] += 1
                    for kv in rec.attributes:
                        ls["attrs"][kv.key].add(typed(kv.value))
                    for kv in rl.resource.attributes:
                        ls["resource"][kv.key].add(typed(kv.value))
                    if rec.body.WhichOneof("value") == "string_value":
                        ls["bodies"].append(rec.body.string_value)

    @property
    def logs(self) -> dict[str, dict]:
        out = {}
        for sev, a in sorted(self._l.items()):
            n = a["count"]
            out[sev] = {
                "severity": sev, "severity_number": a["number"],
                "attribute_keys": keys_api(a["attrs"], n), "resource_keys": keys_api(a["resource"], n),
                "event_names": sorted(a["event_names"]),
                "has_trace_context": a["trace"], "has_span_context": a["span"],
                "dropped_attributes_stats": a["d_attr"].api("records_with_dropped"),
                "scope_info": _scope_api(a["scope"]), "sample_count": n, "services": dict(sorted(a["services"].items())),
            }
        return out

    # -- attribute catalog
    @property
    def attributes(self) -> dict[str, dict]:
        order = {"metric": 0, "span": 1, "log": 2}
        out = {}
        for key, c in sorted(self._cat.items()):
            scope = "both" if len(c.scopes) > 1 else next(iter(c.scopes))
            out[key] = {"key": key, "count": c.count, "estimated_cardinality": len(c.values),
                        "value_samples": Samples(c.values),
                        "signal_types": sorted(c.signals, key=order.__getitem__), "scope": scope}
        return out

    def answers(self) -> dict[str, dict]:
        return {"metrics": self.metrics, "spans": self.spans, "logs": self.logs, "attributes": self.attributes}


# ---------------------------------------------------------------------------------------------- insights
# The V1 service, cardinality and log-pattern endpoints ([MEM] semantics as census documents them in docs/API.md).
# Names sort by UTF-8 bytes (ClickHouse string order); signals rank metric < span < log and scopes resource < attribute
# where census breaks ties.
SIGNAL_RANK = {"metric": 1, "span": 2, "log": 3}
HIGH_CARDINALITY = 100


def _b(text: str) -> bytes:
    return text.encode()


class Insights:
    """What the cross-signal endpoints must answer for the data an `Expected` was fed."""

    def __init__(self, e: Expected):
        self.e = e

    def services(self) -> list[str]:
        names = set()
        for a in list(self.e._m.values()) + list(self.e._s.values()) + list(self.e._l.values()):
            names.update(s for s, n in a["services"].items() if n > 0)
        return sorted(names, key=_b)

    def _signal_keys(self):
        """(signal, name, scope, key, KeyAcc) for every ranked key: metric labels, span/log attributes, resources."""
        for name, a in self.e._m.items():
            yield from (("metric", name, "label", k, acc) for k, acc in a["labels"].items())
            yield from (("metric", name, "resource", k, acc) for k, acc in a["resource"].items())
        for name, a in self.e._s.items():
            yield from (("span", name, "attribute", k, acc) for k, acc in a["attrs"].items())
            yield from (("span", name, "resource", k, acc) for k, acc in a["resource"].items())
        for name, a in self.e._l.items():
            yield from (("log", name, "attribute", k, acc) for k, acc in a["attrs"].items())
            yield from (("log", name, "resource", k, acc) for k, acc in a["resource"].items())

    def high_cardinality(self, threshold: int = 100, limit: int = 100) -> dict:
        rows = [r for r in self._signal_keys() if len(r[4].values) >= threshold]
        rows.sort(key=lambda r: (-len(r[4].values), SIGNAL_RANK[r[0]], _b(r[1]), 0 if r[2] == "resource" else 1, _b(r[3])))
        keys = [{"signal_type": sig, "signal_name": name, "key_scope": scope, "key_name": key, "estimated_cardinality": len(acc.values),
                 "key_count": acc.count, "value_samples": Samples(acc.values)} for sig, name, scope, key, acc in rows[:limit]]
        return {"high_cardinality_keys": keys, "total": len(keys), "threshold": threshold}

    def complexity(self, threshold: int = 10, limit: int = 100) -> dict:
        def item(sig, name, attrs, resource, events, links, extra):
            widths = [len(acc.values) for acc in list(attrs.values()) + list(resource.values()) + list(links.values())]
            total = len(attrs) + len(resource) + events + len(links) + extra
            top = max(widths, default=0)
            return {"signal_type": sig, "signal_name": name, "total_keys": total, "attribute_key_count": len(attrs),
                    "resource_key_count": len(resource), "event_key_count": events, "link_key_count": len(links),
                    "max_cardinality": top, "high_cardinality_count": sum(w > HIGH_CARDINALITY for w in widths),
                    "complexity_score": total * top}

        items = []
        for name, a in self.e._m.items():
            extra = len(a["bounds"]) + 1 if a["kind"] == "histogram" else 10 * len(a["scales"]) if a["kind"] == "exponential_histogram" else 0
            items.append(item("metric", name, a["labels"], a["resource"], 0, {}, extra))
        for name, a in self.e._s.items():
            items.append(item("span", name, a["attrs"], a["resource"], sum(len(k) for k in a["events"].values()), a["links"], 0))
        for name, a in self.e._l.items():
            items.append(item("log", name, a["attrs"], a["resource"], 0, {}, 0))
        items = [i for i in items if i["total_keys"] >= threshold]
        items.sort(key=lambda i: (-i["total_keys"], -i["max_cardinality"], SIGNAL_RANK[i["signal_type"]], _b(i["signal_name"])))
        items = items[:limit]
        return {"signals": items, "total": len(items), "threshold": threshold}

    def logs_by_service(self) -> list[dict]:
        pairs = sorted(self.e._ls.items(), key=lambda kv: (_b(kv[0][1]), _b(kv[0][0])))
        return [{"service_name": svc, "severity": sev, "sample_count": ls["count"]} for (sev, svc), ls in pairs]

    def service_log(self, service: str, severity: str) -> Optional[dict]:
        ls = self.e._ls.get((severity, service))
        if ls is None:
            return None
        n = ls["count"]
        return {"severity": severity, "service_name": service, "sample_count": n,
                "attribute_keys": keys_api(ls["attrs"], n), "resource_keys": keys_api(ls["resource"], n)}

    def service_body_groups(self, service: str, severity: str, group_of) -> dict:
        """Template group -> count of the service's string bodies of the severity (`group_of(severity, body)`)."""
        out: dict = defaultdict(int)
        for body in self.e._ls.get((severity, service), {"bodies": []})["bodies"]:
            out[group_of(severity, body)] += 1
        return dict(out)

    def pattern_groups(self, group_of, min_count: int = 10, min_services: int = 1) -> dict:
        """Template group -> the expected pattern (template text is census's; groups come from `group_of`)."""
        per: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # group -> severity -> service -> count
        for (sev, svc), ls in self.e._ls.items():
            for body in ls["bodies"]:
                per[group_of(sev, body)][sev][svc] += 1
        out = {}
        for group, by_sev in per.items():
            breakdown = {sev: sum(s.values()) for sev, s in by_sev.items() if sum(s.values()) >= min_count}
            services = []
            for sev in sorted(breakdown, key=_b):
                for svc in sorted(by_sev[sev], key=_b):
                    ls = self.e._ls[(sev, svc)]
                    services.append({"service_name": svc, "sample_count": ls["count"], "severities": [sev],
                                     "resource_keys": _key_infos(ls["resource"]), "attribute_keys": _key_infos(ls["attrs"])})
            if breakdown and len(services) >= min_services:
                out[group] = {"total_count": sum(breakdown.values()), "severity_breakdown": dict(sorted(breakdown.items())),
                              "services": services}
        return out


def _key_infos(accs: dict[str, KeyAcc]) -> list[dict]:
    return [{"name": k, "cardinality": len(a.values), "sample_values": Samples(a.values)} for k, a in sorted(accs.items(), key=lambda kv: _b(kv[0]))]


def expected_for(dataset: dict[str, list]) -> Expected:
    return Expected().add_dataset(dataset)
