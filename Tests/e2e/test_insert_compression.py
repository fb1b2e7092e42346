"""`--clickhouse-compression`: INSERT bodies as census sends them, seen by a recording HTTP proxy in front of ClickHouse
18.16. By default (`none`) no INSERT carries a `Content-Encoding`, large bodies included; with `gzip` the large,
compressible bodies are gzip that inflates to the RowBinary ClickHouse stored. Both stores give the same answers.

Cost: about 15 s (two census processes over one topic).
"""

from __future__ import annotations

import gzip
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.common.v1 import common_pb2

from harness import ClickHouse, wait_until
from kafka_util import produce

GZIP_THRESHOLD = 64 * 1024  # InsertCompression.gzip's threshold (Sources/Store/ClickHouse/BodyCompression.swift)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class RecordingProxy:
    """Forwards every request to ClickHouse and records, per INSERT, its `Content-Encoding` and body."""

    def __init__(self, target: str):
        parsed = urlparse(target)
        self.target = (parsed.hostname, parsed.port)
        self.inserts: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = parse_qs(urlparse(self.path).query).get("query", [""])[0]
                if query.lstrip().upper().startswith("INSERT") and "metadata_ingest" in query:
                    with proxy.lock:
                        proxy.inserts.append((self.headers.get("Content-Encoding") or "", body))
                upstream = http.client.HTTPConnection(*proxy.target, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body if self.command == "POST" else None, headers=headers)
                response = upstream.getresponse()
                answer = response.read()
                self.send_response(response.status)
                for k, v in response.getheaders():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                upstream.close()

            do_GET = forward
            do_POST = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def text_heavy_record() -> bytes:
    """One request of 1,500 gauges with four attributes each: about 7,500 rows of repetitive text, a body gzip shrinks."""
    request = metrics_service_pb2.ExportMetricsServiceRequest()
    rm = request.resource_metrics.add()
    rm.resource.attributes.add(key="service.name", value=common_pb2.AnyValue(string_value="compression-check"))
    sm = rm.scope_metrics.add()
    for i in range(1500):
        metric = sm.metrics.add(name=f"compression.check.metric.{i:04d}", unit="1")
        point = metric.gauge.data_points.add(time_unix_nano=1_700_000_000_000_000_000, as_double=float(i))
        for key, value in (("region", "eu-west-1"), ("host", f"host-{i % 40:02d}"), ("endpoint", f"/api/v1/items/{i % 25}"),
                           ("status", "200")):
            point.attributes.add(key=key, value=common_pb2.AnyValue(string_value=value))
    return request.SerializeToString()


def test_insert_bodies_are_sent_as_they_are_unless_gzip_is_asked_for(broker, clickhouse, census_factory):
    proxy = RecordingProxy(clickhouse.url)
    try:
        front = ClickHouse(url=proxy.url)
        produce(broker.bootstrap, [("otlp_metrics", text_heavy_record())] * 3)
        seen = {}
        answers = {}
        for mode in ("default", "gzip"):
            extra = ["--clickhouse-compression", "gzip"] if mode == "gzip" else []
            before = len(proxy.inserts)
            census = census_factory(broker, front, name=f"census-{mode}", extra_args=extra)
            census.clickhouse = clickhouse  # its database is dropped at the end, after the proxy is gone
            census_factory.offsets(broker, census).wait_caught_up(diagnostics=census.log_tail)
            wait_until("the metrics to be readable", lambda: census.get("/api/v1/metrics", params={"limit": 1}).json()["total"] == 1500,
                       diagnostics=census.log_tail)
            seen[mode] = proxy.inserts[before:]
            answers[mode] = [census.get("/api/v1/metrics", params={"limit": 1000, "offset": offset}).json() for offset in (0, 1000)]
            census.stop()

        plain = seen["default"]
        assert plain and all(encoding == "" for encoding, _ in plain), [e for e, _ in plain]
        assert max(len(body) for _, body in plain) >= GZIP_THRESHOLD, [len(b) for _, b in plain]

        zipped = [(encoding, body) for encoding, body in seen["gzip"] if encoding]
        assert zipped and all(encoding == "gzip" for encoding, _ in zipped), [e for e, _ in seen["gzip"]]
        for _, body in zipped:
            inflated = gzip.decompress(body)  # the data and the fenced rows are two members
            assert len(inflated) >= GZIP_THRESHOLD and len(body) <= 0.8 * len(inflated), (len(body), len(inflated))
        assert answers["default"] == answers["gzip"]
    finally:
        proxy.close()
