"""compose/: no Docker engine runs here, so the wiring is checked statically against census itself.

Parses compose/docker-compose.yml, compose/otel-collector.yaml and the cluster variant (docker-compose.cluster.yml,
compose/cluster/*.xml) and checks that ports, host names, topic names,
encoding and CENSUS_* variables agree with each other and with the defaults the real census binary reports
(`census config`), and that census accepts the compose environment as it is. Cost: under 1 s.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from harness import ROOT, run_census_cli

COMPOSE = ROOT / "compose" / "docker-compose.yml"
COLLECTOR = ROOT / "compose" / "otel-collector.yaml"
SIGNAL_OF_PIPELINE = {"metrics": "metric", "traces": "span", "logs": "log"}


def substitute(value: str) -> str:
    """Compose's ${VAR:-default} interpolation, with every variable unset."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", value)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: substitute(str(v)) for k, v in env.items()}


def census_config(env: dict | None = None, args: list[str] | None = None) -> dict[str, str]:
    p = run_census_cli(["config", *(args or [])], env=env)
    assert p.returncode == 0, p.stderr
    return dict(line.split("=", 1) for line in p.stdout.splitlines() if line and not line.startswith("#"))


def topic_signal(topic: str) -> str | None:
    """census's default topic → signal rule (TopicSignalMap)."""
    t = topic.lower()
    return "metric" if "metric" in t else "span" if ("span" in t or "trace" in t) else "log" if "log" in t else None


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def collector() -> dict:
    return yaml.safe_load(COLLECTOR.read_text())


@pytest.fixture(scope="module")
def defaults() -> dict[str, str]:
    return census_config()


