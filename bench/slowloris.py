"""Slowloris figure: N half-sent requests from one address, then a normal GET from the same host.

Starts the real server (fresh SQLite file, loopback), opens ``--connections``
TCP connections that each send an unfinished request line and headers and
then nothing more, and measures:

- how long ``GET /api/health`` takes from the same host while they are open
  (or that it failed, and why);
- how many of the half-sent connections the server has closed after
  ``--watch`` seconds, and when the first and last of them were closed.

    python bench/slowloris.py                            # 1000 connections, watch 30 s
    python bench/slowloris.py --connections 1000 --watch 240 --server-args "--header-timeout 10"

Run by hand; the figures are in docs/server.md.  On a shared 2-core
machine the GET time is noisy in milliseconds; the question it answers is
"does it answer at all, and within about a second", not a latency figure.
"""

from __future__ import annotations

import argparse
import resource
import selectors
import shlex
import socket
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server_process import ServerProcess

HALF_REQUEST = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def open_half_sent(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each sent part of a request's headers and will send no more."""
    opened: list[socket.socket] = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", port))
            sock.sendall(HALF_REQUEST)
        except OSError:
            sock.close()
            continue
        sock.setblocking(False)
        opened.append(sock)
    return opened


def timed_get(url: str, timeout: float) -> tuple[float, str]:
    started = time.monotonic()
    try:
        response = requests.get(f"{url}/api/health", timeout=timeout)
        outcome = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        outcome = f"failed: {type(exc).__name__}"
    return time.monotonic() - started, outcome


def watch_closes(sockets: list[socket.socket], seconds: float) -> list[float]:
    """Seconds (from now) at which the server closed each connection, for those it closed."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        selector.register(sock, selectors.EVENT_READ)
    started = time.monotonic()
    closed: list[float] = []
    while selector.get_map() and (left := started + seconds - time.monotonic()) > 0:
        for key, _ in selector.select(timeout=min(left, 1.0)):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:  # EOF or reset: the server closed it (an answer before EOF is read past)
                selector.unregister(sock)
                closed.append(time.monotonic() - started)
    selector.close()
    return closed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument(
        "--watch", type=float, default=30.0, help="seconds to watch for the server closing them"
    )
    parser.add_argument("--get-timeout", type=float, default=10.0)
    parser.add_argument("--server-args", default="", help="extra `kiosk-server run` arguments")
    parser.add_argument(
        "--server-nofile",
        type=int,
        default=None,
        help="set the server's open-file limit (1024 is the usual default outside systemd)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "kiosk.db", extra_args=shlex.split(args.server_args))
        server.start()
        try:
            if args.server_nofile is not None and server.pid is not None:
                resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (args.server_nofile, args.server_nofile))
                print(f"server's open-file limit set to {args.server_nofile}")
            baseline, outcome = timed_get(server.url, args.get_timeout)
            print(f"GET /api/health with nothing open: {baseline * 1000:.1f} ms ({outcome})")
            started = time.monotonic()
            sockets = open_half_sent(server.port, args.connections)
            print(f"opened {len(sockets)} half-sent requests in {time.monotonic() - started:.1f} s")
            for attempt in range(3):
                took, outcome = timed_get(server.url, args.get_timeout)
                print(f"GET /api/health with them open (#{attempt + 1}): {took * 1000:.1f} ms ({outcome})")
            closed = watch_closes(sockets, args.watch)
            still_open = len(sockets) - len(closed)
            if closed:
                print(
                    f"server closed {len(closed)} of {len(sockets)} within {args.watch:.0f} s "
                    f"(first after {min(closed):.1f} s, last after {max(closed):.1f} s); {still_open} still open"
                )
            else:
                print(f"server closed none of {len(sockets)} within {args.watch:.0f} s")
            took, outcome = timed_get(server.url, args.get_timeout)
            print(f"GET /api/health afterwards: {took * 1000:.1f} ms ({outcome})")
            for sock in sockets:
                sock.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
