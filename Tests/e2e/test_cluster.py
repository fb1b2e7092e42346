"""census on a replicated ClickHouse cluster (issue 15): real ZooKeeper 3.8 and two clickhouse-server 18.16 replicas of
one shard (scripts/cluster), `--clickhouse-cluster census`, both replica URLs in `--clickhouse-url`, the mock broker.

Every test ends with the answers of every V1 list and detail endpoint equal to one clean pass over its data set
(expect.py): nothing lost, nothing counted twice, whatever happened to a replica, ZooKeeper or census meanwhile.

The cluster: `CENSUS_TEST_CLUSTER_DIR` (a cluster scripts/test started with scripts/cluster), else one started here for
the module. Tests leave every node running. Marked `cluster`: scripts/test runs this file in a lane of its own.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

import otlp_data
from compare import assert_every_endpoint
from harness import ROOT, HarnessError, port_open, unique_name, wait_until
from kafka_util import produce
from test_exactly_once import FAST_GROUP, Producer

pytestmark = pytest.mark.cluster

CLUSTER_SCRIPT = ROOT / "scripts" / "cluster"


class Cluster:
    """A scripts/cluster cluster: node control and the store interface census_factory expects (url, query, drop_database)."""

    def __init__(self, directory: Path, own: bool):
        self.directory = directory
        self.own = own
        env = dict(line.split("=", 1) for line in (directory / "cluster.env").read_text().splitlines() if "=" in line)
        self.urls = env["CENSUS_CLICKHOUSE_URL"].split(",")
        self.name = env["CENSUS_CLICKHOUSE_CLUSTER"]
        self.url = ",".join(self.urls)

    def run(self, *args: str) -> None:
        out = subprocess.run(["bash", str(CLUSTER_SCRIPT), *args, "--dir", str(self.directory)], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise HarnessError(f"scripts/cluster {' '.join(args)} failed ({out.returncode}): {out.stderr}{out.stdout}")

    def kill(self, node: str) -> None:
        self.run("kill", node)

    def start_node(self, node: str) -> None:
        self.run("start-node", node)
        if node.startswith("ch"):
            url = self.urls[int(node[2:]) - 1]
            wait_until(f"{node} to answer /ping", lambda: requests.get(url + "/ping", timeout=2).ok, timeout=60)

    def diagnostics(self) -> str:
        """The tail of every server's error log and the replicas' state: why a DDL or a replication did not finish."""
        out = []
        for i, url in enumerate(self.urls, start=1):
            log = self.directory / f"ch{i}" / "log" / "server.err.log"
            lines = log.read_text(errors="replace").splitlines()[-12:] if log.exists() else ["(no error log)"]
            try:
                replicas = self.query("SELECT database, table, is_readonly, is_session_expired, queue_size, active_replicas "
                                      "FROM system.replicas WHERE is_readonly OR queue_size > 0 FORMAT TSV", url=url, timeout=5)
            except Exception as e:  # noqa: BLE001 - diagnostics only
                replicas = f"(system.replicas: {e})"
            out.append(f"--- ch{i} {url}: replicas readonly or queued:\n{replicas}--- ch{i} server.err.log tail:\n" + "\n".join(lines))
        return "\n".join(out)

    def wait_settled(self) -> None:
        """Every server answers and no replicated table is read-only (a restarted server re-attached its tables once its old
        ZooKeeper session expired), so one test's faults do not leak into the next."""
        def settled() -> bool:
            for url in self.urls:
                if self.query("SELECT count() FROM system.replicas WHERE is_readonly", url=url, timeout=5).strip() != "0":
                    return False
            return True
        wait_until("every replica writable", settled, timeout=90, diagnostics=self.diagnostics)

    def replica(self, node: str) -> str:
        return self.urls[int(node[2:]) - 1]

    def query(self, sql: str, database: str | None = None, timeout: float = 30, url: str | None = None) -> str:
        last = None
        for base in ([url] if url else self.urls):
            try:
                r = requests.post(base, params={"database": database} if database else {}, data=sql.encode(), timeout=timeout)
            except requests.RequestException as e:
                last = e
                continue
            if r.status_code == 200:
                return r.text
            last = HarnessError(f"ClickHouse {r.status_code}: {r.text.strip()} (query: {sql})")
        raise last if isinstance(last, Exception) else HarnessError("no replica answered")

    def drop_database(self, name: str) -> None:
        try:
            self.query(f"DROP DATABASE IF EXISTS {name} ON CLUSTER {self.name}", timeout=60)
        except Exception:  # noqa: BLE001 - best effort clean-up
            pass

    def stop(self) -> None:
        if self.own:
            self.run("stop")


