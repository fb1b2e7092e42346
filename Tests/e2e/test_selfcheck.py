"""Checks of the suite's own tools (no census needed): the expectation calculator against hand-computed
numbers, the OTLP/JSON encoder, and the comparator."""

import base64
import json

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import otlp_data
from compare import diff_answers
from expect import Expected, expected_for
from otlp_data import set_attrs


def _tiny_metrics():
    req = ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    set_attrs(rm.resource.attributes, {"service.name": "a", "r": "x"})
    sm = rm.scope_metrics.add()
    sm.scope.name, sm.scope.version = "zz", "2"
    m = sm.metrics.add(name="m", unit="1")
    m.sum.is_monotonic = True
    m.sum.aggregation_temporality = 2
    set_attrs(m.sum.data_points.add(as_int=1).attributes, {"k": "v1"})
    set_attrs(m.sum.data_points.add(as_int=2).attributes, {"k": "v2", "j": 1})
    rm2 = req.resource_metrics.add()
    set_attrs(rm2.resource.attributes, {"host.name": "h"})
    sm2 = rm2.scope_metrics.add()
    sm2.scope.name, sm2.scope.version = "aa", "1"
    m2 = sm2.metrics.add(name="m", unit="1")
    m2.sum.is_monotonic = True
    m2.sum.aggregation_temporality = 2
    set_attrs(m2.sum.data_points.add(as_int=3).attributes, {"k": "v1", "flag": True, "ratio": 0.5})
    return req


def test_metric_rules_by_hand():
    e = Expected()
    e.add_metrics(_tiny_metrics())
    m = e.metrics["m"]
    assert m["sample_count"] == 3 and m["services"] == {"a": 2, "h": 1}
    assert m["data"] == {"data_point_count": 3, "aggregation_temporality": 2, "is_monotonic": True}
    assert m["type"] == "Sum" and m["scope_info"] == {"name": "aa", "version": "1"}
    k = m["label_keys"]["k"]
    assert (k["count"], k["percentage"], k["estimated_cardinality"]) == (3, 100.0, 2)
    assert k["value_samples"].values == {"v1", "v2"}
    j = m["label_keys"]["j"]
    assert (j["count"], round(j["percentage"], 4), j["value_samples"].values) == (1, 33.3333, {"1"})
    assert m["label_keys"]["flag"]["value_samples"].values == {"true"}
    # Resource keys: counted per data point, from every resource.
    rk = m["resource_keys"]
    assert set(rk) == {"service.name", "r", "host.name"}
    assert (rk["service.name"]["count"], round(rk["service.name"]["percentage"], 4)) == (2, 66.6667)
    assert (rk["host.name"]["count"], round(rk["host.name"]["percentage"], 4)) == (1, 33.3333)
    cat = e.attributes
    assert cat["k"]["count"] == 3 and cat["k"]["scope"] == "attribute" and cat["k"]["signal_types"] == ["metric"]
    assert cat["service.name"]["count"] == 2 and cat["service.name"]["scope"] == "resource"


def test_span_and_log_rules_by_hand():
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    set_attrs(rs.resource.attributes, {"service.name": "s"})
    ss = rs.scope_spans.add()
    a = ss.spans.add(name="op", kind=2, parent_span_id=b"\x00" * 8, trace_state="x=1", dropped_attributes_count=2)
    set_attrs(a.attributes, {"k": "v"})
    ev = a.events.add(name="exception")
    set_attrs(ev.attributes, {"exception.type": "E"})
    lk = a.links.add(trace_id=b"\x01" * 16, span_id=b"\x02" * 8)
    set_attrs(lk.attributes, {"k": "w"})
    b = ss.spans.add(name="op", kind=2, parent_span_id=b"\x00" * 7 + b"\x01")
    b.status.code = 2
    s = expected_for({"otlp_spans": [req]}).spans["op"]
    assert s["sample_count"] == 2 and s["has_parent_span_id"] and s["has_trace_state"]
    assert s["status_codes"] == ["ERROR"] and s["event_names"] == ["exception"]
    assert s["dropped_attributes_stats"] == {"total_dropped": 2, "items_with_dropped": 1, "max_dropped": 2}
    assert s["attribute_keys"]["k"]["percentage"] == 50.0 and s["resource_keys"]["service.name"]["count"] == 2
    assert s["link_attribute_keys"]["k"]["count"] == 1
    assert s["event_attribute_keys"]["exception"]["exception.type"]["count"] == 1

    lreq = ExportLogsServiceRequest()
    rl = lreq.resource_logs.add()
    sl = rl.scope_logs.add()
    r1 = sl.log_records.add(severity_number=5, trace_id=b"\x00" * 16, span_id=b"\x00" * 8, event_name="ev.b")
    set_attrs(r1.attributes, {"event.name": "ev.a"})
    r1.body.string_value = "hello 1"
    lg = expected_for({"otlp_logs": [lreq]}).logs["UNSET"]
    assert lg["services"] == {"unknown": 1} and not lg["has_trace_context"] and lg["event_names"] == ["ev.a", "ev.b"]


