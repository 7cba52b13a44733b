"""Broadcast latency to a screen while clients loop on ``GET /api/orders?active`` (issue 11, item 13).

    python bench/large_reads.py                       # 10 000 active orders, 2 looping readers, admin token
    python bench/large_reads.py --server-dir /tmp/old # the same against a scratch copy (e.g. the code before)
    python bench/large_reads.py --token device        # readers use display device tokens (rate-limited: 429s)
    python bench/large_reads.py --read events         # readers loop on the catch-up, GET /api/events?room=display&after=0

Builds a database with ``--orders`` active orders (in-process, cached per count
under ``--workdir``), starts ``python -m server run`` (gevent) from
``--server-dir``, connects one python-socketio screen to ``display``, then
publishes ``--events`` alerts at ``--rate`` per second, first with nobody
reading ("idle"), then while ``--readers`` threads loop on the list
("loaded").  Each alert's delay is POST sent -> the screen's handler runs
(one process, one monotonic clock).  It also prints how long the hub's lock
was held by one list request, measured in-process on the same file by
wrapping ``hub._lock`` (the Flask test client, threading mode).  With
``--read events`` the readers loop on the first catch-up page instead (each
order filed one event, so the page is full: the server's 1000 events over the
wire, ``--page`` events in the in-process lock measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from _server_cli import devices_add_argv, server_run_argv
from _stats import percentile

REPO = Path(__file__).resolve().parents[1]
ADMIN = "bench-admin-token-0123456789"
READS = {"orders": "/api/orders?active", "events": "/api/events?room=display&after=0"}


def _db(workdir: Path, count: int) -> Path:
    path = workdir / f"orders-{count}.db"
    if not path.exists():
        sys.path.insert(0, str(REPO))
        from tests.support.big_db import make_active_orders

        print(f"building {path} with {count} active orders ...", flush=True)
        make_active_orders(path.with_suffix(".tmp"), count)
        path.with_suffix(".tmp").rename(path)
    return path


def _copy(db: Path, workdir: Path, name: str) -> Path:
    target = workdir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.write_bytes(db.read_bytes())
    return target


def lock_hold(db: Path, path: str, page: int) -> None:
    """In a child process started with cwd = the server dir: the hub lock's hold time per list request."""
    sys.path.insert(0, os.getcwd())
    from server.app import create_app
    from server.config import ServerConfig
    from server.state import server_state

    config = ServerConfig(db_path=db, admin_token=ADMIN, async_mode="threading", catch_up_page=page)
    app, _ = create_app(config)
    hub = server_state(app).hub
    holds: list[float] = []
    inner = hub._lock  # what is measured

    class Timed:
        depth = 0
        since = 0.0

        def __enter__(self) -> None:
            inner.acquire()
            if Timed.depth == 0:
                Timed.since = time.perf_counter()
            Timed.depth += 1

        def __exit__(self, *exc: object) -> None:
            Timed.depth -= 1
            if Timed.depth == 0:
                holds.append((time.perf_counter() - Timed.since) * 1000)
            inner.release()

    hub._lock = Timed()
    client = app.test_client()
    rounds = []
    for _ in range(5):
        holds.clear()
        started = time.perf_counter()
        answer = client.get(path, headers={"Authorization": f"Bearer {ADMIN}"})
        assert answer.status_code == 200, answer.data[:200]
        rounds.append(((time.perf_counter() - started) * 1000, max(holds, default=0.0), len(answer.data)))
    print(
        json.dumps(
            {
                "request_ms": [r[0] for r in rounds],
                "lock_hold_ms": [r[1] for r in rounds],
                "bytes": rounds[0][2],
            }
        )
    )


def _start(db: Path, server_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KIOSK_ADMIN_TOKEN": ADMIN, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        server_run_argv(port, db), cwd=server_dir, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=0.5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start:\n{log.read_text()[-2000:]}")