def _free_base() -> int:
    """A base port with ZooKeeper's and three servers' ports free (scripts/cluster: base, base+10i … base+10i+2)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(30000, 60000, 100)
        if not any(port_open(p) for p in [base] + [base + 10 * i + k for i in (1, 2, 3) for k in (0, 1, 2)]):
            return base
    raise HarnessError("no free port range for the cluster")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    given = os.environ.get("CENSUS_TEST_CLUSTER_DIR")
    if given:
        c = Cluster(Path(given), own=False)
    else:
        directory = ROOT / ".run" / "e2e" / "_cluster"
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", "--dir", str(directory)], capture_output=True, timeout=120)
        out = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", "--dir", str(directory), "--base-port", str(_free_base())],
                             capture_output=True, text=True, timeout=180)
        if out.returncode != 0:
            raise HarnessError(f"scripts/cluster start failed: {out.stderr}")
        c = Cluster(directory, own=True)
    try:
        yield c
    finally:
        c.stop()


CLUSTER_ARGS = ["--clickhouse-cluster", "census"]


def _census(census_factory, broker, cluster, url: str | None = None, settle: bool = True, **kw):
    """A census on the cluster (both replicas unless `url` names one), with its own database; its log tail on a failure
    comes with the cluster's diagnostics. `settle`: first wait until every replica is up and writable."""
    if settle:
        cluster.wait_settled()
    extra = CLUSTER_ARGS + FAST_GROUP + kw.pop("extra_args", [])
    census = census_factory(broker, cluster, start=False, extra_args=extra, **kw)
    if url:
        census.clickhouse_url = url
    tail = census.log_tail
    census.log_tail = lambda lines=60: f"{tail(lines)}\n{cluster.diagnostics()}"
    return census


def _replicated_counts(cluster, database: str) -> list[str]:
    """Rows of `metadata` on every replica, once each replica caught up (SYSTEM SYNC REPLICA)."""
    counts = []
    for url in cluster.urls:
        cluster.query(f"SYSTEM SYNC REPLICA {database}.metadata", url=url, timeout=120)
        counts.append(cluster.query(f"SELECT count() FROM {database}.metadata", url=url).strip())
    return counts


def _readyz(census) -> dict:
    return requests.get(census.api + "/readyz", timeout=10).json()


def test_replicated_schema_and_one_clean_pass(cluster, broker, census_factory):
    data = otlp_data.build_dataset(seed=1501, messages=60)
    census = _census(census_factory, broker, cluster, flush_interval="0.3")
    census.start()
    offsets = census_factory.offsets(broker, census)
    produce(broker.bootstrap, otlp_data.records(data))
    offsets.wait_caught_up(diagnostics=census.log_tail)
    assert_every_endpoint(census, data, " on a two-replica cluster")
    # Every table census stores into is replicated, on both servers; the Null tables and views exist on both.
    for url in cluster.urls:
        engines = dict(line.split("\t") for line in cluster.query(
            f"SELECT name, engine FROM system.tables WHERE database = '{census.database}' ORDER BY name", url=url).splitlines())
        assert engines["metadata"] == "ReplicatedAggregatingMergeTree", engines
        assert engines["quarantine"] == "ReplicatedReplacingMergeTree", engines
        assert engines["schema_migrations"] == "ReplicatedMergeTree", engines
        assert engines["sessions"] == "ReplicatedReplacingMergeTree", engines
        assert engines["watches"] == "ReplicatedReplacingMergeTree", engines
        assert engines["metadata_ingest_v9"] == "Null" and engines["metadata_mv_v9"] == "MaterializedView", engines
    counts = _replicated_counts(cluster, census.database)
    assert len(set(counts)) == 1 and counts[0] != "0", f"replicas differ: {counts}"
    # Readiness reads the group's join state from librdkafka's statistics, which may still show the join for up to a
    # statistics interval after the assignment: wait for it rather than sample it once.
    ready = wait_until("readiness with both replicas up",
                       lambda: (r := _readyz(census))["status"] == "ready" and "2/2 replicas up" in r["checks"]["clickhouse"]["detail"] and r,
                       timeout=30, diagnostics=census.log_tail)
    assert ready["checks"]["schema"]["ok"], ready
    # A census that reads only the other replica answers the same.
    serve = census_factory(broker, cluster, start=False, command="serve", database=census.database, name="serve2")
    serve.clickhouse_url = cluster.replica("ch2")
    serve.start()
    assert_every_endpoint(serve, data, " from the second replica alone")
    _every_read_route_answers(serve)


