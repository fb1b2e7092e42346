"""The web UI (issue 14) in a real browser: Debian's chromium, headless, driven by selenium through Debian's
chromium-driver, against the real binary holding the five-day data set of history_data (the 20x jump of `user.id`, a
vanished key and metric, a new metric, service and log template).

Every page loads with no console error, shows the values the API returns for the same data (read here over HTTP, not
computed by the test), and is written as a screenshot to .run/ui-screenshots/<page>.png for review. Navigation,
filters, sorting, keyboard use and shareable URLs are exercised by clicking and typing. The first contentful paint of
every page (Paint Timing API) must be at most 1 s; the figures are written to .run/ui-screenshots/timings.json.

A static check (no browser) makes sure the UI calls only routes of docs/openapi.json ("nothing the UI shows is
unavailable to API clients") and loads nothing from another origin.

Cost: one broker, one census, ~35 records and one browser for the module (~40 s)."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Optional
from urllib.parse import quote

import pytest
import requests

import history_data as hd
from harness import ROOT, Census

ASSETS = ROOT / "Sources" / "API" / "UI" / "assets"
SHOTS = ROOT / ".run" / "ui-screenshots"
ADMIN_TOKEN = "ui-test-token"
# Routes the UI uses when the server documents them, and degrades without ("not available on this server"): they are
# built on other branches. The UI asks the served OpenAPI document before calling them.
OPTIONAL_ROUTES = {"/api/v1/span-patterns", "/api/v1/attributes/{key}/watch"}
WAIT = 30


# ---------------------------------------------------------------------------------------------------------------
# Static checks (no browser, no census)

def api_paths_in_assets() -> set[str]:
    """Every API path the UI's JavaScript names, with `${…}` placeholders turned into `{}`."""
    found = set()
    for path in ASSETS.glob("*.js"):
        text = path.read_text()
        for match in re.finditer(r"[\"'`](/(?:api/v[12]/[^\"'`?\s]*|metrics|readyz))[\"'`?]", text):
            found.add(re.sub(r"\$\{[^}]*\}", "{}", match.group(1)))
    return found


def template_matches(template: str, path: str) -> bool:
    pattern = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$"
    return re.match(pattern, path.replace("{}", "x")) is not None


def test_the_ui_calls_only_documented_routes_and_nothing_offline_cannot_reach():
    documented = set(json.loads((ROOT / "docs" / "openapi.json").read_text())["paths"])
    used = api_paths_in_assets()
    assert len(used) >= 20, used  # the scan finds the UI's calls (a broken regex would find none and pass)
    undocumented = sorted(p for p in used if not any(template_matches(t, p) for t in documented | OPTIONAL_ROUTES))
    assert undocumented == [], f"the UI calls routes that docs/openapi.json lacks: {undocumented}"
    for optional in OPTIONAL_ROUTES:
        assert any(template_matches(optional, p) for p in used), f"{optional} is no longer used: drop it from OPTIONAL_ROUTES"
    # Offline: no URL of another origin (the SVG namespace is a name, not a fetch).
    for path in ASSETS.iterdir():
        text = path.read_text()
        others = [u for u in re.findall(r"https?://[^\s\"'`)<>]+", text) if not u.startswith("http://www.w3.org/")]
        assert others == [], f"{path.name} names other origins: {others}"
        assert "style=" not in text or path.suffix == ".css", f"{path.name}: inline style breaks the content security policy"


# ---------------------------------------------------------------------------------------------------------------
# The browser world

