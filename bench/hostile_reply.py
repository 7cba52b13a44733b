"""What a broken or hostile server's reply costs a screen (run by hand): memory and time to give up.

    .venv/bin/python bench/hostile_reply.py [--seconds 30] [--trickle-limit 90]
    # the same against another copy of the kiosk package (e.g. the code before a fix):
    git archive HEAD kiosk | tar -x -C /tmp/before && PYTHONPATH=/tmp/before .venv/bin/python bench/hostile_reply.py

1. Endless reply: a server (a child process, so its memory is not counted)
   answers every request with 200 and chunked JSON that never ends.  This
   process runs the screen's catch-up (``Syncer.catch_up`` with the shipped
   ``RestClient`` defaults) again and again for --seconds, and samples its own
   RSS every 0.25 s.  Printed: RSS growth (peak and at the end) and how many
   catch-up calls ended.  Stops early, saying so, past 4 GiB of growth.
2. Trickle: a server sends the headers, then the body one byte per second.
   Printed: how long one catch-up takes to end (the server itself stops after
   --trickle-limit seconds, so "not before the server stopped" means never).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.append(str(Path(__file__).resolve().parent.parent))  # tests.core; kiosk may come from PYTHONPATH

import kiosk.core.rest as rest_module
from kiosk.core.rest import RestClient, ServerUnreachableError
from kiosk.core.store import Store
from kiosk.core.sync import Syncer

RSS_LIMIT = 4 * 1024**3


def serve(mode: str, interval: float, give_up_after: float) -> None:
    from tests.core.hostile_http import HostileServer

    server = HostileServer(mode, interval=interval, give_up_after=give_up_after)
    print(server.port, flush=True)
    sys.stdin.read()  # until the parent closes the pipe


def start_server(mode: str, interval: float, give_up_after: float) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, __file__, "--serve", mode, str(interval), str(give_up_after)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child, f"http://127.0.0.1:{int(child.stdout.readline())}"


async def catch_up_once(url: str) -> str:
    client = RestClient(url, "t" * 32)
    try:
        await Syncer(client, Store(), "display").catch_up()
        return "succeeded"
    except ServerUnreachableError as exc:
        return f"ServerUnreachableError: {exc}"
    except Exception as exc:  # what the old code did is part of the figure
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    finally:
        client.close()


def endless(seconds: float) -> None:
    child, url = start_server("endless", 0.0, seconds + 5)
    me = psutil.Process()
    base = me.memory_info().rss
    peak = base
    stop = threading.Event()
    started = time.monotonic()
    over_limit_after: float | None = None

    def sample() -> None:
        nonlocal peak, over_limit_after
        while not stop.wait(0.25):
            rss = me.memory_info().rss
            peak = max(peak, rss)
            if rss - base > RSS_LIMIT and over_limit_after is None:
                over_limit_after = time.monotonic() - started
                child.kill()  # ends the reply, so the call in flight ends too

    threading.Thread(target=sample, daemon=True).start()
    calls: list[str] = []
    while time.monotonic() - started < seconds and over_limit_after is None:
        calls.append(asyncio.run(catch_up_once(url)))
    took = time.monotonic() - started
    stop.set()
    end = me.memory_info().rss
    child.kill()
    mib = 1024 * 1024
    print(f"endless reply for {took:.1f} s: {len(calls)} catch-up call(s) ended")
    if over_limit_after is not None:
        print(f"  stopped early: RSS grew past {RSS_LIMIT // mib} MiB after {over_limit_after:.1f} s")
    print(
        f"  RSS at start {base / mib:.0f} MiB; growth peak {(peak - base) / mib:.0f} MiB, "
        f"at end {(end - base) / mib:.0f} MiB"
    )
    print(f"  last outcome: {calls[-1][:200] if calls else '-'}")


def trickle(limit: float) -> None:
    child, url = start_server("trickle-body", 1.0, limit)
    started = time.monotonic()
    outcome = asyncio.run(catch_up_once(url))
    took = time.monotonic() - started
    child.kill()
    ended = "not before the server stopped" if took >= limit - 0.5 else "gave up"
    print(f"1 byte/s reply: the catch-up ended after {took:.1f} s ({ended})")
    print(f"  outcome: {outcome[:200]}")


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--trickle-limit", type=float, default=90.0)
    args = parser.parse_args()
    logging.getLogger("kiosk").setLevel(
        logging.CRITICAL
    )  # one refusal per call is the figure, not the output
    print(f"kiosk.core.rest from {rest_module.__file__}")
    endless(args.seconds)
    trickle(args.trickle_limit)


if __name__ == "__main__":
    main()