def _every_read_route_answers(census) -> None:
    """Every GET route of the served OpenAPI document (V1, V2, key usage, watch, sessions, system) runs its queries on
    the replicated tables: path parameters name stored things, and the routes that read stored data answer 200."""
    first = lambda path, field: census.get(path, params={"limit": 1}).json()["data"][0][field]  # noqa: E731
    metric, span, key = first("/api/v1/metrics", "name"), first("/api/v1/spans", "name"), first("/api/v1/attributes", "key")
    service = census.get("/api/v1/services").json()["data"][0]
    service = service if isinstance(service, str) else service.get("name", service.get("service"))
    severity = first("/api/v1/logs", "severity")
    values = {"/api/v1/spans": span, "/api/v2/spans": span, "/api/v1/logs": severity, "/api/v2/logs": severity,
              "/api/v1/services": service, "/api/v2/services": service}
    query = {"/api/v2/history": {"signal": "metric", "name": metric}, "/api/v2/changes": {"since": "2000-01-01"}}
    must_answer_200 = {"/api/v1/span-patterns", "/api/v1/services/{name}/attributes", "/api/v1/attributes/{key}/services",
                       "/api/v1/attributes/{key}/telemetry", "/api/v2/metrics/{name}/labels", "/api/v2/spans/{name}/attributes",
                       "/api/v2/logs/{severity}/attributes", "/api/v2/metrics", "/api/v2/status/tsdb", "/api/v2/keys/{key}",
                       "/api/v2/services/{name}", "/api/v2/system/clickhouse", "/api/v2/system/tables", "/api/v2/history",
                       "/api/v2/changes", "/api/v1/sessions", "/api/v1/cardinality/high", "/api/v1/logs/by-service"}
    doc = census.get("/api/v1/openapi.json").json()
    answered = set()
    for path, item in doc["paths"].items():
        if "get" not in item:
            continue
        name = next((v for prefix, v in values.items() if path.startswith(prefix + "/")), metric)
        url = census.api + re.sub(r"\{([^}]+)\}", lambda m: requests.utils.quote(key if m.group(1) == "key" else name, safe=""), path)
        r = requests.get(url, params=query.get(path), timeout=60)
        assert r.status_code < 500, f"GET {path} on the cluster -> {r.status_code}: {r.text[:300]}"
        if path in must_answer_200:
            assert r.status_code == 200, f"GET {path} on the cluster -> {r.status_code}: {r.text[:300]}"
        answered.add(path)
    assert must_answer_200 <= answered, must_answer_200 - answered


