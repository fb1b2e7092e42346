#!/usr/bin/env bash
# Starts Debian's clickhouse-server 18.16 as a plain background process listening on 127.0.0.1 only.
# usage: scripts/lib/clickhouse.sh DIR [HTTP_PORT] [TCP_PORT] [EXTRA_XML]   -> prints the server PID; stop it with: kill <PID>
#   EXTRA_XML: a file whose XML elements are added to the server's config (scripts/cluster: ZooKeeper, macros, remote_servers)
set -euo pipefail
DIR=$(realpath -m "${1:?usage: clickhouse.sh DIR [HTTP_PORT] [TCP_PORT] [EXTRA_XML]}"); HTTP=${2:-8123}; TCP=${3:-9000}; EXTRA=${4:-}
[ -z "$EXTRA" ] || [ -r "$EXTRA" ] || { echo "clickhouse.sh: cannot read $EXTRA" >&2; exit 1; }
[ -x /usr/sbin/clickhouse-server ] || { echo "clickhouse-server is not installed (run scripts/lib/install-deps.sh)" >&2; exit 1; }
mkdir -p "$DIR"/{data,tmp,user_files,format_schemas,log}
cat > "$DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$DIR/log/server.log</log><errorlog>$DIR/log/server.err.log</errorlog><size>100M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$HTTP</http_port>
  <tcp_port>$TCP</tcp_port>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>$DIR/data/</path>
  <tmp_path>$DIR/tmp/</tmp_path>
  <user_files_path>$DIR/user_files/</user_files_path>
  <format_schema_path>$DIR/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
$( [ -z "$EXTRA" ] || cat "$EXTRA")
</yandex>
XML
cat > "$DIR/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>4000000000</max_memory_usage>
    <log_queries>1</log_queries>
  </default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <census><password>census-secret</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></census>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
/usr/sbin/clickhouse-server --config-file="$DIR/config.xml" >"$DIR/log/stdout.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$HTTP/ping" >/dev/null 2>&1; then echo "$PID"; exit 0; fi
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.05
done
echo "clickhouse did not start; see $DIR/log" >&2; kill "$PID" 2>/dev/null || true; exit 1