class World:
    def __init__(self, census: Census, oracle: hd.Oracle, driver):
        self.census, self.oracle, self.driver = census, oracle, driver
        self.days = oracle.days
        self.timings: dict[str, dict] = {}

    def api(self, path: str, params: Optional[dict] = None) -> dict:
        r = requests.get(f"{self.census.api}{path}", params=params, timeout=15)
        assert r.status_code == 200, f"GET {r.url} -> {r.status_code}: {r.text[:300]}"
        return r.json()

    def documented(self, path: str) -> bool:
        return path in self.api("/api/v1/openapi.json")["paths"]

    def open(self, fragment: str, shot: Optional[str] = None, expect_404: str = ""):
        """Loads `/#<fragment>` afresh (a full page load), waits until every section has its answer, checks the console
        (the browser's own "404 (Not Found)" network lines for URLs containing `expect_404` are expected) and the first
        paint, and writes a screenshot."""
        d = self.driver
        d.get("about:blank")
        d.get(f"{self.census.api}/#{fragment}")
        self.wait_loaded()
        paint = d.execute_script(
            "const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');"
            "const n = performance.getEntriesByType('navigation')[0];"
            "return {fcp: p ? p.startTime : null, dom: n ? n.domContentLoadedEventEnd : null, now: performance.now()};")
        self.assert_no_console_errors(fragment, expect_404)
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            # The whole page: the window grows to the document's height (bounded) for the picture, then shrinks back.
            height = min(4000, max(1000, d.execute_script("return document.documentElement.scrollHeight")))
            d.set_window_size(1360, height)
            d.save_screenshot(str(SHOTS / f"{shot}.png"))
            d.set_window_size(1360, 1000)
            self.timings[shot] = {"fragment": fragment, "first_contentful_paint_ms": paint["fcp"],
                                  "dom_content_loaded_ms": paint["dom"], "all_sections_loaded_ms": paint["now"]}
            assert paint["fcp"] is not None and paint["fcp"] <= 1000, f"#{fragment}: first contentful paint {paint}"

    def wait_loaded(self):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            done = self.driver.execute_script(
                "const m = document.getElementById('main');"
                "if (!m || m.getAttribute('data-route') !== location.hash) return false;"
                "return [...m.querySelectorAll('.panel')].every(p => p.getAttribute('data-loaded') === 'true');")
            if done:
                return
            time.sleep(0.05)
        raise AssertionError(f"page did not finish loading: {self.driver.current_url}\n{self.text('main')[:2000]}")

    def assert_no_console_errors(self, where: str, expect_404: str = ""):
        errors = [e for e in self.driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")
                  and not (expect_404 and e.get("source") == "network" and "404 (Not Found)" in e["message"]
                           and expect_404 in e["message"])]
        assert errors == [], f"console errors on #{where}: {errors}"

    def text(self, css: str) -> str:
        return self.driver.find_element("css selector", css).text

    def column(self, section: str, index: int) -> list[str]:
        """The text of column `index` (0-based) of every row of the table in section `#section`."""
        cells = self.driver.find_elements("css selector", f"#{section} tbody tr td:nth-child({index + 1})")
        return [c.text for c in cells]

    def figure(self, section: str, label: str) -> str:
        for fig in self.driver.find_elements("css selector", f"#{section} .figure"):
            if fig.find_element("css selector", "dt").text == label:
                return fig.find_element("css selector", "dd").text
        raise AssertionError(f"no figure {label!r} in #{section}: {self.text('#' + section)}")

    def wait_hash(self, predicate, what: str):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            h = self.driver.execute_script("return location.hash")
            if predicate(h):
                self.wait_loaded()
                return h
            time.sleep(0.05)
        raise AssertionError(f"location.hash never became {what}: {self.driver.execute_script('return location.hash')}")


def n(value) -> str:
    return f"{value:,}"


def chromium_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    assert Path(binary).exists() and Path(driver_path).exists(), "chromium and chromium-driver come from scripts/lib/install-deps.sh"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1360,1000",
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--force-prefers-reduced-motion", "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver_path))


@pytest.fixture(scope="module")
def world(clickhouse):
    with hd.loaded(clickhouse, "test_ui", env={"CENSUS_ADMIN_TOKEN": ADMIN_TOKEN}) as five:
        driver = chromium_driver()
        try:
            driver.set_page_load_timeout(WAIT)
            w = World(five.census, five.oracle, driver)
            w.broker = five.broker  # type: ignore[attr-defined]
            yield w
            if w.timings:
                SHOTS.mkdir(parents=True, exist_ok=True)
                (SHOTS / "timings.json").write_text(json.dumps(w.timings, indent=2) + "\n")
        finally:
            driver.quit()


def day(w: World, i: int) -> str:
    return hd.day_text(w.days[i])


# ---------------------------------------------------------------------------------------------------------------
# Every page shows what the API answers

def test_overview_shows_totals_top_keys_changes_and_health(world):
    w = world
    since = day(w, hd.JUMP_DAY)
    w.open(f"/?since={since}", shot="overview")
    assert w.figure("totals", "Metric names") == n(w.api("/api/v1/metrics", {"limit": 1})["total"])
    assert w.figure("totals", "Span names") == n(w.api("/api/v1/spans", {"limit": 1})["total"])
    assert w.figure("totals", "Services") == n(w.api("/api/v1/services")["total"])
    assert w.figure("totals", "Active series (Prometheus)") == n(w.api("/api/v2/status/tsdb", {"topN": 10})["data"]["totalSeries"])
    top = w.api("/api/v1/attributes", {"sort_by": "cardinality", "sort_order": "desc", "limit": 10})["data"]
    assert w.column("top-keys", 0) == [k["key"] for k in top]
    assert w.column("top-keys", 3) == [n(k["estimated_cardinality"]) for k in top]
    changes = w.api("/api/v2/changes", {"since": since, "min_severity": "warning", "limit": 10})
    assert len(w.column("latest-changes", 0)) == len(changes["changes"]) > 0
    assert w.column("latest-changes", 0)[0] == "critical" and "user.id" in w.column("latest-changes", 3)[0]
    assert w.figure("health", "Quarantined records") == n(w.api("/api/v1/quarantine", {"limit": 1})["total"])
    assert w.figure("health", "Readiness").startswith("ready")
    assert w.figure("health", "Last flush").endswith("ago"), "census_last_flush_timestamp_seconds is on /metrics after a flush"