def test_replica_killed_during_ingest_and_brought_back(cluster, broker, census_factory):
    data = otlp_data.build_dataset(seed=1502, messages=200, max_items=3)
    recs = otlp_data.records(data)
    census = _census(census_factory, broker, cluster, flush_interval="0.2")
    census.start()
    offsets = census_factory.offsets(broker, census)
    producer = Producer(broker.bootstrap, recs, chunk=10, pause=0.3)
    producer.start()
    wait_until("some offsets committed", lambda: any(v > 0 for v in offsets.committed().values()), timeout=60,
               diagnostics=census.log_tail)
    cluster.kill("ch1")
    try:
        # Readiness names the dead replica; reads keep answering from the other one.
        ready = wait_until("readiness to report the degraded replica",
                           lambda: (r := _readyz(census)) and "degraded" in r["checks"]["clickhouse"]["detail"] and r, timeout=30)
        assert cluster.replica("ch1") in ready["checks"]["clickhouse"]["detail"], ready
        for _ in range(5):
            assert census.get("/api/v1/metrics").status_code == 200
        time.sleep(3)
        assert census.alive(), census.log_tail()
    finally:
        cluster.start_node("ch1")
    producer.finish()
    offsets.wait_caught_up(timeout=180, diagnostics=census.log_tail)
    assert_every_endpoint(census, data, " after a replica was killed during ingest and brought back")
    wait_until("readiness to report both replicas", lambda: "2/2 replicas up" in _readyz(census)["checks"]["clickhouse"]["detail"], timeout=30)
    counts = _replicated_counts(cluster, census.database)
    assert len(set(counts)) == 1, f"replicas differ: {counts}"


def test_zookeeper_stopped_30_seconds(cluster, broker, census_factory):
    first = otlp_data.build_dataset(seed=1503, messages=30, prefix="a.")
    during = otlp_data.build_dataset(seed=1504, messages=90, max_items=3, prefix="b.")
    census = _census(census_factory, broker, cluster, flush_interval="0.3")
    census.start()
    offsets = census_factory.offsets(broker, census)
    produce(broker.bootstrap, otlp_data.records(first))
    offsets.wait_caught_up(diagnostics=census.log_tail)
    cluster.kill("zk")
    try:
        produce(broker.bootstrap, otlp_data.records(during))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert census.alive(), f"census exited while ZooKeeper was down\n{census.log_tail()}"
            assert census.get("/api/v1/metrics").status_code == 200  # replicas serve reads without ZooKeeper
            time.sleep(2)
    finally:
        cluster.start_node("zk")
    offsets.wait_caught_up(timeout=180, diagnostics=census.log_tail)
    assert_every_endpoint(census, otlp_data.merge(first, during), " after ZooKeeper was down for 30 s")


def test_census_restarted_against_the_other_replica(cluster, broker, census_factory):
    data = otlp_data.build_dataset(seed=1505, messages=120, max_items=3)
    recs = otlp_data.records(data)
    database, group = unique_name("e2e"), unique_name("g")
    first = _census(census_factory, broker, cluster, url=cluster.replica("ch1"), database=database, group=group,
                    flush_interval="0.2", name="on_ch1")
    first.start()
    offsets = census_factory.offsets(broker, first)
    producer = Producer(broker.bootstrap, recs, chunk=10, pause=0.3)
    producer.start()
    wait_until("some offsets committed", lambda: sum(offsets.committed().values()) > 10, timeout=60, diagnostics=first.log_tail)
    first.stop(signal.SIGKILL, timeout=10)
    second = _census(census_factory, broker, cluster, url=cluster.replica("ch2"), database=database, group=group,
                     flush_interval="0.2", name="on_ch2")
    second.start()
    producer.finish()
    offsets.wait_caught_up(timeout=120, diagnostics=second.log_tail)
    assert_every_endpoint(second, data, " after census was killed on one replica and restarted on the other")


