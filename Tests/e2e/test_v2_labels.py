"""Per-label detail, active series and the TSDB status (V2 items 4-6) on the multi-day data set (history_data): the
five days go through Kafka into census once (module fixture), and every answer is compared with the oracle computed from
the same Python values, for several ranges. Top values are exact for keys with at most 10 distinct values (the
analyzer's heavy hitters are exact there) and lower bounds otherwise; series estimates equal the oracle's distinct
attribute sets (uniqCombined is exact at these sizes).

Cost: one census run on ~35 records, ~15 s."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Optional
from urllib.parse import quote

import pytest

import history_data as hd
from expect import prometheus_series

SCOPE_NAMES = {v: k for k, v in hd.SCOPES.items()}
SCOPE_ORDER = {"resource": 1, "attribute": 2, "event": 3, "link": 4}


@pytest.fixture(scope="module")
def loaded(clickhouse):
    with hd.loaded(clickhouse, "test_v2_labels") as five:
        yield SimpleNamespace(census=five.census, oracle=five.oracle, days=five.oracle.days)


def params(start: Optional[int], end: Optional[int], **extra) -> dict:
    p = {k: v for k, v in extra.items() if v is not None}
    if start is not None:
        p["from"] = hd.day_text(start)
    if end is not None:
        # An RFC 3339 time means its UTC day.
        p["to"] = hd.day_text(end) + "T23:59:59Z"
    return p


def ranges(days: list[int]) -> list[tuple[Optional[int], Optional[int]]]:
    return [(None, None), (days[0], days[1]), (days[hd.JUMP_DAY], None), (days[3], days[3]), (None, days[hd.JUMP_DAY])]


# ------------------------------------------------------------------------------------------------------ oracle
def metric_series(oracle, name: str, start, end, service=None) -> dict:
    n = oracle.name_count("metric", name, start, end, service)
    otlp = max(1, oracle.series_count(name, start, end, service)) if n else 0
    kind, bounds = oracle.metric_types[name]
    return {"active_series_otlp": otlp, "active_series_prometheus": prometheus_series(otlp, kind, len(bounds), None)}


def oracle_labels(oracle, signal: str, name: str, start, end, service=None) -> dict:
    """key -> expected label object (top values only where they are exact: at most 10 distinct values)."""
    n = oracle.name_count(signal, name, start, end, service)
    idents = {(scope, sub, key) for (sig, nm, svc, scope, sub, key, _), _ in oracle.key_rows(start, end, signal=signal, name=name)
              if service is None or svc == service}
    out = {}
    for scope, sub, key in idents:
        match = dict(signal=signal, name=name, scope=scope, sub=sub, key=key)
        if service is not None:
            match["service"] = service
        s = oracle.key_summary(start, end, **match)
        values = sorted(((hd.text(v[1]), c) for v, c in s["values"].items()), key=lambda vc: (-vc[1], vc[0].encode()))
        out[key] = {"key": key, "scope": SCOPE_NAMES[scope], "estimated_cardinality": s["cardinality"], "count": s["count"],
                    "share": s["count"] / n, "values": values, "exact": s["cardinality"] <= 10}
    return out


def check_label_answer(body: dict, expected: dict, n: int, series: Optional[dict], context: str) -> list[str]:
    problems = []
    if body["count"] != n:
        problems.append(f"{context}: count {body['count']} != {n}")
    if series is not None:
        for k, v in series.items():
            if body.get(k) != v:
                problems.append(f"{context}: {k} {body.get(k)} != {v}")
    got = {item["key"]: item for item in body["data"]}
    if set(got) != set(expected) or body["total"] != len(expected):
        problems.append(f"{context}: keys {sorted(got)} (total {body['total']}) != {sorted(expected)}")
        return problems
    order = [(-i["estimated_cardinality"], SCOPE_ORDER[i["scope"]], i.get("event_name", ""), i["key"]) for i in body["data"]]
    if order != sorted(order):
        problems.append(f"{context}: not sorted by cardinality desc: {[i['key'] for i in body['data']]}")
    log_sum = sum(math.log(e["estimated_cardinality"]) for e in expected.values() if e["estimated_cardinality"] >= 2)
    for key, e in expected.items():
        g = got[key]
        for f in ("scope", "estimated_cardinality", "count"):
            if g[f] != e[f]:
                problems.append(f"{context}/{key}: {f} {g[f]} != {e[f]}")
        if not math.isclose(g["share"], e["share"], rel_tol=1e-12):
            problems.append(f"{context}/{key}: share {g['share']} != {e['share']}")
        top = [(t["value"], t["count"]) for t in g["top_values"]]
        truth = dict(e["values"])
        if e["exact"]:
            if top != e["values"][:10]:
                problems.append(f"{context}/{key}: top values {top} != {e['values'][:10]}")
            if g["value_samples"] != sorted(truth, key=str.encode):
                problems.append(f"{context}/{key}: samples {g['value_samples']} != {sorted(truth)}")
        else:
            wrong = [(v, c) for v, c in top if v not in truth or c > truth[v]]
            if wrong or len(top) > 10:
                problems.append(f"{context}/{key}: top values not lower bounds of real values: {wrong}")
            if not set(g["value_samples"]) <= set(truth):
                problems.append(f"{context}/{key}: samples not real values")
        for t in g["top_values"]:
            if not math.isclose(t["share"], t["count"] / e["count"], rel_tol=1e-12):
                problems.append(f"{context}/{key}: top value share {t}")
        if series is not None:
            want = (series["active_series_otlp"] * math.log(e["estimated_cardinality"]) / log_sum
                    if e["estimated_cardinality"] >= 2 and log_sum > 0 else 0)
            if not math.isclose(g["series_contribution"], want, rel_tol=1e-9, abs_tol=1e-9):
                problems.append(f"{context}/{key}: series_contribution {g['series_contribution']} != {want}")
    return problems


# ------------------------------------------------------------------------------------------------------- tests
def test_metric_labels_equal_the_oracle_per_range(loaded):
    o, problems = loaded.oracle, []
    for start, end in ranges(loaded.days):
        for service in (None, "checkout"):
            context = f"{hd.HISTOGRAM} {start}..{end} service={service}"
            body = loaded.census.get(f"/api/v2/metrics/{quote(hd.HISTOGRAM, safe='')}/labels",
                                     params=params(start, end, service=service, limit=1000)).json()
            expected = oracle_labels(o, "metric", hd.HISTOGRAM, start, end, service)
            problems += check_label_answer(body, expected, o.name_count("metric", hd.HISTOGRAM, start, end, service),
                                           metric_series(o, hd.HISTOGRAM, start, end, service), context)
    assert not problems, "\n".join(problems)


def test_cardinality_jump_and_vanished_key(loaded):
    days, path = loaded.days, f"/api/v2/metrics/{quote(hd.HISTOGRAM, safe='')}/labels"

    def card(start, end, key):
        items = {i["key"]: i for i in loaded.census.get(path, params=params(start, end, limit=1000)).json()["data"]}
        return items[key]["estimated_cardinality"] if key in items else None

    assert [card(d, d, "user.id") for d in days] == [10, 10, 200, 200, 200]
    assert card(None, None, "user.id") == 610
    assert card(days[0], days[1], "legacy.flag") == 2 and card(days[hd.JUMP_DAY], None, "legacy.flag") is None
    # The jump day leads the key list (highest cardinality first).
    first = loaded.census.get(path, params=params(days[hd.JUMP_DAY], days[hd.JUMP_DAY], limit=1)).json()
    assert [i["key"] for i in first["data"]] == ["user.id"] and first["has_more"] is True


def test_label_pages_are_slices_of_the_full_list(loaded):
    path = f"/api/v2/metrics/{quote(hd.HISTOGRAM, safe='')}/labels"
    full = loaded.census.get(path, params={"limit": 1000}).json()
    page = loaded.census.get(path, params={"limit": 2, "offset": 3}).json()
    assert page["data"] == full["data"][3:5] and page["total"] == full["total"] and page["limit"] == 2 and page["offset"] == 3
    assert page["has_more"] == (5 < full["total"])
    tail = loaded.census.get(path, params={"offset": full["total"]}).json()
    assert tail["data"] == [] and tail["has_more"] is False


def test_span_and_log_attributes_equal_the_oracle(loaded):
    o, problems = loaded.oracle, []
    for start, end in ranges(loaded.days):
        for signal, route, name in (("span", "spans", hd.SPAN), ("log", "logs", "INFO")):
            body = loaded.census.get(f"/api/v2/{route}/{quote(name, safe='')}/attributes", params=params(start, end)).json()
            assert "active_series_otlp" not in body and all("series_contribution" not in i for i in body["data"])
            problems += check_label_answer(body, oracle_labels(o, signal, name, start, end), o.name_count(signal, name, start, end),
                                           None, f"{signal} {name} {start}..{end}")
    assert not problems, "\n".join(problems)


def test_names_without_data_in_the_range_are_404(loaded):
    days, c = loaded.days, loaded.census
    legacy = f"/api/v2/metrics/{quote(hd.LEGACY_METRIC, safe='')}/labels"
    assert c.get(legacy, params=params(days[0], days[1])).json()["count"] == 12
    for path, p in ((legacy, params(days[hd.JUMP_DAY], None)), (f"/api/v2/metrics/{hd.NEW_METRIC}/labels", params(None, days[3])),
                    ("/api/v2/metrics/no.such.metric/labels", {}), ("/api/v2/logs/FATAL/attributes", {}),
                    (f"/api/v2/metrics/{hd.HISTOGRAM}/labels", {"service": "payments"})):
        r = c.get(path, params=p, expect=404)
        assert r.json() == {"error": r.json()["error"]} and "not found" in r.json()["error"], (path, p, r.text)
    r = c.get(f"/api/v2/metrics/{hd.HISTOGRAM}/labels", params={"from": "soon"}, expect=400)
    assert "'from'" in r.json()["error"]


def test_metric_series_list_per_range_and_service(loaded):
    o, days, problems = loaded.oracle, loaded.days, []
    for start, end in ranges(days):
        names = {nm for (sig, nm, _, d) in o.names if sig == "metric" and o.in_range(d, start, end)}
        body = loaded.census.get("/api/v2/metrics", params=params(start, end, sort="name")).json()
        if [m["name"] for m in body["data"]] != sorted(names, key=str.encode) or body["total"] != len(names):
            problems.append(f"{start}..{end}: names {[m['name'] for m in body['data']]} != {sorted(names)}")
            continue
        for m in body["data"]:
            kind = o.metric_types[m["name"]][0]
            want = {"name": m["name"], "type": {"histogram": "Histogram", "sum": "Sum", "gauge": "Gauge"}[kind],
                    "count": o.name_count("metric", m["name"], start, end), **metric_series(o, m["name"], start, end),
                    "services": [{"service": svc, "count": o.name_count("metric", m["name"], start, end, svc),
                                  **metric_series(o, m["name"], start, end, svc)}
                                 for svc in sorted({s for (sig, nm, s, d) in o.names if sig == "metric" and nm == m["name"]
                                                    and o.in_range(d, start, end)})]}
            if m != want:
                problems.append(f"{start}..{end}: {m} != {want}")
        by_series = loaded.census.get("/api/v2/metrics", params=params(start, end)).json()["data"]
        order = [(-m["active_series_otlp"], m["name"].encode()) for m in by_series]
        if order != sorted(order) or len(by_series) != len(names):
            problems.append(f"{start}..{end}: sort=series order {[(m['name'], m['active_series_otlp']) for m in by_series]}")
    assert not problems, "\n".join(problems)
    payments = loaded.census.get("/api/v2/metrics", params={"service": "payments"}).json()
    assert [m["name"] for m in payments["data"]] == [hd.NEW_METRIC] and payments["total"] == 1
    page = loaded.census.get("/api/v2/metrics", params={"sort": "name", "limit": 1, "offset": 1}).json()
    assert len(page["data"]) == 1 and page["total"] == 3 and page["has_more"] is True


def oracle_tsdb(o, start, end) -> dict:
    """Prometheus series per metric, distinct values per label (metric resource + point attribute keys, over every
    metric), and series per pair: Σ over metrics of series × (points with the pair / points)."""
    metrics = sorted({nm for (sig, nm, _, d) in o.names if sig == "metric" and o.in_range(d, start, end)})
    series = {nm: metric_series(o, nm, start, end)["active_series_prometheus"] for nm in metrics}
    counts = {nm: o.name_count("metric", nm, start, end) for nm in metrics}
    values: dict[str, set] = {}
    per_metric: dict[tuple, int] = {}
    for (sig, nm, _, scope, _, key, d), acc in o.keys.items():
        if sig != "metric" or scope not in (1, 2) or not o.in_range(d, start, end):
            continue
        values.setdefault(key, set()).update(acc.values)
        for v, c in acc.values.items():
            per_metric[(nm, f"{key}={hd.text(v[1])}")] = per_metric.get((nm, f"{key}={hd.text(v[1])}"), 0) + c
    pairs: dict[str, float] = {}  # unrounded: census rounds the same sum to the nearest integer
    for (nm, pair), c in per_metric.items():
        pairs[pair] = pairs.get(pair, 0) + series[nm] * c / counts[nm]
    return {"series": series, "labels": {k: len(v) for k, v in values.items()}, "values": values,
            "pairs": pairs, "exact": {k for k, v in values.items() if len(v) <= 10}}


def top(d: dict, n: int) -> list[dict]:
    return [{"name": k, "value": v} for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0].encode()))[:n]]


def test_tsdb_status_equals_the_oracle(loaded):
    o, days, problems = loaded.oracle, loaded.days, []
    for start, end in ranges(days):
        want = oracle_tsdb(o, start, end)
        body = loaded.census.get("/api/v2/status/tsdb", params=params(start, end, topN=1000)).json()
        assert body["status"] == "success", body
        data = body["data"]
        head = data["headStats"]
        context = f"{start}..{end}"
        if head["numSeries"] != sum(want["series"].values()) or data["totalSeries"] != head["numSeries"]:
            problems.append(f"{context}: numSeries {head['numSeries']} != {sum(want['series'].values())}")
        if head["numLabelPairs"] != sum(want["labels"].values()) or data["totalLabelValuePairs"] != head["numLabelPairs"]:
            problems.append(f"{context}: numLabelPairs {head['numLabelPairs']} != {sum(want['labels'].values())}")
        if head["chunkCount"] != 0 or not 0 < head["minTime"] <= head["maxTime"]:
            problems.append(f"{context}: headStats {head}")
        if data["seriesCountByMetricName"] != top(want["series"], 1000):
            problems.append(f"{context}: seriesCountByMetricName {data['seriesCountByMetricName']} != {top(want['series'], 1000)}")
        if data["labelValueCountByLabelName"] != top(want["labels"], 1000):
            problems.append(f"{context}: labelValueCountByLabelName {data['labelValueCountByLabelName']}")
        memory = {e["name"]: e["value"] for e in data["memoryInBytesByLabelName"]}
        for label, values in want["values"].items():
            lengths = {len(hd.text(v[1]).encode()) for v in values}
            if len(lengths) == 1 and memory.get(label) != len(values) * lengths.pop():
                problems.append(f"{context}: memoryInBytes[{label}] {memory.get(label)} != {len(values)} x length")
        got_pairs = {e["name"]: e["value"] for e in data["seriesCountByLabelValuePair"]}
        for pair, value in want["pairs"].items():
            label = pair.split("=", 1)[0]
            if label in want["exact"] and (pair not in got_pairs or abs(got_pairs[pair] - value) > 0.5 + 1e-9):
                problems.append(f"{context}: seriesCountByLabelValuePair[{pair}] {got_pairs.get(pair)} != {value}")
        unknown = [p for p in got_pairs if p not in want["pairs"] or got_pairs[p] > want["pairs"][p] + 0.5 + 1e-9]
        if unknown:
            problems.append(f"{context}: pairs that are not real or above the truth: {unknown[:5]}")
        if "seriesCountByFocusLabelValue" in data:
            problems.append(f"{context}: focus list without focusLabel")
    assert not problems, "\n".join(problems)


def test_tsdb_topn_date_and_focus_label(loaded):
    o, days, c = loaded.oracle, loaded.days, loaded.census
    one = c.get("/api/v2/status/tsdb", params={"date": hd.day_text(days[3])}).json()
    assert one == c.get("/api/v2/status/tsdb", params=params(days[3], days[3])).json()
    assert c.get("/api/v2/status/tsdb", params={"date": "1970-01-01"}).json() == c.get("/api/v2/status/tsdb").json()
    limited = c.get("/api/v2/status/tsdb", params={"topN": 1}).json()["data"]
    assert all(len(limited[k]) == 1 for k in ("seriesCountByMetricName", "labelValueCountByLabelName",
                                              "seriesCountByLabelValuePair", "memoryInBytesByLabelName"))
    assert limited["seriesCountByMetricName"][0]["name"] == hd.HISTOGRAM
    focus = c.get("/api/v2/status/tsdb", params={"focusLabel": "http.request.method", "topN": 5}).json()["data"]
    want = {p.split("=", 1)[1]: v for p, v in oracle_tsdb(o, None, None)["pairs"].items() if p.startswith("http.request.method=")}
    got = focus["seriesCountByFocusLabelValue"]
    assert [e["name"] for e in got] == [v for v, _ in sorted(want.items(), key=lambda kv: -kv[1])]
    assert all(abs(e["value"] - want[e["name"]]) <= 0.5 + 1e-9 for e in got), (got, want)
    assert c.get("/api/v2/status/tsdb", params={"date": "2026-02-30"}, expect=400).json()["error"].startswith("invalid 'date'")
    assert c.get("/api/v2/status/tsdb", params={"topN": "99999999999999999999999"}).json()["status"] == "success"


def test_v1_metric_objects_carry_the_active_series(loaded):
    o = loaded.oracle
    for name in o.metric_types:
        body = loaded.census.get(f"/api/v1/metrics/{quote(name, safe='')}").json()
        want = metric_series(o, name, None, None)
        assert {k: body[k] for k in want} == want, name
    listed = {m["name"]: m for m in loaded.census.get("/api/v1/metrics").json()["data"]}
    assert {n: {k: m[k] for k in ("active_series_otlp", "active_series_prometheus")} for n, m in listed.items()} == \
        {n: metric_series(o, n, None, None) for n in o.metric_types}