def test_services_and_a_service(world):
    w = world
    w.open("/services", shot="services")
    names = w.api("/api/v1/services")["data"]
    assert w.column("services", 0) == names and "payments" in names
    checkout = {s["signal"]: s for s in w.api(f"/api/v2/services/checkout", {"limit": 1})["signals"]}
    row = names.index("checkout")
    assert w.column("services", 2)[row] == n(checkout["metric"]["items"])
    assert w.column("services", 3)[row] == n(checkout["metric"]["keys"])
    w.open("/services/checkout?signal=metric", shot="service")
    keys = w.api("/api/v2/services/checkout", {"signal": "metric"})["data"]
    assert w.column("service-keys", 2) == [k["key"] for k in keys]
    assert w.column("service-keys", 3) == [n(k["estimated_cardinality"]) for k in keys]


def test_metric_span_and_log_lists_and_details(world):
    w = world
    w.open("/metrics", shot="metrics")
    metrics = w.api("/api/v1/metrics")["data"]
    assert w.column("metrics-list", 0) == [m["name"] for m in metrics]
    assert w.column("metrics-list", 6) == [n(m["active_series_otlp"]) for m in metrics]
    w.open("/spans", shot="spans")
    assert w.column("spans-list", 0) == [s["name"] for s in w.api("/api/v1/spans")["data"]]
    w.open("/logs", shot="logs")
    assert w.column("logs-list", 0) == [entry["severity"] for entry in w.api("/api/v1/logs")["data"]]

    first, last = day(w, 0), day(w, 4)
    w.open(f"/metrics/{quote(hd.HISTOGRAM, safe='')}?from={first}&to={last}&key=user.id", shot="metric")
    labels = w.api(f"/api/v2/metrics/{hd.HISTOGRAM}/labels", {"from": first, "to": last})["data"]
    assert [c.split(" ")[0] for c in w.column("keys", 0)] == [k["key"] for k in labels]
    assert w.column("keys", 2) == [n(k["estimated_cardinality"]) for k in labels]
    history = w.api("/api/v2/history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id", "from": first, "to": last})["points"]
    titles = [t.get_attribute("textContent") for t in w.driver.find_elements("css selector", "#history svg circle title")]
    expected = [f"user.id — {p['day']}: {n(p['estimated_cardinality'])}" for p in history]
    assert titles[:len(expected)] == expected, titles  # the first chart: cardinality per day (10, 10, 200, 200, 200)

    span = quote(hd.SPAN, safe="")
    w.open(f"/spans/{span}", shot="span")
    attrs = w.api(f"/api/v2/spans/{span}/attributes")["data"]
    assert [c.split(" ")[0] for c in w.column("keys", 0)] == [k["key"] for k in attrs]
    w.open("/logs/INFO", shot="log")
    templates = w.api("/api/v1/logs/INFO")["body_templates"]
    assert sorted(w.column("about", 0)) == sorted(t["template"] for t in templates)


