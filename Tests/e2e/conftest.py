"""Fixtures for the census end-to-end suite.

Environment:
  CENSUS_BIN                   census binary (default .build/release/census)
  CENSUS_TEST_CLICKHOUSE_URL   an existing ClickHouse to use (each test gets its own database); otherwise the
                               suite starts a private ClickHouse 18.16 via scripts/lib/clickhouse.sh
  CENSUS_E2E_WAIT              seconds for each bounded wait (default 60)
  CENSUS_E2E_KEEP              keep work directories and databases even when tests pass
Work directories (logs of every process) are under .run/e2e/<test name>/.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Census, ClickHouse, DevBroker, rmtree  # noqa: E402
from kafka_util import OffsetReader  # noqa: E402

RUN_DIR = ROOT / ".run" / "e2e"
KEEP = bool(os.environ.get("CENSUS_E2E_KEEP"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _failed(request) -> bool:
    node = request.node
    return any(getattr(node, f"rep_{w}", None) is not None and getattr(node, f"rep_{w}").failed for w in ("setup", "call"))


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


@pytest.fixture(scope="session")
def clickhouse(tmp_path_factory):
    """The shared ClickHouse: CENSUS_TEST_CLICKHOUSE_URL, or a private 18.16 server for the session."""
    url = os.environ.get("CENSUS_TEST_CLICKHOUSE_URL")
    if url:
        ch = ClickHouse(url=url.rstrip("/"))
        ch.query("SELECT 1")
        yield ch
        return
    directory = RUN_DIR / "_clickhouse"
    rmtree(directory)
    ch = ClickHouse(directory=directory).start()
    try:
        yield ch
    finally:
        ch.stop()


@pytest.fixture
def workdir(request) -> Path:
    d = RUN_DIR / _safe(request.node.name)
    rmtree(d)
    d.mkdir(parents=True)
    yield d
    if not _failed(request) and not KEEP:
        rmtree(d)


@pytest.fixture
def private_clickhouse(workdir):
    """A ClickHouse 18.16 of the test's own, which the test may pause, kill and restart."""
    ch = ClickHouse(directory=workdir / "clickhouse").start()
    try:
        yield ch
    finally:
        ch.stop()


@pytest.fixture
def broker(workdir):
    b = DevBroker(workdir)
    try:
        yield b
    finally:
        b.stop()


class CensusFactory:
    """Creates census processes for one test and stops them (and reports their logs) at the end."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.instances: list[Census] = []
        self.readers: list[OffsetReader] = []

    def __call__(self, broker: DevBroker, clickhouse: ClickHouse, start: bool = True, **kw) -> Census:
        c = Census(self.workdir, broker.bootstrap, clickhouse.url, name=kw.pop("name", f"census{len(self.instances) or ''}"), **kw)
        c.clickhouse = clickhouse  # type: ignore[attr-defined]
        self.instances.append(c)
        if start:
            c.start()
        return c

    def offsets(self, broker: DevBroker, census: Census) -> OffsetReader:
        r = OffsetReader(broker.bootstrap, census.group, broker.topics)
        self.readers.append(r)
        return r

    def close(self, failed: bool) -> None:
        for r in self.readers:
            r.close()
        for c in self.instances:
            rc = c.stop()
            if failed:
                print(f"\n[census {c.database}: exit {rc}]\n{c.log_tail(80)}")
            elif not KEEP:
                c.clickhouse.drop_database(c.database)


@pytest.fixture
def census_factory(request, workdir):
    f = CensusFactory(workdir)
    try:
        yield f
    finally:
        f.close(_failed(request))
