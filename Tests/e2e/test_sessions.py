"""`/api/v1/sessions…` on the multi-day data set (history_data): sessions are named day ranges of the stored history.
Two range sessions (the first two days, the last three) are created, listed, diffed, exported, imported back and
deleted; every answer is compared as exact JSON with what the Python oracle says (never with census). The diff finds
the vanished `jobs.legacy.count`, the new `queue.depth`, and the 10 → 610 jump of `user.id` (critical); an export
imported under another name exports byte for byte the same and diffs empty against its source.

Cost: one broker, one census and ~35 records for the module (~15 s)."""

from __future__ import annotations

import json
from typing import Optional

import pytest
import requests

import history_data as hd
from harness import Census

TOKEN = "e2e-sessions-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TYPES = {"histogram": "Histogram", "sum": "Sum", "gauge": "Gauge"}


class World:
    def __init__(self, census: Census, oracle: hd.Oracle):
        self.census, self.oracle, self.days = census, oracle, oracle.days

    def url(self, path: str) -> str:
        return f"{self.census.api}/api/v1/{path}"

    def get(self, path: str, expect: int = 200, **params) -> requests.Response:
        r = requests.get(self.url(path), params=params, timeout=30)
        assert r.status_code == expect, f"GET {r.url} -> {r.status_code} (expected {expect}): {r.text[:500]}"
        assert r.headers["content-type"] == "application/json"
        return r

    def post(self, path: str, body=None, expect: int = 201, headers=AUTH, data: Optional[bytes] = None, **params) -> requests.Response:
        r = requests.post(self.url(path), json=body if data is None else None, data=data, params=params, headers=headers, timeout=30)
        assert r.status_code == expect, f"POST {r.url} -> {r.status_code} (expected {expect}): {r.text[:500]}"
        return r


@pytest.fixture(scope="module")
def world(clickhouse):
    with hd.loaded(clickhouse, "test_sessions", env={"CENSUS_ADMIN_TOKEN": TOKEN}) as five:
        w = World(five.census, five.oracle)
        d = five.oracle.days
        w.post("sessions", {"name": "before", "description": "first two days", "from": hd.day_text(d[0]), "to": hd.day_text(d[1])})
        w.post("sessions", {"name": "after", "from": hd.day_text(d[2]), "to": hd.day_text(d[4])})
        yield w


# -- the oracle's view of a range ----------------------------------------------------------------------------------


def items(o: hd.Oracle, start: int, end: int) -> dict:
    """(signal, name) -> {count, series, services, keys: {(scope, key): (count, cardinality)}} over days start…end."""
    out: dict = {}
    for (signal, name, service, d), n in o.names.items():
        if not o.in_range(d, start, end):
            continue
        item = out.setdefault((signal, name), {"count": 0, "services": {}, "keys": {}})
        item["count"] += n
        item["services"][service] = item["services"].get(service, 0) + n
    for (signal, name), item in out.items():
        item["series"] = o.series_count(name, start, end) if signal == "metric" else 0
        for (s, nm, _svc, scope, _sub, key, _d), _acc in o.key_rows(start, end, signal=signal, name=name):
            if scope in (1, 2) and (scope, key) not in item["keys"]:
                summary = o.key_summary(start, end, signal=signal, name=name, scope=scope, key=key)
                item["keys"][(scope, key)] = (summary["count"], summary["cardinality"])
    return out


def severity_of(a: int, b: int) -> str:
    if a == 0:
        return "warning" if b >= 1000 else "info"
    r = b / a
    return "critical" if r >= 10 else "warning" if r >= 2 else "info"


