"""Fetching census's V1 answers and comparing them with expect.Expected, with readable differences."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from expect import ANYTHING, Double, Opaque, Samples, expected_for

MISSING = object()
# Never compared: wall-clock times, and body templates (their own test checks them).
IGNORED_FIELDS = {"first_seen", "last_seen", "body_templates"}
LIST_ENDPOINTS = {"metrics": ("/api/v1/metrics", "name"), "spans": ("/api/v1/spans", "name"),
                  "logs": ("/api/v1/logs", "severity"), "attributes": ("/api/v1/attributes", "key")}


def fetch_list(census, what: str, params: dict | None = None) -> list[dict]:
    """Every element of a list endpoint (pages of 1000, at most 20 pages)."""
    path, _ = LIST_ENDPOINTS[what]
    items: list[dict] = []
    for page in range(20):
        r = census.get(path, params={**(params or {}), "limit": 1000, "offset": page * 1000}).json()
        data = r.get("data")
        assert isinstance(data, list), f"{path}: 'data' is {type(data).__name__}, expected a list: {str(r)[:300]}"
        items.extend(data)
        if not r.get("has_more") or not data:
            break
    return items


def fetch_answers(census) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for what, (_, key) in LIST_ENDPOINTS.items():
        items = fetch_list(census, what)
        by_key: dict[str, dict] = {}
        for it in items:
            k = it.get(key)
            assert k not in by_key, f"{what}: {key}={k!r} appears more than once (services must be merged into one element)"
            by_key[k] = it
        out[what] = by_key
    return out


def detail_path(what: str, name: str) -> str:
    base = {"metrics": "/api/v1/metrics/", "spans": "/api/v1/spans/", "logs": "/api/v1/logs/", "attributes": "/api/v1/attributes/"}[what]
    return base + quote(name, safe="")


# ---------------------------------------------------------------------------------------------- comparison
def is_empty(v: Any) -> bool:
    if v is MISSING or v is None or v is False:
        return True
    if isinstance(v, Samples):
        return not v.values
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == 0
    if isinstance(v, (str, list)):
        return len(v) == 0
    if isinstance(v, dict):
        return all(is_empty(x) for x in v.values())
    return False


def _num_eq(e: float, a: float) -> bool:
    return math.isclose(e, a, rel_tol=1e-9, abs_tol=1e-6)


def _compare_samples(e: Samples, a: Any, path: str, diffs: list[str], check_order: bool) -> None:
    if a is MISSING or a is None:
        a = []
    if not isinstance(a, list) or not all(isinstance(x, str) for x in a):
        diffs.append(f"{path}: expected a list of strings, got {a!r}")
        return
    n = len(e.values)
    if len(set(a)) != len(a):
        diffs.append(f"{path}: duplicate samples {a}")
    exact = e.exact()
    if exact is not None:
        # Every distinct text of at most 10 distinct values, else one sample per hash bucket (census's ValueHash % 10):
        # the bucket's smallest text.
        if sorted(a) != exact:
            rule = "every distinct text" if n <= 10 else "the smallest text of each hash bucket"
            diffs.append(f"{path}: expected samples {exact} ({rule} of {n} distinct values), got {a}")
        if check_order and a != sorted(a):
            diffs.append(f"{path}: samples are not sorted: {a}")
        return
    # A text census chooses (array, kvlist): at most one sample per bucket, each one of the values.
    if len(a) > min(n, 10) or (n > 0 and not a):
        diffs.append(f"{path}: expected 1 to {min(n, 10)} samples (of {n} distinct values), got {len(a)}: {a}")
    if any(isinstance(v, Opaque) for v in e.values):
        return  # array/kvlist/bytes text is census's choice
    strings = {v for v in e.values if isinstance(v, str)}
    doubles = [v.value for v in e.values if isinstance(v, Double)]
    for s in a:
        if s in strings:
            continue
        try:
            if any(float(s) == d for d in doubles):
                continue
        except ValueError:
            pass
        diffs.append(f"{path}: sample {s!r} is not one of the values written ({e!r})")
    if check_order and not doubles and a != sorted(a):
        diffs.append(f"{path}: samples are not sorted: {a}")


def compare(e: Any, a: Any, path: str, diffs: list[str]) -> None:
    if e is ANYTHING:
        return
    if isinstance(e, Samples):
        _compare_samples(e, a, path, diffs, check_order="_keys" in path)
        return
    if is_empty(e) and is_empty(a):
        return
    if isinstance(e, dict):
        if not isinstance(a, dict):
            diffs.append(f"{path}: expected an object {_short(e)}, got {_short(a)}")
            return
        for k in sorted(set(e) | set(a)):
            if k in IGNORED_FIELDS:
                continue
            compare(e.get(k, MISSING), a.get(k, MISSING), f"{path}/{k}", diffs)
        return
    if a is MISSING:
        diffs.append(f"{path}: missing (expected {_short(e)})")
        return
    if e is MISSING:
        diffs.append(f"{path}: unexpected {_short(a)}")
        return
    if isinstance(e, list):
        if not isinstance(a, list) or len(a) != len(e):
            diffs.append(f"{path}: expected {_short(e)}, got {_short(a)}")
            return
        for i, (x, y) in enumerate(zip(e, a)):
            compare(x, y, f"{path}[{i}]", diffs)
        return
    if isinstance(e, bool) or isinstance(a, bool):
        if e is not a:
            diffs.append(f"{path}: expected {e!r}, got {a!r}")
        return
    if isinstance(e, (int, float)):
        if not isinstance(a, (int, float)) or not _num_eq(e, a):
            diffs.append(f"{path}: expected {e!r}, got {a!r}")
        return
    if e != a:
        diffs.append(f"{path}: expected {e!r}, got {a!r}")


def _short(v: Any, n: int = 160) -> str:
    if v is MISSING:
        return "<missing>"
    s = repr(v)
    return s if len(s) <= n else s[:n] + "…"


def diff_answers(expected: dict[str, dict], actual: dict[str, dict], sections=("metrics", "spans", "logs", "attributes")) -> list[str]:
    diffs: list[str] = []
    for section in sections:
        e, a = expected[section], actual[section]
        for name in sorted(set(e) - set(a)):
            diffs.append(f"{section}: {name!r} missing from the API answer")
        for name in sorted(set(a) - set(e)):
            diffs.append(f"{section}: unexpected {name!r} in the API answer")
        for name in sorted(set(e) & set(a)):
            compare(e[name], a[name], f"{section}/{name}", diffs)
    return diffs


def assert_answers(expected: dict[str, dict], actual: dict[str, dict], context: str = "", limit: int = 60, **kw) -> None:
    diffs = diff_answers(expected, actual, **kw)
    if diffs:
        shown = "\n  ".join(diffs[:limit])
        more = f"\n  … and {len(diffs) - limit} more" if len(diffs) > limit else ""
        raise AssertionError(f"{len(diffs)} differences between census and the expected metadata{context}:\n  {shown}{more}")


def strip_volatile(answers: Any) -> Any:
    """The answers without wall-clock fields, for comparing two census runs with each other."""
    if isinstance(answers, dict):
        return {k: strip_volatile(v) for k, v in answers.items() if k not in ("first_seen", "last_seen")}
    if isinstance(answers, list):
        return [strip_volatile(x) for x in answers]
    return answers


def assert_every_endpoint(census, data, context: str) -> None:
    """Every V1 list endpoint and every detail endpoint answers as one clean pass over `data` would."""
    expected = expected_for(data).answers()
    assert_answers(expected, fetch_answers(census), context=context)
    details: dict[str, dict] = {}
    for section, elements in expected.items():
        details[section] = {}
        for name in elements:
            body = census.get(detail_path(section, name)).json()
            details[section][name] = body["data"] if section == "attributes" else body
    assert_answers(expected, details, context=context + " (detail endpoints)")
