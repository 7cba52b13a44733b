"""Start-up and memory of the real app: ``kiosk --offscreen`` against a server holding N open orders.

    python bench/ui_startup.py [--orders 2000] [--runs 3] [--chime] [--kiosk dist/kiosk/kiosk]

``--chime`` posts one more order once the screen is live, so the new-order
chime plays (QtMultimedia loads only then) and the peak RSS includes sound.
``--kiosk`` runs a frozen bundle instead of ``python -m kiosk.cli``.

Spawns the kiosk CLI (as a support person or the autostart would), reads its
log lines "first frame after N ms" and "live with N orders on screen after N
ms" (time from the CLI module's import; the interpreter's own start comes on
top: see "python -c pass" below), and samples the process's RSS with psutil
once it is live with every order on screen.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.server_process import ServerProcess, order_body  # noqa: E402

FIRST = re.compile(r"first frame after (\d+) ms")
LIVE = re.compile(r"live with (\d+) orders on screen after (\d+) ms")


def one_run(
    server: ServerProcess, token: str, workdir: Path, quit_after: float, *, kiosk: str | None, chime: bool
) -> tuple[int, int, int, float, float]:
    log_dir = workdir / f"logs-{time.monotonic_ns()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_CONFIG=str(workdir / "none.toml"),
        KIOSK_DATA_DIR=str(workdir / "data"),
        KIOSK_LOG_DIR=str(log_dir),
    )
    command = [kiosk] if kiosk else [sys.executable, "-m", "kiosk.cli"]
    command += [
        "--server",
        server.url,
        "--room",
        "display",
        "--token",
        token,
    ]
    command += ["--offscreen", "--quit-after", f"{quit_after:g}"]
    spawned = time.monotonic()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process = psutil.Process(child.pid)
    rss = peak = 0.0
    first = live = orders = -1
    log_file = log_dir / "kiosk.log"
    while child.poll() is None:
        text = log_file.read_text() if log_file.exists() else ""
        if (found := LIVE.search(text)) and live < 0:
            orders, live = int(found[1]), int(found[2])
            time.sleep(0.5)  # let the first live frame settle before sampling memory
            rss = process.memory_info().rss / 2**20
            if chime:
                server.request(
                    "POST", "/api/orders", json=order_body(1, customer_name="Chime")
                ).raise_for_status()
        if child.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, process.memory_info().rss / 2**20)
        if (found := FIRST.search(text)) and first < 0:
            first = int(found[1])
        time.sleep(0.05)  # polling a child process's log file
    wall_live = time.monotonic() - spawned
    del wall_live
    return first, live, orders, rss, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quit-after", type=float, default=8.0)
    parser.add_argument("--chime", action="store_true", help="post one order once live, so a chime plays")
    parser.add_argument("--kiosk", help="path of a frozen kiosk executable (default: python -m kiosk.cli)")
    args = parser.parse_args()
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    interpreter_ms = (time.monotonic() - started) * 1000
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-startup-"))
    server = ServerProcess(workdir / "startup.db", log_path=workdir / "server.log")
    server.start()
    try:
        token = server.add_device("startup-display", ["display"])
        for i in range(args.orders):
            response = server.request(
                "POST", "/api/orders", json=order_body(1 + i % 3, customer_name=f"Guest {i}")
            )
            response.raise_for_status()
        results = [
            one_run(server, token, workdir, args.quit_after, kiosk=args.kiosk, chime=args.chime)
            for _ in range(args.runs)
        ]
    finally:
        server.stop()
    print(f"python -c pass: {interpreter_ms:.0f} ms (interpreter start, before any kiosk code)")
    for first, live, orders, rss, peak in results:
        print(
            f"first frame {first} ms; live with {orders} orders on screen {live} ms; "
            f"RSS {rss:.0f} MiB, peak {peak:.0f} MiB"
        )
    print(
        f"median over {len(results)} runs: first frame {statistics.median(r[0] for r in results):.0f} ms, "
        f"live with {args.orders} orders {statistics.median(r[1] for r in results):.0f} ms, "
        f"RSS {statistics.median(r[3] for r in results):.0f} MiB, "
        f"peak {statistics.median(r[4] for r in results):.0f} MiB"
    )


if __name__ == "__main__":
    main()