def test_key_changes_and_patterns(world):
    w = world
    w.open("/keys", shot="keys")
    keys = w.api("/api/v1/attributes", {"sort_by": "cardinality", "sort_order": "desc"})["data"]
    assert w.column("keys-list", 0) == [k["key"] for k in keys]

    # Deep watch (when the server has it) answers 404 for a key nobody watches: the page says "Not watched".
    w.open("/keys/user.id", shot="key", expect_404="/api/v1/attributes/user.id/watch")
    usage = w.api("/api/v2/keys/user.id")
    assert w.figure("key-summary", "Estimated cardinality") == n(usage["estimated_cardinality"])
    assert w.column("key-places", 1) == [p["name"] for p in usage["data"]]
    points = w.api("/api/v2/history", {"signal": "metric", "name": hd.HISTOGRAM, "key": "user.id"})["points"]
    assert len(w.driver.find_elements("css selector", "#key-history svg circle")) == len(points) == hd.DAY_COUNT
    watch = w.text("#watch")
    if w.documented("/api/v1/attributes/{key}/watch"):
        assert "Admin token" in watch, watch
    else:
        assert "not available on this server" in watch, watch

    since = day(w, hd.JUMP_DAY)
    w.open(f"/changes?since={since}", shot="changes")
    answer = w.api("/api/v2/changes", {"since": since})
    assert len(w.column("changes", 0)) == min(100, answer["total"])
    assert w.column("changes", 0).count("critical") == answer["summary"]["critical"] >= 1
    critical = w.driver.find_elements("css selector", "#changes tbody tr.row-critical")
    assert critical and "user.id" in critical[0].text

    w.open("/patterns/logs", shot="log-patterns")
    patterns = w.api("/api/v1/logs/patterns", {"minCount": 1})["patterns"]
    assert w.column("log-patterns", 0) == [p["template"] for p in patterns]
    assert hd.NEW_TEMPLATE in w.column("log-patterns", 0)

    w.open("/patterns/spans", shot="span-patterns")
    if w.documented("/api/v1/span-patterns"):
        groups = w.api("/api/v1/span-patterns")["patterns"]
        assert w.column("span-patterns", 0) == [g["pattern"] for g in groups][:len(w.column("span-patterns", 0))]
    else:
        assert "not available on this server" in w.text("#span-patterns")


# ---------------------------------------------------------------------------------------------------------------
# Navigation, filters, sorting, keyboard, shareable URLs

def test_navigation_filters_sorting_and_shareable_urls(world):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    w = world
    d = w.driver
    w.open("/")
    # Keyboard: the first Tab reaches the skip link, Enter moves focus into the page.
    ActionChains(d).send_keys(Keys.TAB).perform()
    assert d.switch_to.active_element.text == "Skip to content"
    d.switch_to.active_element.send_keys(Keys.ENTER)
    assert d.switch_to.active_element.get_attribute("id") == "main"
    # The navigation link goes to the metrics page and marks itself current.
    d.find_element("css selector", "#nav a[data-page='metrics']").click()
    w.wait_hash(lambda h: h == "#/metrics", "#/metrics")
    assert d.find_element("css selector", "#nav a[data-page='metrics']").get_attribute("aria-current") == "page"
    # Sorting by a column header: data points, most first; the order is in the URL.
    buttons = {b.text.strip(" ▲▼"): b for b in d.find_elements("css selector", "#metrics-list th button.sort")}
    buttons["Data points"].click()
    w.wait_hash(lambda h: "sort=count" in h and "dir=desc" in h, "sorted by count")
    counts = [int(c.replace(",", "")) for c in w.column("metrics-list", 4)]
    assert counts == sorted(counts, reverse=True) and len(counts) == 3, counts
    by_count = w.column("metrics-list", 0)
    # Filters: the service filter goes to the API; the name filter applies to the page.
    field = d.find_element("id", "f-service")
    field.send_keys("payments", Keys.ENTER)
    w.wait_hash(lambda h: "service=payments" in h, "service=payments")
    assert w.column("metrics-list", 0) == [m["name"] for m in w.api("/api/v1/metrics", {"service": "payments"})["data"]] == [hd.NEW_METRIC]
    d.find_element("css selector", "form.filters button.secondary").click()
    w.wait_hash(lambda h: "service=" not in h, "filters reset")
    d.find_element("id", "f-q").send_keys("legacy", Keys.ENTER)
    w.wait_hash(lambda h: "q=legacy" in h, "q=legacy")
    assert w.column("metrics-list", 0) == [hd.LEGACY_METRIC]
    # Shareable: the sorted URL opened afresh shows the same order.
    w.open("/metrics?sort=count&dir=desc")
    assert w.column("metrics-list", 0) == by_count
    # Click through: a metric, then one of its keys charts that key.
    d.find_element("link text", hd.HISTOGRAM).click()
    w.wait_hash(lambda h: h.startswith("#/metrics/http.server"), "the metric's page")
    d.find_element("css selector", "#keys a[href*='key=user.id']").click()
    w.wait_hash(lambda h: "key=user.id" in h, "key=user.id")
    assert "user.id" in w.text("#history figcaption")
    # Changes: at least critical leaves only critical rows (with their colour).
    w.open(f"/changes?since={day(w, hd.JUMP_DAY)}")
    select = d.find_element("id", "f-min_severity")
    select.find_element("css selector", "option[value='critical']").click()
    d.find_element("css selector", "form.filters button[type='submit']").click()
    w.wait_hash(lambda h: "min_severity=critical" in h, "min_severity=critical")
    severities = w.column("changes", 0)
    assert severities and set(severities) == {"critical"}, severities
    # A link in the changes table leads to the key's page.
    d.find_element("css selector", "#changes tbody a[href^='#/keys/user.id']").click()
    w.wait_hash(lambda h: h.startswith("#/keys/user.id"), "the key's page")
    assert w.figure("key-summary", "Estimated cardinality") == n(w.api("/api/v2/keys/user.id")["estimated_cardinality"])
    w.assert_no_console_errors("navigation", expect_404="/api/v1/attributes/user.id/watch")


