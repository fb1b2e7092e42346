"""A known data set goes through Kafka into census; every V1 endpoint must answer exactly the metadata
computed independently (expect.py)."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest

import otlp_data
from compare import LIST_ENDPOINTS, assert_answers, detail_path, fetch_answers, strip_volatile
from conftest import KEEP, RUN_DIR
from expect import expected_for
from harness import Census, DevBroker, rmtree
from kafka_util import OffsetReader, produce


@pytest.fixture(scope="module")
def loaded(clickhouse):
    workdir = RUN_DIR / "test_metadata"
    rmtree(workdir)
    broker = DevBroker(workdir)
    census = Census(workdir, broker.bootstrap, clickhouse.url)
    reader = None
    ok = False
    try:
        census.start()
        dataset = otlp_data.build_dataset(seed=11, messages=40)
        produce(broker.bootstrap, otlp_data.records(dataset))
        reader = OffsetReader(broker.bootstrap, census.group, broker.topics)
        reader.wait_caught_up(diagnostics=census.log_tail)
        expected = expected_for(dataset)
        yield SimpleNamespace(census=census, broker=broker, dataset=dataset, expected=expected, answers=fetch_answers(census))
        ok = True
    finally:
        if reader:
            reader.close()
        rc = census.stop()
        broker.stop()
        if not ok:
            print(census.log_tail(80))
        if rc not in (0, None):
            print(f"census exited with {rc} on SIGTERM\n{census.log_tail(40)}")
        if not KEEP:
            clickhouse.drop_database(census.database)


def test_list_endpoints_match_expected_metadata(loaded):
    assert_answers(loaded.expected.answers(), loaded.answers)


@pytest.mark.parametrize("what", ["metrics", "spans", "logs", "attributes"])
def test_detail_endpoint_equals_list_element(loaded, what):
    problems = []
    for name, element in sorted(loaded.answers[what].items()):
        r = loaded.census.get(detail_path(what, name), expect=None)
        if r.status_code != 200:
            problems.append(f"GET {detail_path(what, name)} -> {r.status_code} {r.text[:120]}")
            continue
        body = r.json()
        if what == "attributes":
            # The reference's shape: {"data": AttributeMetadata, "watched": bool}; list items carry `watched` last.
            if list(body) != ["data", "watched"] or list(element)[-1] != "watched" or body["watched"] != element["watched"]:
                problems.append(f"{name}: attribute detail must be {{\"data\": {{...}}, \"watched\": …}} as its list item, got {body}")
                continue
            body = {**body["data"], "watched": body["watched"]}
        if strip_volatile(body) != strip_volatile(element):
            problems.append(f"{name}: detail differs from the list element:\n    detail {body}\n    list   {element}")
    assert not problems, "\n".join(problems)


# Required fields (not omitempty) and their JSON types, from v1-api-reference.md §1.4.
KEY_FIELDS = {"count": int, "percentage": (int, float), "estimated_cardinality": int}
REQUIRED = {
    "metrics": {"name": str, "data": (dict, type(None)), "label_keys": dict, "resource_keys": dict, "sample_count": int,
                "services": dict, "type": str, "active_series_otlp": int, "active_series_prometheus": int},
    "spans": {"name": str, "kind": int, "attribute_keys": dict, "event_names": list, "event_attribute_keys": dict,
              "link_attribute_keys": dict, "resource_keys": dict, "has_trace_state": bool, "has_parent_span_id": bool,
              "sample_count": int, "services": dict},
    "logs": {"severity": str, "attribute_keys": dict, "resource_keys": dict, "has_trace_context": bool, "has_span_context": bool,
             "sample_count": int, "services": dict},
    "attributes": {"key": str, "count": int, "estimated_cardinality": int, "value_samples": list, "signal_types": list,
                   "scope": str, "first_seen": str, "last_seen": str},
}


def _key_maps(what, element):
    names = {"metrics": ["label_keys", "resource_keys"], "spans": ["attribute_keys", "link_attribute_keys", "resource_keys"],
             "logs": ["attribute_keys", "resource_keys"]}.get(what, [])
    maps = [(n, element.get(n) or {}) for n in names]
    if what == "spans":
        maps += [(f"event_attribute_keys/{e}", m) for e, m in (element.get("event_attribute_keys") or {}).items()]
    return maps


@pytest.mark.parametrize("what", ["metrics", "spans", "logs", "attributes"])
def test_json_shapes(loaded, what):
    problems = []
    for name, el in loaded.answers[what].items():
        for field, typ in REQUIRED[what].items():
            if field not in el:
                problems.append(f"{what}/{name}: missing required field {field!r}")
            elif not isinstance(el[field], typ) or (typ is int and isinstance(el[field], bool)):
                problems.append(f"{what}/{name}/{field}: {type(el[field]).__name__} is not {typ}")
        for map_name, keys in _key_maps(what, el):
            for key, km in keys.items():
                for f, typ in KEY_FIELDS.items():
                    if not isinstance(km.get(f), typ):
                        problems.append(f"{what}/{name}/{map_name}/{key}/{f}: {km.get(f)!r}")
                if "value_samples" in km and list(km)[0] != "value_samples":
                    problems.append(f"{what}/{name}/{map_name}/{key}: value_samples must come first (reference MarshalJSON)")
        if what == "spans" and el.get("kind_name") not in ("Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"):
            problems.append(f"spans/{name}: kind_name {el.get('kind_name')!r}")
    assert not problems, "\n".join(problems[:60])


def test_log_body_templates(loaded):
    """Bodies that differ only in numbers/IPs share one template; counts, percentages and examples add up."""
    problems = []
    for sev, bodies in sorted(loaded.expected.bodies.items()):
        groups = Counter(otlp_data.template_group(sev, b) for b in bodies)
        actual = loaded.answers["logs"].get(sev, {}).get("body_templates") or []
        if len(actual) != len(groups):
            problems.append(f"{sev}: {len(actual)} templates, expected {len(groups)} ({dict(groups)}): {[t.get('template') for t in actual]}")
        got = Counter()
        for t in actual:
            example = t.get("example", "")
            g = otlp_data.template_group(sev, example) if example in bodies else None
            if g is None:
                problems.append(f"{sev}: template {t.get('template')!r} has example {example!r}, which is not one of the bodies written")
                continue
            got[g] += t.get("count", 0)
            pct = t.get("percentage")
            if not isinstance(pct, (int, float)) or abs(pct - t.get("count", 0) / len(bodies) * 100) > 1e-6:
                problems.append(f"{sev}: template {t.get('template')!r} percentage {pct}, expected {t.get('count', 0) / len(bodies) * 100}")
        if got != groups:
            problems.append(f"{sev}: template counts {dict(got)}, expected {dict(groups)}")
        counts = [t.get("count", 0) for t in actual]
        if counts != sorted(counts, reverse=True):
            problems.append(f"{sev}: templates not sorted by count desc: {counts}")
    for sev, el in loaded.answers["logs"].items():
        if sev not in loaded.expected.bodies and el.get("body_templates"):
            problems.append(f"{sev}: has templates but no string bodies were written: {el['body_templates']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("what", ["metrics", "spans", "logs"])
def test_pagination(loaded, what):
    path, key = LIST_ENDPOINTS[what]
    names = sorted(loaded.expected.answers()[what])
    r = loaded.census.get(path, params={"limit": 2, "offset": 1}).json()
    assert [x[key] for x in r["data"]] == names[1:3]
    assert (r["total"], r["limit"], r["offset"], r["has_more"]) == (len(names), 2, 1, len(names) > 3)
    r = loaded.census.get(path, params={"limit": 2, "offset": len(names)}).json()
    assert (r["data"], r["has_more"]) == ([], False)
    r = loaded.census.get(path, params={"limit": 5000}).json()
    assert r["limit"] == 1000 and len(r["data"]) == len(names), "limit is clamped to 1000 (reference §1.2)"
    r = loaded.census.get(path).json()
    assert (r["limit"], r["offset"]) == (100, 0)


@pytest.mark.parametrize("what", ["metrics", "spans", "logs"])
@pytest.mark.parametrize("service", ["payments", "checkout", "unknown", "no-such-service"])
def test_service_filter(loaded, what, service):
    path, key = LIST_ENDPOINTS[what]
    want = sorted(n for n, el in loaded.expected.answers()[what].items() if service in el["services"])
    r = loaded.census.get(path, params={"service": service, "limit": 1000}).json()
    assert [x[key] for x in r["data"]] == want
    assert r["total"] == len(want)


def test_not_found_answers(loaded):
    c = loaded.census
    for path, message in (("/api/v1/metrics/no.such.metric", "metric not found"), ("/api/v1/spans/no-such-span", "span not found"),
                          ("/api/v1/logs/NOSUCHSEVERITY", "log severity not found")):
        r = c.get(path, expect=404)
        assert r.json() == {"error": message}, f"{path}: {r.text}"
    r = c.get("/api/v1/attributes/no.such.key", expect=404)
    assert r.json().get("error", "").startswith("Attribute not found"), r.text


def test_attribute_catalog_queries(loaded):
    c = loaded.census
    cat = loaded.expected.attributes

    def keys(params):
        r = c.get("/api/v1/attributes", params={"limit": 1000, **params}).json()
        assert r["total"] == len(r["data"]), r
        return [a["key"] for a in r["data"]]

    assert sorted(keys({"signal_type": "log"})) == sorted(k for k, a in cat.items() if "log" in a["signal_types"])
    # A key seen in both scopes matches either scope filter; scope=both matches only those.
    assert sorted(keys({"scope": "resource"})) == sorted(k for k, a in cat.items() if a["scope"] in ("resource", "both"))
    assert sorted(keys({"scope": "both"})) == sorted(k for k, a in cat.items() if a["scope"] == "both")
    assert keys({"sort_by": "key", "sort_order": "asc"}) == sorted(cat)
    assert sorted(keys({"min_cardinality": 10})) == sorted(k for k, a in cat.items() if a["estimated_cardinality"] >= 10)
    cards = [a["estimated_cardinality"] for a in c.get("/api/v1/attributes", params={"limit": 1000}).json()["data"]]
    assert cards == sorted(cards, reverse=True), "default order is cardinality desc"
    r = c.get("/api/v1/attributes", params={"limit": 3, "offset": 2, "sort_by": "key", "sort_order": "asc"}).json()
    assert [a["key"] for a in r["data"]] == sorted(cat)[2:5]
    assert (r["total"], r["limit"], r["offset"], r["has_more"]) == (len(cat), 3, 2, 5 < len(cat))


def test_health(loaded):
    h = loaded.census.get("/api/v1/health").json()
    assert h.get("status") == "ok" and isinstance(h.get("version"), str) and "uptime" in h, h