def expected_diff(o: hd.Oracle, name_from: str, name_to: str, a: dict, b: dict, min_severity: str = "info") -> dict:
    rank = {"info": 0, "warning": 1, "critical": 2}
    entries = []
    for ident in sorted(set(a) | set(b), key=lambda i: ({"metric": 1, "span": 2, "log": 3}[i[0]], i[1])):
        signal, name = ident
        if ident not in a:
            it = b[ident]
            labels = sum(1 for (scope, _k) in it["keys"] if scope == 2)
            meta = ({"active_series": it["series"], "label_count": labels, "sample_count": it["count"],
                     "type": TYPES[o.metric_types[name][0]]} if signal == "metric"
                    else {"attribute_count": labels, "sample_count": it["count"]} if signal == "span"
                    else {"sample_count": it["count"], "template_count": 0})
            sev = "warning" if signal == "metric" and it["series"] > 1000 else "info"
            entries.append({"type": "added", "signal_type": signal, "name": name, "severity": sev, "metadata": meta})
        elif ident not in b:
            entries.append({"type": "removed", "signal_type": signal, "name": name, "severity": "info"})
        else:
            x, y = a[ident], b[ident]
            details = []
            if x["count"] != y["count"]:
                details.append(detail("sample_count", x["count"], y["count"], "warning" if y["count"] / x["count"] >= 5 else "info"))
            if signal == "metric":
                if x["series"] != y["series"]:
                    details.append(detail("active_series", x["series"], y["series"], severity_of(x["series"], y["series"])))
                lx = {k: v for (s, k), v in x["keys"].items() if s == 2}
                ly = {k: v for (s, k), v in y["keys"].items() if s == 2}
                for key in sorted(set(lx) | set(ly)):
                    if key not in lx:
                        details.append({"field": f"labels.{key}", "from": None, "to": ly[key][1],
                                        "severity": "warning" if ly[key][1] > 1000 else "info", "message": "New label key added"})
                    elif key not in ly:
                        details.append({"field": f"labels.{key}", "from": lx[key][1], "to": None, "severity": "info",
                                        "message": "Label key removed"})
                    elif lx[key][1] != ly[key][1]:
                        details.append(detail(f"labels.{key}.cardinality", lx[key][1], ly[key][1], severity_of(lx[key][1], ly[key][1])))
            if details:
                sev = max((d["severity"] for d in details), key=rank.get)
                entries.append({"type": "changed", "signal_type": signal, "name": name, "severity": sev, "details": details})
    out = {"from": name_from, "to": name_to, "summary": {}, "changes": {}}
    for signal, section in (("metric", "metrics"), ("span", "spans"), ("log", "logs"), (None, "attributes")):
        mine = [e for e in entries if e["signal_type"] == signal]
        out["summary"][section] = {k: sum(1 for e in mine if e["type"] == k) for k in ("added", "removed", "changed")}
        listed = [e for e in mine if rank[e["severity"]] >= rank[min_severity]]
        out["changes"][section] = {k: [e for e in listed if e["type"] == k] for k in ("added", "removed", "changed")
                                   if any(e["type"] == k for e in listed)}
    critical = [e for e in entries if e["severity"] == "critical"]
    if critical:
        out["critical_changes"] = critical
    return out


def detail(field: str, a: int, b: int, severity: str) -> dict:
    d = {"field": field, "from": a, "to": b}
    pct = (b - a) / a * 100 if a else 0
    if pct:
        d["change_pct"] = pct
    d.update(severity=severity)
    return d


def stats(it: dict) -> dict:
    return {"metrics_count": sum(1 for s, _ in it if s == "metric"), "spans_count": sum(1 for s, _ in it if s == "span"),
            "logs_count": sum(1 for s, _ in it if s == "log"),
            "attributes_count": len({k for v in it.values() for (_s, k) in v["keys"]}),
            "services": sorted({svc for v in it.values() for svc in v["services"]})}


def expected_document(o: hd.Oracle, name: str, description: str, it: dict, created: str) -> dict:
    def keys(item, scope):
        return {k: {"count": c, "percentage": c / item["count"] * 100, "estimated_cardinality": card}
                for (s, k), (c, card) in sorted(item["keys"].items()) if s == scope}

    data: dict = {}
    for (signal, name_), item in sorted(it.items(), key=lambda kv: kv[0][1]):
        if signal == "metric":
            data.setdefault("metrics", []).append({
                "name": name_, "type": TYPES[o.metric_types[name_][0]], "label_keys": keys(item, 2), "resource_keys": keys(item, 1),
                "sample_count": item["count"], "services": item["services"], "active_series": item["series"]})
        elif signal == "span":
            data.setdefault("spans", []).append({
                "name": name_, "kind": 0, "attribute_keys": keys(item, 2), "event_names": [], "resource_keys": keys(item, 1),
                "sample_count": item["count"], "services": item["services"]})
        else:
            data.setdefault("logs", []).append({
                "severity": name_, "attribute_keys": keys(item, 2), "resource_keys": keys(item, 1), "sample_count": item["count"],
                "services": item["services"]})
    doc = {"version": 1, "id": name}
    if description:
        doc["description"] = description
    doc.update(created=created, signals=["metrics", "spans", "logs"], data=data, stats=stats(it))
    return doc