def test_json_encoding_round_trips_with_hex_ids():
    data = otlp_data.build_dataset(seed=3, messages=5)
    for topic, reqs in data.items():
        for req in reqs:
            doc = json.loads(otlp_data.to_json_bytes(req))
            # Turn the hex ids back into base64 and parse with the protobuf JSON parser: same message.

            def back(node):
                if isinstance(node, dict):
                    return {k: (base64.b64encode(bytes.fromhex(v)).decode() if k in ("traceId", "spanId", "parentSpanId") else back(v))
                            for k, v in node.items()}
                if isinstance(node, list):
                    return [back(x) for x in node]
                return node
            parsed = json_format.ParseDict(back(doc), type(req)())
            assert parsed == req
            if topic == "otlp_spans":
                span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
                assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16 and isinstance(span.get("kind", 0), int)


def test_dataset_covers_the_rules():
    e = expected_for(otlp_data.build_dataset(seed=1, messages=30))
    m = e.metrics
    assert {x["type"] for x in m.values()} == {"Gauge", "Sum", "Histogram", "ExponentialHistogram", "Summary"}
    assert set(m["system.cpu.utilization"]["services"]) == {"checkout", "payments", "frontend", "batch-host-7", "unknown"}
    assert m["cache.lookups"]["label_keys"]["cache.key"]["estimated_cardinality"] > 10
    assert m["http.server.request.count"]["label_keys"]["http.route"]["percentage"] < 100
    assert m["http.server.request.duration"]["scope_info"]["name"].startswith("@opentelemetry")
    s = e.spans
    assert {x["kind"] for x in s.values()} == {0, 1, 2, 3, 4, 5}
    assert s["process payment"]["status_codes"] == [] and not s["healthcheck"]["has_parent_span_id"]
    assert "k8s.pod.name" in s["GET /api/cart"]["resource_keys"]
    lg = e.logs
    assert set(lg) == {"INFO", "WARN", "ERROR", "UNSET", "FATAL"} and not lg["FATAL"]["has_trace_context"]
    assert e.attributes["host.name"]["scope"] == "resource" and e.attributes["host.name"]["signal_types"] == ["metric", "span", "log"]


def test_value_hash_port_is_pinned():
    """The Python port of census's ValueHash: the same constants pin the Swift side (SampleSlotTests)."""
    import math
    import struct

    from expect import Samples, swift_double_text, value_hash_bytes, value_hash_scalar
    strings = {"": 0xD5AFBA1336A3BE4B, "GET": 0x554D97078A6C98DC, "abcd": 0xF5DCBD6DEE3C9553, "abcdefgh": 0x8305125710212A61,
               "abcdefghijklm": 0xB9AAF6CF8776299B, "héllo wörld 🙂": 0x2B825FDABE97952E}
    assert {s: value_hash_bytes(s.encode(), 1) for s in strings} == strings
    assert value_hash_scalar(7, 3) == 0x89E07341903FC65A and value_hash_scalar(-1, 3) == 0x91C89CA55BCB31D6
    assert value_hash_scalar(1, 2) == 0xAB489E7B562D4953
    assert value_hash_scalar(struct.unpack("<Q", struct.pack("<d", 0.25))[0], 4) == 0xEF310B29948A988F
    assert value_hash_scalar(0x7FF8000000000000, 4) == 0x339317310C8902C6
    assert value_hash_bytes(bytes([0, 1, 0xFE, 0xFF]), 5) == 0x07C6038582F9F3F9 and value_hash_bytes(b"", 7) == 0x95F0626F6F0A4409
    assert [swift_double_text(d) for d in (0.25, 1e16, 9007199254740994.0, -math.inf, math.nan)] == \
        ["0.25", "1e+16", "9.007199254740994e+15", "-inf", "nan"]
    # One sample per bucket: GET (bucket 8) and POST (6) both survive; 1000 values give exactly 10.
    assert Samples({("s", "GET"), ("s", "POST")}).exact() == ["GET", "POST"]
    assert len(Samples({("s", f"v{i}") for i in range(1000)}).exact()) == 10
    # At most 10 distinct values: all of them, although idle/steal/system/user share buckets.
    states = ["idle", "user", "system", "nice", "iowait", "irq", "softirq", "steal"]
    assert Samples({("s", x) for x in states}).exact() == sorted(states)
    assert len(Samples({("s", f"v{i}") for i in range(11)}).exact()) < 11


def test_comparator_reports_and_tolerates():
    e = Expected()
    e.add_metrics(_tiny_metrics())
    exp = e.answers()
    act = json.loads(json.dumps({k: {n: _plain(v) for n, v in sec.items()} for k, sec in exp.items()}))
    assert diff_answers(exp, act) == []
    act["metrics"]["m"]["label_keys"]["k"]["count"] = 4
    del act["metrics"]["m"]["description"]  # omitempty
    act["metrics"]["m"]["label_keys"]["k"]["value_samples"] = ["v2", "v1"]
    diffs = diff_answers(exp, act)
    assert any("label_keys/k/count" in d for d in diffs) and any("not sorted" in d for d in diffs) and len(diffs) == 2


def _plain(v):
    from expect import Anything, Samples
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, Samples):
        return v.exact()
    if isinstance(v, Anything):
        return 0
    return v
