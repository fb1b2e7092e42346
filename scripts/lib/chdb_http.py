"""Minimal ClickHouse-HTTP-interface front-end over chdb (test use only).
Usage: python chdb_http.py --port 18124 --path $WORKDIR/chdata"""
import argparse, gzip, os, re, tempfile, threading, zlib
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qsl
from chdb import session as chs

LOCK = threading.Lock()
SESSION = None
CT = {"JSON": "application/json; charset=UTF-8", "JSONEachRow": "application/x-ndjson; charset=UTF-8",
      "JSONCompact": "application/json; charset=UTF-8", "CSV": "text/csv; charset=UTF-8"}
STATUS = {62: 400, 27: 400, 36: 400, 6: 400, 26: 400, 117: 400, 60: 404, 81: 404, 47: 404, 46: 404,
          516: 401, 192: 401, 193: 401, 241: 500, 159: 500}
INS_RE = re.compile(r"\s*(INSERT\s+INTO\s+.+?)\s+FORMAT\s+(\w+)\s*$", re.I | re.S)
FMT_RE = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*$", re.I)

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def _send(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        u = urlparse(self.path)
        if u.path in ("/ping", "/"): 
            if u.path == "/ping" or not u.query: return self._send(200, b"Ok.\n")
        self.handle_query(b"")
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        enc = (self.headers.get("Content-Encoding") or "").lower()
        if enc == "gzip": body = gzip.decompress(body)
        elif enc == "deflate": body = zlib.decompress(body)
        elif enc not in ("", "identity"):
            return self._send(400, b"Code: 1. DB::Exception: unsupported Content-Encoding\n", [("X-ClickHouse-Exception-Code", "1")])
        self.handle_query(body)
    def handle_query(self, body):
        params = dict(parse_qsl(urlparse(self.path).query, keep_blank_values=True))
        sql = params.pop("query", "")
        spool = None
        if sql and body:
            m_ins = INS_RE.match(sql)
            if m_ins:  # stream body via a temp file: INSERT INTO t [(cols)] FROM INFILE 'f' FORMAT X
                spool = tempfile.NamedTemporaryFile(prefix="chq", suffix=".bin", delete=False)
                spool.write(body); spool.close()
                sql = f"{m_ins.group(1)} FROM INFILE '{spool.name}' COMPRESSION 'none' FORMAT {m_ins.group(2)}"
            else:
                sql = sql + "\n" + body.decode()
        elif not sql:
            sql = body.decode()
        qparams = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
        fmt = params.get("default_format") or self.headers.get("X-ClickHouse-Format") or "TabSeparated"
        m = FMT_RE.search(sql.split("\n", 1)[0])
        if m and not sql.lstrip().upper().startswith("INSERT"): fmt = m.group(1)
        db = params.get("database") or self.headers.get("X-ClickHouse-Database")
        settings = {k: v for k, v in params.items() if k not in ("database", "default_format", "user", "password", "query_id", "session_id") and not k.startswith("param_")}
        try:
            with LOCK:
                if db: SESSION.query(f"USE {db}")
                for k, v in settings.items():
                    if re.fullmatch(r"\w+", k): SESSION.query(f"SET {k} = '{v}'")
                res = SESSION.query(sql, fmt, params=qparams) if qparams else SESSION.query(sql, fmt)
            out = res.bytes() if res is not None else b""
            self._send(200, out, [("Content-Type", CT.get(fmt, "text/tab-separated-values; charset=UTF-8")),
                                  ("X-ClickHouse-Format", fmt)])
        except Exception as e:
            msg = str(e); mc = re.search(r"Code: (\d+)", msg); code = int(mc.group(1)) if mc else 1001
            self._send(STATUS.get(code, 500), (msg + "\n").encode(),
                       [("X-ClickHouse-Exception-Code", str(code)), ("Content-Type", "text/plain; charset=UTF-8")])
        finally:
            if spool: os.unlink(spool.name)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--port", type=int, default=18124)
    ap.add_argument("--path", default=":memory:"); a = ap.parse_args()
    SESSION = chs.Session(a.path) if a.path != ":memory:" else chs.Session()
    ThreadingHTTPServer(("127.0.0.1", a.port), H).serve_forever()