# -- tests ---------------------------------------------------------------------------------------------------------


def test_list_and_get_answer_the_reference_metadata_with_stats_from_the_range(world):
    o, d = world.oracle, world.days
    listed = world.get("sessions").json()
    assert listed["total"] == 2 and [s["id"] for s in listed["sessions"]] == ["after", "before"]
    for meta, (start, end, description) in zip(listed["sessions"], [(d[2], d[4], None), (d[0], d[1], "first two days")]):
        expected = {"id": meta["id"]}
        if description:
            expected["description"] = description
        expected.update(created=meta["created"], signals=["metrics", "spans", "logs"], size_bytes=0,
                        stats=stats(items(o, start, end)), kind="range", **{"from": hd.day_text(start)}, to=hd.day_text(end),
                        service_filter=[])
        assert meta == expected
        assert world.get(f"sessions/{meta['id']}").json() == expected
    assert listed["sessions"][1]["stats"]["services"] == ["checkout"]
    assert listed["sessions"][0]["stats"]["services"] == ["checkout", "payments"]


def test_diff_compares_the_two_ranges_with_the_reference_severities(world):
    o, d = world.oracle, world.days
    a, b = items(o, d[0], d[1]), items(o, d[2], d[4])
    got = world.get("sessions/diff", **{"from": "before", "to": "after"}).json()
    assert got == expected_diff(o, "before", "after", a, b)
    assert [c["name"] for c in got["critical_changes"]] == [hd.HISTOGRAM]
    assert {"field": "labels.user.id.cardinality", "from": 10, "to": 600, "change_pct": 5900, "severity": "critical"} \
        in got["critical_changes"][0]["details"]
    critical = world.get("sessions/diff", **{"from": "before", "to": "after", "min_severity": "critical"}).json()
    assert critical == expected_diff(o, "before", "after", a, b, "critical")
    assert critical["changes"]["metrics"] == {"changed": got["critical_changes"]}
    payments = world.get("sessions/diff", **{"from": "before", "to": "after", "service": "payments"}).json()
    assert payments["summary"]["metrics"] == {"added": 1, "removed": 0, "changed": 0}
    assert [c["name"] for c in payments["changes"]["metrics"]["added"]] == [hd.NEW_METRIC] and "critical_changes" not in payments
    only_spans = world.get("sessions/diff", **{"from": "before", "to": "after", "signal_type": "span"}).json()
    assert only_spans["summary"]["metrics"] == {"added": 0, "removed": 0, "changed": 0}


def test_diff_errors(world):
    assert world.get("sessions/diff", expect=400, **{"from": "before"}).json() == {"error": "Both 'from' and 'to' query parameters are required"}
    assert world.get("sessions/diff", expect=404, **{"from": "nope", "to": "after"}).json() == {"error": "Source session 'nope' not found"}
    assert world.get("sessions/diff", expect=404, **{"from": "before", "to": "nope"}).json() == {"error": "Target session 'nope' not found"}


def test_export_is_the_reference_document_and_round_trips_through_import(world):
    o, d = world.oracle, world.days
    r = world.get("sessions/before/export")
    assert r.headers["content-disposition"] == 'attachment; filename="before.json"'
    doc = r.json()
    assert doc == expected_document(o, "before", "first two days", items(o, d[0], d[1]), doc["created"])
    copy = json.loads(r.content)
    copy["id"] = "before-copy"
    body = json.dumps(copy).encode()
    assert world.post("sessions/import", data=body, headers={**AUTH, "Content-Type": "application/json"}).json() == \
        {"message": "Session imported successfully", "session": "before-copy"}
    assert world.get("sessions/before-copy/export").content == body
    meta = world.get("sessions/before-copy").json()
    assert (meta["kind"], meta["size_bytes"], meta["stats"], meta["created"]) == ("imported", len(body), doc["stats"], doc["created"])
    empty = world.get("sessions/diff", **{"from": "before", "to": "before-copy"}).json()
    zero = {"added": 0, "removed": 0, "changed": 0}
    assert empty == {"from": "before", "to": "before-copy", "summary": {s: zero for s in ("metrics", "spans", "logs", "attributes")},
                     "changes": {s: {} for s in ("metrics", "spans", "logs", "attributes")}}
    # An imported snapshot diffs against a range like a range does.
    assert world.get("sessions/diff", **{"from": "before-copy", "to": "after"}).json() == \
        expected_diff(o, "before-copy", "after", items(o, d[0], d[1]), items(o, d[2], d[4]))
    world.post("sessions/import", data=body, expect=409)
    assert world.post("sessions/import", data=b"{not json", expect=400).json()["error"].startswith("Invalid session JSON")
    bad = json.dumps({**copy, "id": "Bad Name"}).encode()
    assert world.post("sessions/import", data=bad, expect=400).json() == \
        {"error": "Invalid session name: invalid session name: must be lowercase alphanumeric with hyphens"}


