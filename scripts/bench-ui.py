#!/usr/bin/env python3
"""First paint and load time of every UI page against a running census (e.g. the read-benchmark store):

    .venv/bin/python scripts/bench-read.py --hold 900 &      # prints "holding … API http://127.0.0.1:PORT …"
    .venv/bin/python scripts/bench-ui.py http://127.0.0.1:PORT [--runs 3]

Opens every page in headless chromium (as Tests/e2e/test_ui.py does: a fresh page load each time), and prints per page
the first contentful paint and the time until every section has its answer (ms, median over the runs), as JSON.
Names, keys and services are taken from the API's own first answers. Bounded: pages x runs loads, 120 s each at most.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))

import requests  # noqa: E402

from test_ui import chromium_driver  # noqa: E402

LOADED = ("const m = document.getElementById('main');"
          "return !!m && m.getAttribute('data-route') === location.hash && "
          "[...m.querySelectorAll('.panel')].every(p => p.getAttribute('data-loaded') === 'true');")
PAINT = ("const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');"
         "return {fcp: p ? p.startTime : null, now: performance.now()};")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("api")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    api = args.api.rstrip("/")

    def get(path: str, **params) -> dict:
        for _ in range(30):  # the store may be busy (503 + Retry-After): bounded retries
            r = requests.get(api + path, params=params, timeout=120)
            if r.status_code != 503:
                break
            time.sleep(1)
        r.raise_for_status()
        return r.json()

    metric = get("/api/v1/metrics", limit=1)["data"][0]["name"]
    span = get("/api/v1/spans", limit=1)["data"][0]["name"]
    key = get("/api/v1/attributes", sort_by="cardinality", sort_order="desc", limit=1)["data"][0]["key"]
    service = get("/api/v1/services")["data"][0]
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 3 * 86400))
    pages = {"overview": f"/?since={since}", "services": "/services", "service": f"/services/{quote(service, safe='')}",
             "metrics": "/metrics", "metrics-by-series": "/metrics?order=series", "metric": f"/metrics/{quote(metric, safe='')}",
             "spans": "/spans", "span": f"/spans/{quote(span, safe='')}", "logs": "/logs", "keys": "/keys",
             "key": f"/keys/{quote(key, safe='')}", "changes": f"/changes?since={since}", "log-patterns": "/patterns/logs",
             "span-patterns": "/patterns/spans"}
    driver = chromium_driver()
    results = {}
    try:
        for name, fragment in pages.items():
            fcp, loaded = [], []
            for _ in range(args.runs):
                driver.get("about:blank")
                driver.get(f"{api}/#{fragment}")
                deadline = time.monotonic() + 120
                while not driver.execute_script(LOADED):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{fragment}: not loaded after 120 s")
                    time.sleep(0.02)
                t = driver.execute_script(PAINT)
                fcp.append(t["fcp"])
                loaded.append(t["now"])
            results[name] = {"fragment": fragment, "first_contentful_paint_ms": round(statistics.median(fcp)),
                             "all_sections_loaded_ms": round(statistics.median(loaded))}
            print(f"{name}: first paint {results[name]['first_contentful_paint_ms']} ms, "
                  f"loaded {results[name]['all_sections_loaded_ms']} ms", file=sys.stderr, flush=True)
    finally:
        driver.quit()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