def test_census_started_while_a_replica_is_down(cluster, broker, census_factory):
    """The schema is created ON CLUSTER: with one host down the distributed DDL cannot finish. census neither hangs on it
    nor exits: the server's bounded answer (distributed_ddl_task_timeout, code 159) is logged as a late host, the
    statement is retried, and once the host is back it catches up on the DDL queue and the migration completes."""
    data = otlp_data.build_dataset(seed=1507, messages=40, max_items=3)
    cluster.wait_settled()
    cluster.kill("ch2")
    try:
        census = _census(census_factory, broker, cluster, url=cluster.replica("ch1"), settle=False, flush_interval="0.2")
        census.start(wait_healthy=False)
        wait_until("census to report the cluster DDL late on a host",
                   lambda: "ClickHouse cluster DDL not finished on every host; retrying" in census.log_tail(400), timeout=150,
                   interval=1, diagnostics=census.log_tail)
        assert census.alive(), census.log_tail()
        ready = _readyz(census)
        assert "migration pending" in ready["checks"]["schema"]["detail"], ready
        # The warning names the host that has not finished the DDL (ch2, by its address in remote_servers), not ch1.
        def tcp(name):
            return "127.0.0.1:%d" % (int(cluster.replica(name).rsplit(":", 1)[1]) + 1)
        late = [line for line in census.log_tail(400).splitlines() if "cluster DDL not finished on every host" in line]
        assert any(f"unfinished_hosts={tcp('ch2')}" in line for line in late), late[-3:]
        assert not any(tcp("ch1") in line.split("unfinished_hosts=", 1)[-1] for line in late), late[-3:]
        ready = _readyz(census)
        assert f"cluster DDL not finished on {tcp('ch2')}" in ready["checks"]["schema"]["detail"], ready
    finally:
        cluster.start_node("ch2")
    offsets = census_factory.offsets(broker, census)
    produce(broker.bootstrap, otlp_data.records(data))
    offsets.wait_caught_up(timeout=180, diagnostics=census.log_tail)
    assert_every_endpoint(census, data, " after the schema was created while a replica was down")
    counts = _replicated_counts(cluster, census.database)
    assert len(set(counts)) == 1, f"replicas differ: {counts}"


def test_census_sigkilled_10_times_while_a_replica_is_down(cluster, broker, census_factory):
    data = otlp_data.build_dataset(seed=1506, messages=120, max_items=3)
    recs = otlp_data.records(data)
    rng = random.Random(1506)
    census = _census(census_factory, broker, cluster, flush_interval="0.2")
    census.start()
    offsets = census_factory.offsets(broker, census)
    producer = Producer(broker.bootstrap, recs, chunk=10, pause=0.3)
    producer.start()
    wait_until("some offsets committed", lambda: any(v > 0 for v in offsets.committed().values()), timeout=60,
               diagnostics=census.log_tail)
    cluster.kill("ch2")
    try:
        for kill in range(10):
            if not census.alive():
                census.start(wait_healthy=False)
            time.sleep(rng.uniform(0.5, 2.5))
            assert census.alive(), f"census exited by itself before kill {kill + 1}\n{census.log_tail()}"
            census.stop(signal.SIGKILL, timeout=10)
        census.start()
        ready = wait_until("readiness to report the degraded replica",
                           lambda: (r := _readyz(census)) and "degraded" in r["checks"]["clickhouse"]["detail"] and r, timeout=30)
        assert cluster.replica("ch2") in ready["checks"]["clickhouse"]["detail"], ready
    finally:
        cluster.start_node("ch2")
    producer.finish()
    offsets.wait_caught_up(timeout=180, diagnostics=census.log_tail)
    assert_every_endpoint(census, data, " after 10 SIGKILLs of census while a replica was down")
    counts = _replicated_counts(cluster, census.database)
    assert len(set(counts)) == 1, f"replicas differ: {counts}"


def test_fill_watched_on_the_cluster(cluster, broker, census_factory):
    """`census replay --fill-watched` on the replicated store: the key watched after its records were applied is filled
    exactly (the coverage rows and values replicate with their INSERT), a second fill changes nothing, replicas agree."""
    from test_watch import AUTH, TOKEN, Data, as_expected, mixed_data, produce_at, run_fill, values_of, watch_url
    census = _census(census_factory, broker, cluster, flush_interval="0.3", env={"CENSUS_ADMIN_TOKEN": TOKEN})
    census.start()
    offsets = census_factory.offsets(broker, census)
    data = Data()
    mixed_data(data, seed=1551, records=45)
    produce_at(broker.bootstrap, data.records)
    offsets.wait_caught_up(diagnostics=census.log_tail)
    assert requests.post(watch_url(census), headers=AUTH, timeout=30).status_code == 200
    for attempt in ("first", "second"):
        out = run_fill(census, *CLUSTER_ARGS)
        assert out.returncode == 0, f"{attempt} fill: {out.stderr[-3000:]}"
        assert as_expected(values_of(census)) == data.expected, f"after the {attempt} fill"
    counts = _replicated_counts(cluster, census.database)
    assert len(set(counts)) == 1, f"replicas differ: {counts}"