def test_load_and_merge_answer_the_data_for_the_client(world):
    o, d = world.oracle, world.days
    doc = world.get("sessions/after/export").json()
    for route, message, action in (("load", "Session loaded", "replace"), ("merge", "Session ready for merge", "merge")):
        got = world.post(f"sessions/after/{route}", expect=200).json()
        assert got == {"message": message, "session": "after", "stats": doc["stats"], "data": doc["data"], "action": action}
    logs_only = world.post("sessions/after/load", expect=200, signals="logs").json()
    assert list(logs_only["data"]) == ["logs"]
    world.post("sessions/nope/load", expect=404)


def test_writes_need_the_admin_token_and_names_are_validated(world):
    r = world.post("sessions", {"name": "x"}, headers={}, expect=401)
    assert r.json() == {"error": "invalid or missing admin token"}
    world.post("sessions/before/merge", headers={"Authorization": "Bearer wrong"}, expect=401)
    assert requests.delete(world.url("sessions/before"), timeout=10).status_code == 401
    assert world.post("sessions", {"name": "Not-Valid"}, expect=400).json() == \
        {"error": "invalid session name: must be lowercase alphanumeric with hyphens"}
    world.post("sessions", {"name": "ok", "from": "yesterday"}, expect=400)
    world.post("sessions", {"name": "ok", "signals": ["traces2"]}, expect=400)
    world.post("sessions", data=b"[]", headers={**AUTH, "Content-Type": "application/json"}, expect=400)
    assert world.post("sessions", {"name": "before"}, expect=409).json() == \
        {"error": "Session already exists. Use ?force=true to overwrite."}
    world.get("sessions/nope", expect=404)
    r = requests.post(world.url("sessions/import"), data=b"x" * (33 << 20), headers=AUTH, timeout=60)
    assert (r.status_code, r.json()) == (413, {"error": "request body too large (at most 32 MiB)"})


def test_create_with_a_service_filter_and_delete(world):
    o, d = world.oracle, world.days
    created = world.post("sessions", {"name": "payments-only", "services": ["payments"], "signals": ["metrics"]}).json()
    assert created["message"] == "Session created successfully"
    meta = created["session"]
    assert (meta["from"], meta["to"], meta["service_filter"], meta["signals"]) == (None, None, ["payments"], ["metrics"])
    assert meta["stats"] == {"metrics_count": 1, "spans_count": 0, "logs_count": 0, "attributes_count": len(
        {k for (s, nm, svc, sc, _sub, k, _d) in o.keys if svc == "payments" and s == "metric" and sc in (1, 2)}), "services": ["payments"]}
    assert world.get("sessions/payments-only").json() == meta, "an open range reads back open"
    forced = world.post("sessions", {"name": "payments-only", "description": "again"}, force="true").json()["session"]
    assert world.get("sessions/payments-only").json() == forced
    assert forced["stats"] == stats(items(o, None, None))
    assert forced["description"] == "again" and forced["service_filter"] == []
    r = requests.delete(world.url("sessions/payments-only"), headers=AUTH, timeout=10)
    assert (r.status_code, r.content) == (204, b"")
    world.get("sessions/payments-only", expect=404)
    assert requests.delete(world.url("sessions/payments-only"), headers=AUTH, timeout=10).status_code == 404
    assert "payments-only" not in [s["id"] for s in world.get("sessions").json()["sessions"]]
