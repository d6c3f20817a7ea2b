"""Benchmark: concurrent report submissions against the production server.

Prepares a throwaway database (the demo collaboration at a small scale, one API token per
client), starts ``python -m trygg.cli serve --no-migrate`` (gunicorn, gthread) on a free
loopback port, then N client processes POST /api/v1/reports with 3 events each, as fast as the
server answers, for a fixed time. Reports latency percentiles, reports/s and errors, and checks
afterwards that exactly 3 events per accepted report are in the database.

The clients share the machine's cores with the server, so they are kept light: each prepares its
requests (random points, categories and times; a new client_id each) before the common start,
then sends them one after another on one keep-alive HTTP/1.1 connection and reads each whole
response (status line, headers, body). An answer counts as accepted only when it is a 201 that
names the report's client_id. Server CPU (from /proc, all gunicorn processes) and client CPU per
accepted report are part of the output.

Fails (exit status 1) when any response is a 5xx or mentions "database is locked".
Target on SQLite: p95 ≤ 100 ms, ≥ 200 reports/s, zero errors.

    /tmp/venv/bin/python bench/bench_api_load.py [--duration 60] [--clients 8] [--workers 4] [--threads 2]

The API rate limit is switched off for the benchmark server (TRYGG_API_RATE_LIMIT=0): this
measures the write path, not the limiter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_P95_MS = 100.0
TARGET_REPORTS_PER_S = 200.0
CATEGORIES = ["klotter", "glaskross", "brand-soptunna", "grovavfall", "samling-utomhus", "brak", "stold",
              "moped-gangvag", "belysning", "ungdomar-stor"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, data_dir: Path, clients: int) -> dict:
    """Migrate, build a small demo and issue one token per client (in this process)."""
    from bench_common import setup_django

    setup_django(database_url, data_dir)
    import numpy as np

    from trygg.accounts.models import ApiToken, User
    from trygg.demo import builder, geometry

    result = builder.build_demo(seed=1, years=0.25, scale=0.1)
    user = User.objects.get(username="demo-reporter")
    org = user.organisations_in(result.collaboration)[0]
    tokens = [ApiToken.issue(user, f"bench-{i}")[1] for i in range(clients)]
    lon, lat = geometry.random_points_in(geometry.boundary_shape(), 2000, np.random.default_rng(5))
    queries = count_queries(str(org.uuid), tokens[0], lon[0], lat[0])
    from django.db import connections

    count = result.collaboration.events.count()
    connections.close_all()
    return {"organisation": str(org.uuid), "tokens": tokens, "points": list(zip(lon.round(6).tolist(),
                                                                               lat.round(6).tolist())),
            "collaboration_id": result.collaboration.pk, "events_before": count, "queries_per_report": queries}


def count_queries(organisation: str, token: str, lon: float, lat: float) -> int:
    """SQL queries of one POST /api/v1/reports with 3 events, in process (after one warm-up)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def body():
        events = [{"category": "klotter", "occurred_from": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(
            time.time() - 3600)), "lat": float(lat), "lon": float(lon)}] * 3
        return json.dumps({"organisation": organisation, "client_id": str(uuid.uuid4()), "events": events})

    client = Client()
    with override_settings(API_RATE_LIMIT_PER_MINUTE=0):
        client.post("/api/v1/reports", body(), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/reports", body(), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, response.content[:300]
    return len(ctx.captured_queries)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of all live processes in a process group (Linux /proc)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def request_bytes(port: int, token: str, organisation: str, points: list, rng: random.Random) -> tuple[bytes, bytes]:
    """One complete HTTP/1.1 request (keep-alive) POSTing a new report of 3 events, and its client_id."""
    now = time.time()
    events = []
    for _ in range(3):
        lon, lat = rng.choice(points)
        when = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - rng.randint(60, 7 * 86400)))
        events.append({"category": rng.choice(CATEGORIES), "occurred_from": when, "lat": lat, "lon": lon})
    client_id = str(uuid.UUID(int=rng.getrandbits(128)))
    body = json.dumps({"organisation": organisation, "client_id": client_id, "events": events}).encode()
    head = (f"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    return head + body, client_id.encode()


class Connection:
    """A keep-alive HTTP/1.1 connection that sends prepared requests and reads whole responses
    (status line, headers, a Content-Length or chunked body): the client's own CPU per request
    stays far below the server's, so the shared cores go to the server."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def _more(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._more()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._more()
        out, self.buffer = self.buffer[:end], self.buffer[end + 2:]
        return out

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        """Send one request, return (status, body)."""
        self.sock.sendall(request)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._more()
        head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if "content-length" in headers:
            body = self._take(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(self._line().split(b";")[0], 16):
                parts.append(self._take(size))
                self._take(2)
            while self._line():  # trailers up to the empty line
                pass
            body = b"".join(parts)
        else:
            raise http.client.HTTPException(f"no body length in the response ({status})")
        if headers.get("connection", "").lower() == "close":
            raise ConnectionError("the server closes the connection")
        return status, body

    def close(self) -> None:
        self.sock.close()


def client(port: int, token: str, organisation: str, points: list, duration: float, seed: int, queue,
           start) -> None:
    """One client: POST reports back to back on a keep-alive connection until time is up.

    The requests are prepared before the start signal (at most 100 reports/s for the whole run,
    more are made on the way if needed), so that the measured time is spent sending and reading.
    Each answer must be a 201 that names the report's client_id.
    """
    rng = random.Random(seed)
    prepared = [request_bytes(port, token, organisation, points, rng) for _ in range(int(100 * duration))]
    queue.put("ready")
    start.wait()
    cpu_start = time.process_time()
    latencies, statuses, problems = [], {}, []
    conn = Connection(port)
    deadline = time.monotonic() + duration
    i = 0
    while time.monotonic() < deadline:
        if i == len(prepared):
            prepared.append(request_bytes(port, token, organisation, points, rng))
        request, client_id = prepared[i]
        i += 1
        t0 = time.perf_counter()
        try:
            status, payload = conn.exchange(request)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            status, payload = 0, repr(exc).encode()
            conn.close()
            conn = Connection(port)
        latencies.append(time.perf_counter() - t0)
        ok = status == 201 and client_id in payload and b"database is locked" not in payload
        if not ok and status == 201:
            status = 1  # a 201 that does not answer this report
        statuses[status] = statuses.get(status, 0) + 1
        if not ok and len(problems) < 5:
            problems.append({"status": status, "body": payload[:300].decode("utf-8", "replace")})
    conn.close()
    queue.put({"latencies": latencies, "statuses": statuses, "problems": problems,
               "cpu": time.process_time() - cpu_start})


def wait_for_server(port: int, proc, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer in time")


def percentile(values, q):
    import numpy as np

    return float(np.percentile(values, q)) if len(values) else float("nan")


def run(args) -> dict:
    from bench_common import ThrowawayDatabase, machine

    db = ThrowawayDatabase(args.database_url, "bench_api_load")
    with db as url:
        data_dir = db.tmp / "data"
        fixture = prepare(url, data_dir, args.clients)
        port = free_port()
        env = os.environ | {
            "DATABASE_URL": url, "TRYGG_DATA_DIR": str(data_dir), "TRYGG_API_RATE_LIMIT": "0",
            "DJANGO_SETTINGS_MODULE": "trygg.settings", "PYTHONPATH": str(ROOT),
        }
        log = open(db.tmp / "server.log", "w")
        server = subprocess.Popen(
            [sys.executable, "-m", "trygg.cli", "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers), "--threads", str(args.threads)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_for_server(port, server)
            ctx = mp.get_context("spawn")
            queue = ctx.Queue()
            # A short warm-up (not counted), then the measured run.
            for phase, duration in (("warm-up", min(3.0, args.duration)), ("run", args.duration)):
                start = ctx.Event()
                procs = [ctx.Process(target=client, args=(port, fixture["tokens"][i], fixture["organisation"],
                                                          fixture["points"], duration, 1000 * i + len(phase), queue,
                                                          start))
                         for i in range(args.clients)]
                for p in procs:
                    p.start()
                for _ in procs:
                    assert queue.get(timeout=300) == "ready"
                started = time.perf_counter()
                cpu_before = group_cpu_seconds(server.pid)
                start.set()
                results = [queue.get(timeout=duration + 120) for _ in procs]
                for p in procs:
                    p.join()
                elapsed = time.perf_counter() - started
                server_cpu = group_cpu_seconds(server.pid) - cpu_before
                if phase == "warm-up":
                    warm = results
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            log.close()
        server_log = (db.tmp / "server.log").read_text(errors="replace")
        latencies = [x for r in results for x in r["latencies"]]
        statuses: dict[str, int] = {}
        for r in results + warm:
            for k, v in r["statuses"].items():
                statuses[str(k)] = statuses.get(str(k), 0) + v
        run_statuses: dict[int, int] = {}
        for r in results:
            for k, v in r["statuses"].items():
                run_statuses[int(k)] = run_statuses.get(int(k), 0) + v
        problems = [p for r in results + warm for p in r["problems"]]
        ok = run_statuses.get(201, 0)
        accepted_total = statuses.get("201", 0)
        # Every accepted report's three events are in the database, nothing more.
        from django.db import connections

        from trygg.events.models import Event

        connections.close_all()
        stored = Event.objects.filter(collaboration_id=fixture["collaboration_id"]).count() - fixture["events_before"]
        connections.close_all()
    server_errors = sum(v for k, v in statuses.items() if k.startswith("5") or k == "0")
    locked = sum("database is locked" in p["body"] for p in problems) + server_log.count("database is locked")
    p95 = percentile(latencies, 95) * 1000
    rps = ok / args.duration
    out = {
        "benchmark": "bench_api_load",
        "database": "postgresql" if args.database_url else "sqlite",
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "clients": args.clients,
        "events_per_report": 3,
        "duration_s": args.duration,
        "wall_s": round(elapsed, 2),
        "requests": len(latencies),
        "reports_created": ok,
        "reports_per_s": round(rps, 1),
        "events_per_s": round(3 * rps, 1),
        "latency_ms": {"p50": round(percentile(latencies, 50) * 1000, 1), "p95": round(p95, 1),
                       "p99": round(percentile(latencies, 99) * 1000, 1),
                       "max": round(max(latencies) * 1000, 1) if latencies else None},
        "queries_per_report": fixture["queries_per_report"],
        # CPU the server processes used per accepted report during the run: with 2 cores the
        # server cannot exceed about 2 / this, whatever the load from other processes.
        "server_cpu_ms_per_report": round(1000 * server_cpu / max(ok, 1), 1),
        "client_cpu_ms_per_report": round(1000 * sum(r["cpu"] for r in results) / max(ok, 1), 1),
        "server_capacity_estimate_reports_per_s": round((os.cpu_count() or 1) * max(ok, 1) / max(server_cpu, 1e-9)),
        "statuses": statuses,
        "errors": sum(v for k, v in statuses.items() if k != "201"),
        "server_errors_5xx": server_errors,
        "database_is_locked": locked,
        "events_stored": stored,
        "events_expected": 3 * accepted_total,
        "problems": problems[:5],
        "targets": {"p95_ms": TARGET_P95_MS, "reports_per_s": TARGET_REPORTS_PER_S},
        "meets_target": p95 <= TARGET_P95_MS and rps >= TARGET_REPORTS_PER_S and not server_errors and not locked
        and sum(v for k, v in statuses.items() if k != "201") == 0,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "command": "python bench/bench_api_load.py " + " ".join(args.argv),
    }
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    # 4 × 2 rather than `trygg serve`'s default 2 × 4: with fewer threads per process, the
    # thread holding SQLite's write lock waits less for its process's GIL (docs/benchmarks.md).
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    out = run(args)
    print(json.dumps(out, ensure_ascii=False))
    if out["server_errors_5xx"] or out["database_is_locked"] or out["events_stored"] != out["events_expected"]:
        print("FAIL: server errors, 'database is locked' or lost/duplicated events", file=sys.stderr)
        sys.exit(1)
    return out


if __name__ == "__main__":
    main()