def _device(db: Path, server_dir: Path, name: str) -> str:
    env = {**os.environ, "KIOSK_ADMIN_TOKEN": ADMIN}
    done = subprocess.run(
        devices_add_argv(db, name, ["display"]),
        cwd=server_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import requests
    import socketio

    sys.path.insert(0, str(REPO))
    from kiosk.protocol import Event
    from tests.support.server_process import free_port

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db = _copy(_db(workdir, args.orders), workdir, "run")
    server_dir = Path(args.server_dir).resolve()
    tokens = [ADMIN] * args.readers
    if args.token == "device":
        tokens = [_device(db, server_dir, f"bench-reader-{n}") for n in range(args.readers)]
    port = free_port()
    process = _start(db, server_dir, port, workdir / "server.log")
    url = f"http://127.0.0.1:{port}"
    arrived: dict[str, float] = {}
    got = threading.Condition()
    screen = socketio.Client(reconnection=False)

    @screen.on(Event.ALERT.value)  # type: ignore[untyped-decorator]
    def _on_alert(envelope: dict[str, Any]) -> None:
        with got:
            arrived[envelope["data"]["message"]] = time.monotonic()
            got.notify_all()

    readers: list[subprocess.Popen[str]] = []

    def publish(phase: str) -> dict[str, float]:
        delays, posts, lost = [], [], 0
        with requests.Session() as http:
            for n in range(args.events):
                message = f"{phase}-{n}"
                sent = time.monotonic()
                http.post(f"{url}/api/alerts", json={"severity": "info", "message": message},
                          headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60)  # fmt: skip
                posts.append((time.monotonic() - sent) * 1000)
                with got:
                    if screen.connected and got.wait_for(lambda m=message: m in arrived, timeout=20):
                        delays.append((arrived[message] - sent) * 1000)
                    else:
                        lost += 1  # 20 s without it, or the server dropped the screen (ping timeout)
                time.sleep(max(0.0, sent + 1 / args.rate - time.monotonic()))  # the publish rate
        return {
            "p50": percentile(delays, 50),
            "p99": percentile(delays, 99),
            "max": max(delays, default=float("nan")),
            "lost": lost,
            "screen_dropped": not screen.connected,
            "post_p50": percentile(posts, 50),
        }

    try:
        screen.connect(url, auth={"token": ADMIN}, transports=["websocket"], wait_timeout=10)
        screen.call("join", {"room": "display"}, timeout=10)
        idle = publish("idle")
        # Readers in processes of their own: in this one they would take the GIL from the screen's thread.
        for token in tokens:
            readers.append(
                subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "--reader", url],
                    env={**os.environ, "BENCH_TOKEN": token, "BENCH_PATH": READS[args.read]},
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        time.sleep(3.0)  # let both readers get going: a list takes well under a second here
        loaded = publish("loaded")
    finally:
        for reader in readers:
            assert reader.stdin is not None
            reader.stdin.close()  # the reader's signal to stop and report
        screen.disconnect()
        process.terminate()
        process.wait(30)  # SIGTERM: the server empties its WAL and stops
    reads: list[float] = []
    statuses: dict[str, int] = {}
    for reader in readers:
        assert reader.stdout is not None
        out = reader.stdout.read()
        reader.wait(120)
        report = json.loads(out.strip().splitlines()[-1])
        reads += report["ms"]
        for status, count in report["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    hold = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--lock-hold", str(_copy(db, workdir, "hold")),
         "--read", args.read, "--page", str(args.page)],
        cwd=server_dir, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {
        "server_dir": str(server_dir),
        "orders": args.orders,
        "readers": args.readers,
        "token": args.token,
        "read": READS[args.read],
        "idle": idle,
        "loaded": loaded,
        "list_ms": {"p50": percentile(reads, 50), "p99": percentile(reads, 99), "count": len(reads)},
        "list_statuses": statuses,
        "in_process": json.loads(hold.stdout.strip().splitlines()[-1]),
    }


def reader(url: str) -> None:
    """A looping client (a process of its own): GET the list until stdin closes, then print what it saw."""
    import requests

    token = os.environ["BENCH_TOKEN"]
    path = os.environ.get("BENCH_PATH", READS["orders"])
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    ms: list[float] = []
    statuses: dict[str, int] = {}
    with requests.Session() as http:
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = http.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
            except requests.RequestException:
                break  # the server stopped
            statuses[str(answer.status_code)] = statuses.get(str(answer.status_code), 0) + 1
            if answer.status_code == 200:
                ms.append((time.monotonic() - started) * 1000)
            elif answer.status_code == 429:
                stop.wait(float(answer.headers.get("Retry-After", "1")))
    print(json.dumps({"ms": ms, "statuses": statuses}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="alerts per second")
    parser.add_argument("--token", choices=("admin", "device"), default="admin")
    parser.add_argument("--read", choices=tuple(READS), default="orders", help="what the readers loop on")
    parser.add_argument(
        "--page", type=int, default=1000, help="catch-up page in the in-process lock measurement"
    )
    parser.add_argument("--server-dir", default=str(REPO), help="run the server from here (a scratch copy)")
    parser.add_argument("--workdir", default="/tmp/kiosk-bench-large-reads")
    parser.add_argument("--lock-hold", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--reader", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reader:
        reader(args.reader)
        return 0
    if args.lock_hold:
        lock_hold(Path(args.lock_hold), READS[args.read], args.page)
        return 0
    result = measure(args)
    print(json.dumps(result, indent=2))
    for phase in ("idle", "loaded"):
        figures = result[phase]
        print(
            f"{phase:7s} broadcast p50 {figures['p50']:7.1f} ms  p99 {figures['p99']:7.1f} ms  "
            f"max {figures['max']:7.1f} ms  lost {figures['lost']}"
            f"{'  (screen dropped)' if figures['screen_dropped'] else ''}  POST p50 {figures['post_p50']:.1f} ms"
        )
    hold = result["in_process"]
    print(
        f"{result['read']}: p50 {result['list_ms']['p50']:.0f} ms over the wire ({result['list_ms']['count']} lists, "
        f"answers {result['list_statuses']}); in-process: request {statistics.median(hold['request_ms']):.0f} ms, "
        f"hub lock held {statistics.median(hold['lock_hold_ms']):.1f} ms (median of 5), {hold['bytes']} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
