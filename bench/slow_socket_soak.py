"""Soak: one websocket that answers pings but never reads, while orders arrive at a steady rate.

Starts the real server (fresh SQLite file, loopback), connects a raw
Socket.IO screen with a 4 KB receive window that joins ``display``, then only
sends engine.io pongs, and a normal screen that reads everything.  Orders of
about ``--items`` × 2.2 KB are posted at ``--rate`` per second for
``--duration`` seconds; the server's RSS is sampled every ``--sample``
seconds.  It prints the samples, the RSS slope in MB/min over the second half
of the run (after start-up and the kernel buffers filling), whether the
never-reading socket was dropped, and whether the reading screen got every event.

    python bench/slow_socket_soak.py                       # 40 orders/s for 50 s (CI-sized)
    python bench/slow_socket_soak.py --server-dir /tmp/old # the server code of another tree

Run by hand; figures in docs/server.md.  On a shared 2-core machine the
posting rate may fall short of ``--rate`` (the achieved rate is printed); the
slope is what matters, and a few MB of allocator noise either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.raw_socketio import ENGINE_PONG, RawScreen
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient

MB = 1024 * 1024


def items(count: int) -> list[dict[str, Any]]:
    item = {
        "name": "Nasi Goreng Spesial",
        "qty": 1,
        "price": 25000,
        "notes": "n" * 500,
        "modifiers": ["m" * 80] * 20,
    }
    return [item] * count


def slope_mb_per_min(samples: list[tuple[float, int]]) -> float:
    if len(samples) < 2:
        return float("nan")
    times = [t for t, _ in samples]
    sizes = [rss / MB for _, rss in samples]
    return statistics.linear_regression(times, sizes).slope * 60


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=40.0, help="orders per second")
    parser.add_argument("--duration", type=float, default=50.0)
    parser.add_argument("--items", type=int, default=5, help="items per order (about 2.2 KB each)")
    parser.add_argument("--sample", type=float, default=2.5, help="seconds between RSS samples")
    parser.add_argument("--server-dir", type=Path, default=None, help="run the server package of this tree")
    args = parser.parse_args()
    if args.server_dir is not None:
        os.chdir(args.server_dir)  # `python -m server` takes the package from the working directory
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "kiosk.db")
        server.start()
        reader: RecordingClient | None = None
        try:
            token = server.add_device("soak", ["display"])
            stuck = RawScreen(server.port, token)
            assert stuck.call("join", {"room": "display"})["ok"] is True
            stop = threading.Event()

            def pong() -> None:
                while not stop.wait(0.5):
                    try:
                        stuck._send(ENGINE_PONG)
                    except OSError:
                        return

            threading.Thread(target=pong, daemon=True).start()
            reader = RecordingClient(server.url, token)
            reader.connect()
            assert reader.join("display")["ok"]
            process = psutil.Process(server.pid)
            body_items = items(args.items)
            samples: list[tuple[float, int]] = []
            started = time.monotonic()
            next_sample = started
            posted = 0
            while (now := time.monotonic()) - started < args.duration:
                if now >= next_sample:
                    samples.append((now - started, process.memory_info().rss))
                    next_sample += args.sample
                due = started + posted / args.rate
                if now < due:
                    time.sleep(min(due - now, 0.01))  # pacing the publisher, not synchronisation
                    continue
                server.create_order(items=body_items)
                posted += 1
            elapsed = time.monotonic() - started
            samples.append((elapsed, process.memory_info().rss))
            stop.set()
            stats = server.request("GET", "/api/stats").json()
            got = len(reader.wait_seq(server.seq(), timeout=30))
            print(f"posted {posted} orders in {elapsed:.0f} s ({posted / elapsed:.1f}/s)")
            for at, rss in samples:
                print(f"  t={at:5.1f} s  rss={rss / MB:7.1f} MB")
            second_half = [(t, rss) for t, rss in samples if t >= elapsed / 2]
            print(
                f"RSS {samples[0][1] / MB:.1f} -> {samples[-1][1] / MB:.1f} MB; "
                f"slope over the second half {slope_mb_per_min(second_half):+.1f} MB/min"
            )
            print(
                f"never-reading socket dropped: {stats.get('dropped_slow_sockets', 'not counted by this server')}"
            )
            print(f"reading screen got {got} of {posted} events")
            stuck.close()
        finally:
            if reader is not None:
                reader.disconnect()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