def test_an_unknown_page_and_a_failing_call_show_a_message_not_an_exception(world):
    w = world
    w.open("/no-such-page")
    assert "No page at #/no-such-page" in w.text("main")
    w.open("/metrics/no.such.metric", expect_404="no.such.metric")  # its detail, history and labels are 404
    assert "metric not found (HTTP 404)" in w.text("#about")


# ---------------------------------------------------------------------------------------------------------------
# Deep watch (last: it ingests new values of user.id)

def test_deep_watch_toggle_asks_for_the_token_shows_values_and_unwatches(world):
    from test_watch import Data, produce_at

    w = world
    assert w.documented("/api/v1/attributes/{key}/watch")
    path = "/api/v1/attributes/user.id/watch"
    w.open("/keys/user.id", expect_404=path)
    assert w.text("#watch-status").startswith("Not watched.") and w.text("#watch-toggle") == "Watch this key"
    # No token: the page asks for it and calls nothing.
    w.driver.execute_script("sessionStorage.clear(); document.getElementById('admin-token').value = '';")
    w.driver.find_element("css selector", "#watch-toggle").click()
    assert "Enter the admin token" in w.text("#watch"), w.text("#watch")
    assert requests.get(w.census.api + path, timeout=10).status_code == 404
    # A wrong token: the API's 401 message, still not watched.
    w.driver.find_element("css selector", "#admin-token").send_keys("wrong-token")
    w.driver.find_element("css selector", "#watch-toggle").click()
    deadline = time.monotonic() + WAIT
    while "invalid or missing admin token" not in w.text("#watch"):
        assert time.monotonic() < deadline, w.text("#watch")
        time.sleep(0.05)
    assert requests.get(w.census.api + path, timeout=10).status_code == 404
    # The right token: watched; the page reloads its sections.
    field = w.driver.find_element("css selector", "#admin-token")
    field.clear()
    field.send_keys(ADMIN_TOKEN)
    w.driver.find_element("css selector", "#watch-toggle").click()
    w.wait_hash(lambda h: "watch=" in h, "a hash with watch=")
    assert w.text("#watch-status").startswith("Watched since") and w.text("#watch-toggle") == "Stop watching"
    # The browser logs the refused POST (401) and the first GET (404) as network errors; nothing else.
    errors = [e for e in w.driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")
              and not (e.get("source") == "network" and path in e["message"] and ("401 (Unauthorized)" in e["message"]
                                                                                 or "404 (Not Found)" in e["message"]))]
    assert errors == [], errors

    # New values of user.id arrive; the page shows them with their counts, as the API answers.
    data = Data()
    data.metric(["ui-watch-b", "ui-watch-a", "ui-watch-b"], int(time.time() * 1000))
    produce_at(w.broker.bootstrap, data.records)
    deadline = time.monotonic() + WAIT
    while w.api(path)["unique_count"] < 2:
        assert time.monotonic() < deadline, w.api(path)
        time.sleep(0.2)
    answer = w.api(path, {"page_size": 20})
    w.open("/keys/user.id", shot="key-watched")
    assert w.column("watch", 0) == [v["value"] for v in answer["values"]] == ["ui-watch-b", "ui-watch-a"]
    assert w.column("watch", 1) == [n(v["count"]) for v in answer["values"]] == ["2", "1"]
    assert "2 distinct values, 3 observations" in w.text("#watch-status")

    # Unwatch with the token kept in the tab's session storage: the values stay, the button offers to watch again.
    assert w.driver.find_element("css selector", "#admin-token").get_attribute("value") == ADMIN_TOKEN
    before = w.driver.execute_script("return location.hash")
    w.driver.find_element("css selector", "#watch-toggle").click()
    w.wait_hash(lambda h: h != before, "a new watch= hash")
    assert w.text("#watch-status").startswith("Not watched now"), w.text("#watch")
    assert w.api(path)["active"] is False and w.text("#watch-toggle") == "Watch this key"
    assert w.column("watch", 0) == ["ui-watch-b", "ui-watch-a"]