def test_services_healthchecks_and_volumes(compose):
    services = compose["services"]
    for name in ("kafka", "kafka-init", "clickhouse", "census", "otel-collector"):
        assert name in services, f"missing service {name}"
    assert any(s.get("image", "").split(":")[0].endswith("telemetrygen") for s in services.values()), "no telemetry generator"
    for name in ("kafka", "clickhouse", "census"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    declared = set(compose.get("volumes", {}))
    used = {v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith((".", "/"))}
    assert used == declared and {"kafka-data", "clickhouse-data"} <= declared, (used, declared)
    kafka_env = env_of(services["kafka"])
    assert "broker" in kafka_env["KAFKA_PROCESS_ROLES"] and "controller" in kafka_env["KAFKA_PROCESS_ROLES"], "not KRaft"
    assert "ZOOKEEPER" not in " ".join(kafka_env), "KRaft needs no ZooKeeper"
    deps = services["census"]["depends_on"]
    assert deps["clickhouse"]["condition"] == "service_healthy" and deps["kafka-init"]["condition"] == "service_completed_successfully"
    for secret in compose.get("secrets", {}).values():
        assert (COMPOSE.parent / secret["file"]).is_file(), secret


def test_census_environment_matches_census(compose, defaults, tmp_path):
    services = compose["services"]
    env = env_of(services["census"])
    unknown = [k for k in env if k not in defaults]
    assert not unknown, f"compose sets variables census does not know: {unknown}"
    # census accepts the environment as is (files named by *_FILE replaced by readable ones).
    runnable = {k: (str(tmp_path / k) if k.endswith("_FILE") else v) for k, v in env.items()}
    for k, v in runnable.items():
        if k.endswith("_FILE"):
            Path(v).write_text("secret\n")
    effective = census_config(runnable)
    for key in ("CENSUS_GROUP", "CENSUS_TOPICS", "CENSUS_DATABASE"):
        assert effective[key] == defaults[key], f"{key}: compose {effective[key]!r}, census default {defaults[key]!r}"
    assert effective["CENSUS_ENCODING"] in ("proto", "auto")

    # Kafka: census's bootstrap address is the broker's advertised listener.
    kafka_env = env_of(services["kafka"])
    assert f"PLAINTEXT://{env['CENSUS_KAFKA_BROKERS']}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    created = re.findall(r"for topic in ([^;]+);", "\n".join(services["kafka-init"]["command"]))
    assert created and created[0].split() == env["CENSUS_TOPICS"].split(","), created

    # ClickHouse: host is the service, port its HTTP port, credentials those the server is given.
    url = urlparse(env["CENSUS_CLICKHOUSE_URL"])
    ch = services["clickhouse"]
    assert url.hostname in ("clickhouse", ch.get("hostname")) and url.port == 8123
    assert "8123" in " ".join(ch["healthcheck"]["test"]) and any(p.endswith(":8123") for p in ch.get("ports", []))
    ch_env = env_of(ch)
    assert env["CENSUS_CLICKHOUSE_USER"] == ch_env["CLICKHOUSE_USER"]
    assert env["CENSUS_CLICKHOUSE_PASSWORD"] == ch_env["CLICKHOUSE_PASSWORD"]

    # API: the listen port is published, probed by the healthcheck, and exposed by the Dockerfile.
    api_port = env["CENSUS_API_ADDR"].rsplit(":", 1)[1]
    assert api_port == defaults["CENSUS_API_ADDR"].rsplit(":", 1)[1]
    assert any(str(p).endswith(f":{api_port}") for p in services["census"]["ports"])
    assert f"127.0.0.1:{api_port}/readyz" in " ".join(services["census"]["healthcheck"]["test"])
    dockerfile = (COMPOSE.parent / services["census"]["build"]["context"] / services["census"]["build"]["dockerfile"]).resolve()
    assert dockerfile == ROOT / "Dockerfile" and (dockerfile.parent / "Package.swift").is_file()
    text = dockerfile.read_text()
    assert f"EXPOSE {api_port}" in text and f"CENSUS_API_ADDR=0.0.0.0:{api_port}" in text and "/readyz" in text


def test_collector_feeds_the_topics_census_reads(compose, collector, defaults):
    census_env = env_of(compose["services"]["census"])
    topics = census_env.get("CENSUS_TOPICS", defaults["CENSUS_TOPICS"]).split(",")
    brokers = census_env["CENSUS_KAFKA_BROKERS"]
    pipelines = collector["service"]["pipelines"]
    assert set(pipelines) == set(SIGNAL_OF_PIPELINE), pipelines
    fed = set()
    for pipeline, spec in pipelines.items():
        kafka = [e for e in spec["exporters"] if e.split("/")[0] == "kafka"]
        assert len(kafka) == 1, (pipeline, spec)
        exporter = collector["exporters"][kafka[0]]
        assert exporter["encoding"] == "otlp_proto", exporter
        assert exporter["brokers"] == [brokers], exporter
        assert exporter["topic"] in topics, (exporter["topic"], topics)
        assert topic_signal(exporter["topic"]) == SIGNAL_OF_PIPELINE[pipeline], (pipeline, exporter["topic"])
        fed.add(exporter["topic"])
    assert fed == set(topics), f"topics census reads but nothing feeds: {set(topics) - fed}"

    # The telemetry generators send to the collector's OTLP gRPC receiver.
    grpc_port = collector["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].rsplit(":", 1)[1]
    generators = [s for s in compose["services"].values() if "telemetrygen" in s.get("image", "")]
    assert {s["command"][0] for s in generators} == {"metrics", "traces", "logs"}
    for s in generators:
        endpoint = s["command"][s["command"].index("--otlp-endpoint") + 1]
        assert endpoint == f"otel-collector:{grpc_port}", endpoint
    assert any(p.endswith(f":{grpc_port}") for p in compose["services"]["otel-collector"]["ports"])


CLUSTER_COMPOSE = ROOT / "compose" / "docker-compose.cluster.yml"


def test_cluster_variant_agrees_with_itself_and_with_census(compose, tmp_path):
    """The cluster override (Keeper + two replicas): census's URLs name every replica service, its cluster is the one
    both replicas define, each replica's macros are its own, and Keeper is reached where it listens."""
    import xml.etree.ElementTree as ET

    cluster = yaml.safe_load(CLUSTER_COMPOSE.read_text())
    services = {**compose["services"], **cluster["services"]}
    env = {**env_of(compose["services"]["census"]), **env_of(cluster["services"]["census"])}
    runnable = {k: (str(tmp_path / k) if k.endswith("_FILE") else v) for k, v in env.items()}
    for k, v in runnable.items():
        if k.endswith("_FILE"):
            Path(v).write_text("secret\n")
    effective = census_config(runnable)
    assert effective["CENSUS_CLICKHOUSE_CLUSTER"] == env["CENSUS_CLICKHOUSE_CLUSTER"]
    url_hosts = [urlparse(u.strip()).hostname for u in env["CENSUS_CLICKHOUSE_URL"].split(",")]

    keeper = ET.parse(CLUSTER_COMPOSE.parent / "cluster" / "keeper.xml").getroot()
    keeper_port = keeper.findtext("keeper_server/tcp_port")
    assert "keeper" in services and keeper_port
    replica_services = [name for name, s in cluster["services"].items()
                        if any("cluster/clickhouse-" in v for v in s.get("volumes", []))]
    assert sorted(replica_services) == sorted(url_hosts), (replica_services, url_hosts)
    seen_macros = set()
    for name in replica_services:
        mount = next(v for v in cluster["services"][name]["volumes"] if "cluster/clickhouse-" in v)
        config = ET.parse(CLUSTER_COMPOSE.parent / mount.split(":")[0]).getroot()
        assert config.findtext("zookeeper/node/host") == "keeper" and config.findtext("zookeeper/node/port") == keeper_port
        assert config.findtext("interserver_http_host") == name
        defined = config.find(f"remote_servers/{env['CENSUS_CLICKHOUSE_CLUSTER']}")
        assert defined is not None, f"{name} does not define the cluster census uses"
        hosts = sorted(r.findtext("host") for r in defined.iter("replica"))
        assert hosts == sorted(url_hosts), (name, hosts)
        seen_macros.add((config.findtext("macros/shard"), config.findtext("macros/replica")))
    assert len(seen_macros) == len(replica_services) and len({shard for shard, _ in seen_macros}) == 1, seen_macros
