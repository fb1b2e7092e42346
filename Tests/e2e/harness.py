"""Process harness for the end-to-end suite: ClickHouse 18.16, `census dev-broker` and census itself.

Every process is started on 127.0.0.1 with a free port, every wait is bounded, and every process is
stopped by the fixture that started it (see conftest.py).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable, Optional
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[2]
CLICKHOUSE_SH = ROOT / "scripts" / "lib" / "clickhouse.sh"
DEFAULT_WAIT = float(os.environ.get("CENSUS_E2E_WAIT", "60"))
# The Null table census's INSERTs go to (Schema.ingestTable in Sources/Store/SQL/Schema.swift; older ones refuse
# writes on ClickHouse 18.16 once a newer migration ran).
INGEST_TABLE = "metadata_ingest_v9"


class HarnessError(AssertionError):
    """A bounded wait ran out or a process misbehaved; the message carries diagnostics."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(what: str, predicate: Callable[[], object], timeout: float = DEFAULT_WAIT, interval: float = 0.25,
               diagnostics: Callable[[], str] = lambda: "") -> object:
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` seconds pass (HarnessError)."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - predicates may fail while things start up
            last_error = e
        if time.monotonic() >= deadline:
            detail = f"; last error: {last_error!r}" if last_error else ""
            raise HarnessError(f"timed out after {timeout:.0f}s waiting for {what}{detail}\n{diagnostics()}")
        time.sleep(interval)


def rss_bytes(pid: int) -> int:
    """A process's resident memory (VmRSS), in bytes; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process used so far, in seconds (/proc/PID/stat, clock ticks of 1/100 s)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def census_bin() -> Path:
    env = os.environ.get("CENSUS_BIN")
    candidates = [Path(env)] if env else [ROOT / ".build" / "release" / "census", ROOT / ".build" / "debug" / "census"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise HarnessError(f"census binary not found (looked at {', '.join(map(str, candidates))}); "
                       "build it with `swift build -c release` or set CENSUS_BIN")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text[-lines:])


# ---------------------------------------------------------------------------------------------- ClickHouse
class ClickHouse:
    """A private ClickHouse 18.16 server started with scripts/lib/clickhouse.sh (or an external one by URL)."""

    def __init__(self, directory: Optional[Path] = None, http_port: Optional[int] = None, url: Optional[str] = None):
        self.directory = directory
        self.http_port = http_port or ((urlparse(url).port or 8123) if url else free_port())
        self.tcp_port = free_port()
        self.url = url or f"http://127.0.0.1:{self.http_port}"
        self.pid: Optional[int] = None
        self.external = url is not None

    def start(self) -> "ClickHouse":
        assert not self.external and self.directory is not None
        out = subprocess.run(["bash", str(CLICKHOUSE_SH), str(self.directory), str(self.http_port), str(self.tcp_port)],
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise HarnessError(f"clickhouse.sh failed ({out.returncode}): {out.stderr}\n{tail(self.directory / 'log' / 'server.err.log')}")
        self.pid = int(out.stdout.strip().splitlines()[-1])
        return self

    def alive(self) -> bool:
        return self.pid is not None and _pid_alive(self.pid)

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        """Stops the server abruptly (SIGKILL) and waits until the port is closed."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGCONT)
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_until("ClickHouse to exit", lambda: not _pid_alive(self.pid), timeout=30)
        wait_until(f"port {self.http_port} to close", lambda: not port_open(self.http_port), timeout=30)
        self.pid = None

    def stop(self) -> None:
        if self.pid is None or self.external:
            return
        try:
            os.kill(self.pid, signal.SIGCONT)
            os.kill(self.pid, signal.SIGTERM)
            wait_until("ClickHouse to stop", lambda: not _pid_alive(self.pid), timeout=30)
        except ProcessLookupError:
            pass
        except HarnessError:
            os.kill(self.pid, signal.SIGKILL)
        self.pid = None

    def query(self, sql: str, database: Optional[str] = None, timeout: float = 10) -> str:
        params = {"database": database} if database else {}
        r = requests.post(self.url, params=params, data=sql.encode(), timeout=timeout)
        if r.status_code != 200:
            raise HarnessError(f"ClickHouse {r.status_code}: {r.text.strip()} (query: {sql})")
        return r.text

    def drop_database(self, name: str) -> None:
        try:
            self.query(f"DROP DATABASE IF EXISTS {name}")
        except Exception:  # noqa: BLE001 - best effort clean-up
            pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as dead.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# ---------------------------------------------------------------------------------------------- processes
def clean_env() -> dict:
    """The environment without CENSUS_* variables (so a developer's settings do not leak into a test)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CENSUS_") or k == "CENSUS_BIN"}


class Proc:
    """A child process whose stdout/stderr go to a log file."""

    def __init__(self, name: str, argv: list[str], log: Path, env: Optional[dict] = None, stdout_file: Optional[Path] = None):
        self.name, self.argv, self.log = name, argv, log
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_f = open(self.log, "ab")
        self._log_f.write(f"\n===== {time.strftime('%H:%M:%S')} start: {' '.join(argv)}\n".encode())
        self._log_f.flush()
        self._out_f = open(stdout_file, "wb") if stdout_file else None
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._out_f or self._log_f, stderr=self._log_f,
                                      env={**clean_env(), **(env or {})}, cwd=str(ROOT))

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def send(self, sig: int) -> None:
        if self.alive():
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> Optional[int]:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> Optional[int]:
        """Sends `sig`, waits up to `timeout` s, then SIGKILLs. Returns the exit code (None if it had to be killed)."""
        if not self.alive():
            self._close()
            return self.popen.returncode
        self.popen.send_signal(sig)
        rc = self.wait(timeout)
        if rc is None:
            self.popen.kill()
            self.popen.wait(timeout=10)
        self._close()
        return rc

    def _close(self) -> None:
        for f in (self._log_f, self._out_f):
            if f and not f.closed:
                f.close()

    def log_tail(self, lines: int = 60) -> str:
        if self._log_f and not self._log_f.closed:
            self._log_f.flush()
        return f"--- last {lines} lines of {self.log} ---\n{tail(self.log, lines)}"


class DevBroker:
    """`census dev-broker`: the embedded librdkafka mock cluster; prints its bootstrap address first."""

    def __init__(self, workdir: Path, partitions: int = 4, topics: Iterable[str] = ("otlp_metrics", "otlp_spans", "otlp_logs")):
        self.topics = list(topics)
        self.partitions = partitions
        out = workdir / "dev-broker.out"
        self.proc = Proc("dev-broker", [str(census_bin()), "dev-broker", "--partitions", str(partitions), "--topics", ",".join(self.topics)],
                         workdir / "dev-broker.log", stdout_file=out)

        def first_line():
            if not self.proc.alive():
                raise HarnessError(f"census dev-broker exited with {self.proc.popen.returncode}\n{self.proc.log_tail()}")
            text = out.read_text()
            return text.splitlines()[0].strip() if "\n" in text else None

        self.bootstrap: str = wait_until("census dev-broker to print its bootstrap address", first_line, timeout=30,
                                         diagnostics=self.proc.log_tail)
        if not re.match(r"^127\.0\.0\.1:\d+", self.bootstrap):
            raise HarnessError(f"dev-broker's first line is not a 127.0.0.1 bootstrap address: {self.bootstrap!r}")

    def stop(self) -> None:
        self.proc.stop(timeout=15)


class Census:
    """A census process (`census run` by default) with its own group, database and API port."""

    def __init__(self, workdir: Path, brokers: str, clickhouse_url: str, database: Optional[str] = None, group: Optional[str] = None,
                 api_port: Optional[int] = None, extra_args: Iterable[str] = (), command: str = "run", flush_interval: str = "1",
                 env: Optional[dict] = None, name: str = "census", api_cache_ttl: Optional[str] = "0"):
        self.workdir = workdir
        self.brokers = brokers
        self.clickhouse_url = clickhouse_url
        self.database = database or unique_name("e2e")
        self.group = group or unique_name("g")
        self.api_port = api_port or free_port()
        self.extra_args = list(extra_args)
        # Tests read right after ingest, so the API cache is off unless a test asks for it (None: census's default).
        self.api_cache_ttl = api_cache_ttl
        self.command = command
        self.flush_interval = flush_interval
        self.env = env or {}
        self.log = workdir / f"{name}.log"
        self.proc: Optional[Proc] = None
        self.starts = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def argv(self) -> list[str]:
        kafka = ["--kafka-brokers", self.brokers, "--group", self.group, "--flush-interval", self.flush_interval]
        store = ["--clickhouse-url", self.clickhouse_url, "--database", self.database]
        api = ["--api-addr", f"127.0.0.1:{self.api_port}"]
        if self.api_cache_ttl is not None:
            api += ["--api-cache-ttl", self.api_cache_ttl]
        parts = {"run": kafka + store + api, "consume": kafka + store, "serve": store + api}[self.command]
        return [str(census_bin()), self.command, *parts, "--log-level", os.environ.get("CENSUS_E2E_LOG_LEVEL", "info"), *self.extra_args]

    def start(self, wait_healthy: bool = True) -> "Census":
        assert self.proc is None or not self.proc.alive(), "census is already running"
        self.starts += 1
        self.proc = Proc("census", self.argv(), self.log, env=self.env)
        if wait_healthy and self.command in ("run", "serve"):
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = DEFAULT_WAIT) -> None:
        def healthy():
            if not self.proc.alive():
                raise HarnessError(f"census exited with {self.proc.popen.returncode}\n{self.log_tail()}")
            return requests.get(f"{self.api}/api/v1/health", timeout=2).status_code == 200
        wait_until("census /api/v1/health", healthy, timeout=timeout, diagnostics=self.log_tail)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.alive()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> Optional[int]:
        return self.proc.stop(sig, timeout) if self.proc else None

    def log_tail(self, lines: int = 60) -> str:
        return f"--- last {lines} lines of {self.log} ---\n{tail(self.log, lines)}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def get(self, path: str, params: Optional[dict] = None, expect: Optional[int] = 200):
        r = requests.get(f"{self.api}{path}", params=params, timeout=15)
        if expect is not None and r.status_code != expect:
            raise HarnessError(f"GET {r.url} -> {r.status_code} (expected {expect}): {r.text[:500]}\n{self.log_tail(30)}")
        return r


def run_census_cli(args: list[str], timeout: float = 30, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Runs a short-lived census command and returns its CompletedProcess (text)."""
    return subprocess.run([str(census_bin()), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**clean_env(), **(env or {})}, cwd=str(ROOT))


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
