"""Log flood: how much server log unauthenticated garbage engine.io frames buy.

Before df5bf3b a websocket with no token that sent an undecodable engine.io
frame made the server write two tracebacks per frame, so anyone on the LAN
could fill the log (and the disk) with a few KB/s of traffic.  This starts the
real server (``tests.support.server_process.ServerProcess``, fresh SQLite file,
loopback, its stdout and stderr in one log file), opens ``--connections``
websockets without a token (websocket-client, as
``tests/server/test_garbage_frames.py`` does) and sends that test's
``GARBAGE`` frames as fast as it can for ``--seconds``; a connection the server
closes or answers is opened again; thread n sends ``GARBAGE[n % 6]``.  Then it waits for the log to stop growing and prints
the frames and bytes sent, the log bytes, lines and tracebacks written during
the flood, and the ratio log bytes / traffic bytes.

    python bench/log_flood.py                              # the current tree, 1.5 s
    mkdir /tmp/flood-old && git archive df5bf3b^ | tar -x -C /tmp/flood-old
    python bench/log_flood.py --server-dir /tmp/flood-old  # the server before the fix

"Bytes sent" are the websocket frames on the wire (headers and mask
included), not the HTTP upgrade requests: the figure is what the frames
cost, and the upgrade request is the same few hundred bytes either way.
"""

from __future__ import annotations

import argparse
import os
import select
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server.test_garbage_frames import GARBAGE
from tests.support.server_process import ServerProcess

TRACEBACK = b"Traceback (most recent call last)"


@dataclass
class Sent:
    """One flooding thread's count; summed after the threads are joined."""

    frames: int = 0
    bytes: int = 0
    connections: int = 0
    refused: int = 0


def flood(url: str, until: float, frame: str, sent: Sent) -> None:
    """Send ``frame`` again and again until ``until``; reconnect whenever the server answers.

    No token and no Socket.IO connect packet: only engine.io's handshake (the
    open packet) is awaited, so every frame reaches the packet decoder.  The
    server has nothing to say to such a client but its goodbye (a close, an
    error page, EOF), so the socket turning readable means this connection is
    done; without that check the frames would pile up unread in the kernel's
    buffers of a connection the server has given up on, and count as sent.
    """
    while time.monotonic() < until:
        try:
            ws = websocket.create_connection(url, timeout=5)
            ws.recv()  # the open packet
        except (OSError, websocket.WebSocketException):
            sent.refused += 1
            continue
        sent.connections += 1
        try:
            while time.monotonic() < until:
                sent.bytes += ws.send(frame)
                sent.frames += 1
                if ws.sock is None or select.select([ws.sock], [], [], 0)[0]:
                    break  # the server answered or hung up: open another
        except (OSError, websocket.WebSocketException):
            pass  # the server closed this one: open another
        finally:
            ws.close()


def settle(path: Path, quiet: float = 0.5, limit: float = 120.0) -> tuple[float, bool]:
    """Wait until the log has not grown for ``quiet`` s, at most ``limit`` s.

    The server writes behind the traffic (the old one for a minute after a
    1.5 s flood: it reads frames faster than it logs them); the figure must
    include what it writes for the frames after the last one was sent.
    Returns when the log last grew and whether it did stop.
    """
    deadline = time.monotonic() + limit
    size = path.stat().st_size
    still_since = time.monotonic()
    while time.monotonic() - still_since < quiet:
        if time.monotonic() > deadline:
            return still_since, False
        time.sleep(0.05)  # polling a file with a deadline, in a benchmark
        now = path.stat().st_size
        if now != size:
            size, still_since = now, time.monotonic()
    return still_since, True


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.5, help="how long to flood")
    parser.add_argument(
        "--connections",
        type=int,
        default=len(GARBAGE),
        help="flooding threads; thread n sends GARBAGE[n % 6]",
    )
    parser.add_argument("--server-dir", type=Path, default=None, help="run the server package of this tree")
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the server's log here")
    parser.add_argument(
        "--drain", type=float, default=120.0, help="wait at most this long for the log to stop growing"
    )
    args = parser.parse_args()
    if args.server_dir is not None:
        os.chdir(args.server_dir)  # `python -m server` takes the package from the working directory
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "server.log"
        server = ServerProcess(Path(folder) / "kiosk.db", log_path=log_path)
        server.start()
        try:
            settle(log_path)
            before = log_path.stat().st_size
            url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
            until = time.monotonic() + args.seconds
            counts = [Sent() for _ in range(args.connections)]
            threads = [
                threading.Thread(
                    target=flood, args=(url, until, GARBAGE[n % len(GARBAGE)], counts[n]), daemon=True
                )
                for n in range(args.connections)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            during = log_path.stat().st_size - before  # what a 1.5 s window shows; the rest comes after
            # 2 s of quiet: the old server pauses for a second at times while it still has frames to log.
            last_growth, stopped = settle(log_path, quiet=2.0, limit=args.drain)
            health = _health(server)
            end = log_path.stat().st_size  # before the stop: its own lines are not the flood's
        finally:
            server.stop()
        with log_path.open("rb") as log:
            log.seek(before)
            written = log.read(end - before)
        if args.keep_log is not None:
            args.keep_log.write_bytes(written)
    for n, count in enumerate(counts):
        print(
            f"  {GARBAGE[n % len(GARBAGE)][:12]!r:16} {count.frames:7} frames {count.bytes:9} B "
            f"over {count.connections} connections"
        )
    frames = sum(c.frames for c in counts)
    traffic = sum(c.bytes for c in counts)
    connections = sum(c.connections for c in counts)
    log_bytes = len(written)
    lines = written.count(b"\n")
    drained = max(last_growth - until, 0)
    done = f"done {drained:.1f} s after" if stopped else f"still growing {drained:.0f} s after"
    print(
        f"{args.seconds:g} s, {args.connections} threads: {frames} frames ({traffic} B) "
        f"over {connections} connections ({sum(c.refused for c in counts)} refused) -> "
        f"log {log_bytes} B ({during} B by the end of the flood, {done} it), "
        f"{lines} lines, {written.count(TRACEBACK)} tracebacks; "
        f"log/traffic {log_bytes / max(traffic, 1):.3g}; /api/health after: {health}"
    )
    return 0 if health == "200" else 1


def _health(server: ServerProcess) -> str:
    """The status of one health check, or why there was none (a server still busy logging)."""
    try:
        return str(server.request("GET", "/api/health").status_code)
    except requests.RequestException as error:
        return f"no answer ({type(error).__name__})"


if __name__ == "__main__":
    sys.exit(main())
