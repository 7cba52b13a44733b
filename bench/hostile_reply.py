"""What a broken or hostile server's reply costs a screen (run by hand): memory and time to give up.

    .venv/bin/python bench/hostile_reply.py [--seconds 30] [--trickle-limit 90] [--poll-seconds 15]
        [--mode all|rest|poll]
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
3. Endless engine.io polling reply (--mode poll): a server answers the REST
   catch-up like an empty server, and ``/socket.io/`` (engine.io's long-polling
   handshake) with chunked data that never ends.  A whole ``Session`` with the
   shipped defaults runs against it for --poll-seconds; printed: RSS growth
   (peak, at the end), connect attempts, the status the screen shows.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.append(str(Path(__file__).resolve().parent.parent))  # tests.core; kiosk may come from PYTHONPATH

import kiosk.core.rest as rest_module
from kiosk.core.config import load_config
from kiosk.core.rest import RestClient, ServerUnreachableError
from kiosk.core.session import Session
from kiosk.core.store import Store
from kiosk.core.sync import Syncer

RSS_LIMIT = 4 * 1024**3
MIB = 1024 * 1024


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


class RssSampler:
    """This process's RSS every 0.25 s in a thread; past RSS_LIMIT of growth it kills the server."""

    def __init__(self, child: subprocess.Popen[str]) -> None:
        self.me = psutil.Process()
        self.base = self.peak = self.me.memory_info().rss
        self.started = time.monotonic()
        self.over_limit_after: float | None = None
        self._child = child
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            rss = self.me.memory_info().rss
            self.peak = max(self.peak, rss)
            if rss - self.base > RSS_LIMIT and self.over_limit_after is None:
                self.over_limit_after = time.monotonic() - self.started
                self._child.kill()  # ends the reply, so the call in flight ends too

    def running(self, seconds: float) -> bool:
        return time.monotonic() - self.started < seconds and self.over_limit_after is None

    def report(self) -> None:
        self._stop.set()
        end = self.me.memory_info().rss
        self._child.kill()
        if self.over_limit_after is not None:
            print(
                f"  stopped early: RSS grew past {RSS_LIMIT // MIB} MiB after {self.over_limit_after:.1f} s"
            )
        print(
            f"  RSS at start {self.base / MIB:.0f} MiB; growth peak {(self.peak - self.base) / MIB:.0f} MiB, "
            f"at end {(end - self.base) / MIB:.0f} MiB"
        )


def endless(seconds: float) -> None:
    child, url = start_server("endless", 0.0, seconds + 5)
    rss = RssSampler(child)
    calls: list[str] = []
    while rss.running(seconds):
        calls.append(asyncio.run(catch_up_once(url)))
    took = time.monotonic() - rss.started
    print(f"endless reply for {took:.1f} s: {len(calls)} catch-up call(s) ended")
    rss.report()
    print(f"  last outcome: {calls[-1][:200] if calls else '-'}")


def poll_endless(seconds: float) -> None:
    child, url = start_server("poll-endless", 0.0, seconds + 5)
    values: dict[str, object] = {"server_url": url, "room": "display", "token": "t" * 32}
    config = load_config(path=Path("/nonexistent/kiosk.toml"), env={}, overrides=values)
    import aiohttp  # noqa: F401 - loaded before the baseline, so their imports are not the figure
    import socketio  # noqa: F401

    rss = RssSampler(child)

    async def run(data_dir: Path) -> Session:
        session = Session(config, data_dir=data_dir)
        await session.start()
        await asyncio.sleep(seconds)  # past RSS_LIMIT the sampler kills the server: no more growth
        await session.stop()
        return session

    with tempfile.TemporaryDirectory() as data_dir:
        session = asyncio.run(run(Path(data_dir)))
    took = time.monotonic() - rss.started
    print(
        f"endless /socket.io/ polling reply, a whole Session for {took:.1f} s: {session.attempts} attempt(s)"
    )
    rss.report()
    print(f"  status: {session.status.state.value}: {session.status.detail[:200] or '-'}")


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
    parser.add_argument("--poll-seconds", type=float, default=15.0)
    parser.add_argument("--mode", choices=("all", "rest", "poll"), default="all")
    args = parser.parse_args()
    logging.getLogger("kiosk").setLevel(
        logging.CRITICAL
    )  # one refusal per call is the figure, not the output
    print(f"kiosk.core.rest from {rest_module.__file__}")
    runs: list[Callable[[], None]] = []
    if args.mode in ("all", "rest"):
        runs += [lambda: endless(args.seconds), lambda: trickle(args.trickle_limit)]
    if args.mode in ("all", "poll"):
        runs.append(lambda: poll_endless(args.poll_seconds))
    for run in runs:
        run()


if __name__ == "__main__":
    main()
