"""Hostile clients against the real binary (issue 11, "Hostile world"): no request can crash census.

Item 1: every route and every parameter of the served OpenAPI document (so a route added later is covered without
editing this file) gets extreme numbers, non-numbers, an empty value and a 1 MB digit string. Each answer must be a
JSON error or a JSON answer, and the process must stay alive and healthy after every single request.

Cost: about 20 s on 2 cores.
"""

from __future__ import annotations

import re

import requests

HOSTILE_VALUES = ["9223372036854775807", "-9223372036854775808", "-1", "1e99", "0x10", "", "9" * (1 << 20)]
# 400: the route rejects the value; 404: a path parameter names nothing; 414/431: the URI or head is over census's limit.
ACCEPTED = {200, 400, 404, 414, 431}


def openapi_get_routes(census) -> list[tuple[str, list[dict]]]:
    """(path, parameters) of every GET operation of the served document."""
    doc = census.get("/api/v1/openapi.json").json()
    routes = []
    for path, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method != "get":
                continue
            routes.append((path, shared + operation.get("parameters", [])))
    return routes


def fill(path: str, values: dict[str, str]) -> str:
    """`path` with its `{name}` segments replaced (percent-encoded only where needed)."""
    return re.sub(r"\{([^}]+)\}", lambda m: requests.utils.quote(values.get(m.group(1), "x"), safe=""), path)


def assert_alive(census, what: str) -> None:
    assert census.alive(), f"census exited after {what}\n{census.log_tail()}"
    r = requests.get(f"{census.api}/api/v1/health", timeout=10)
    assert r.status_code == 200, f"health {r.status_code} after {what}"


def test_every_parameter_of_every_route_survives_hostile_numbers(clickhouse, broker, census_factory):
    census = census_factory(broker, clickhouse)
    routes = openapi_get_routes(census)
    assert len(routes) >= 18, routes  # the 17 GET routes of V1 plus quarantine, openapi, readyz, metrics
    numeric = {("/api/v1/metrics", "offset"), ("/api/v1/quarantine", "offset"), ("/api/v1/attributes", "limit"),
               ("/api/v1/cardinality/high", "threshold"), ("/api/v1/logs/patterns", "minCount")}
    covered = set()
    sent = 0
    with requests.Session() as session:
        # Value by value over every parameter, so the numbers run before the oversize value.
        for value in HOSTILE_VALUES:
            for path, parameters in routes:
                for parameter in parameters:
                    name, where = parameter["name"], parameter["in"]
                    covered.add((path, name))
                    if where == "path":
                        url, params = census.api + fill(path, {name: value}), None
                    else:
                        url, params = census.api + fill(path, {}), {name: value}
                    what = f"GET {path} {name}={value[:24]}{'…' if len(value) > 24 else ''}"
                    try:
                        r = session.get(url, params=params, timeout=30)
                    except requests.ConnectionError as error:
                        raise AssertionError(f"{what}: connection failed ({error})\n{census.log_tail()}") from None
                    sent += 1
                    assert r.status_code in ACCEPTED, f"{what} -> {r.status_code}: {r.text[:300]}"
                    if path not in ("/metrics",):  # Prometheus text; everything else answers JSON
                        body = r.json()
                        assert isinstance(body, dict), f"{what}: {r.text[:300]}"
                        if r.status_code >= 400:
                            assert isinstance(body.get("error"), str), f"{what}: {r.text[:300]}"
                    assert_alive(census, what)
    assert numeric <= covered, numeric - covered
    assert sent >= 7 * 30, sent
    # The clamp is visible in the envelope: the largest offset is answered with an empty page, not a crash.
    page = census.get("/api/v1/metrics", params={"offset": "9223372036854775807", "limit": "9223372036854775807"}).json()
    assert page["data"] == [] and page["limit"] == 1000 and page["has_more"] is False, page
    assert page["offset"] == 1 << 40, page
