"""Figures for the kiosk core (run by hand): reconnect time and memory.

    /tmp/venv/bin/python bench/core_figures.py [--rounds 5] [--orders 10000] [--seen 100000]

1. Reconnect: a real server process on a loopback port and a real Session with
   the shipped default settings (backoff 1 s doubling to 30 s, jitter 0.5).  Each
   round SIGKILLs the server, leaves it down for --down seconds, starts it again
   and measures (a) server start -> /api/health answers, (b) server start ->
   the Session is LIVE again (re-joined and caught up), with 20 orders created
   while the kiosk was cut off from the server by a proxy, so catch-up has work.
2. Memory: tracemalloc and RSS growth of a Store holding N orders (two items
   each, as the server sends them) and a SeenIds set of M event ids, plus the
   time to apply N order_created envelopes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.core.connection_status import ConnectionState  # noqa: E402
from kiosk.core.dedup import SeenIds  # noqa: E402
from kiosk.core.session import Session  # noqa: E402
from kiosk.core.store import Store  # noqa: E402
from tests.core.envelopes import created  # noqa: E402
from tests.core.helpers import wait_until  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402


async def reconnect_rounds(rounds: int, down_s: float) -> None:
    from kiosk.core.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "bench.db", log_path=Path(tmp) / "server.log")
        server.start()
        token = server.add_device("bench", ["display"])
        config = load_config(
            path=Path(tmp) / "none.toml",
            env={},
            overrides={"server_url": server.url, "room": "display", "token": token},
        )
        session = Session(config, data_dir=Path(tmp) / "data")
        await session.start()
        health: list[float] = []
        live: list[float] = []
        try:
            await wait_until(lambda: session.status.state is ConnectionState.LIVE, within=30, what="live")
            for n in range(rounds):
                await asyncio.to_thread(server.kill)
                await wait_until(
                    lambda: session.status.state is not ConnectionState.LIVE, what="loss noticed"
                )
                await asyncio.sleep(down_s)  # the outage itself (a benchmark parameter, not synchronisation)
                started = time.perf_counter()
                await asyncio.to_thread(server.start)
                health.append(time.perf_counter() - started)
                await wait_until(
                    lambda: session.status.state is ConnectionState.LIVE, within=60, what="live again"
                )
                live.append(time.perf_counter() - started)
                attempts = session.backoff.attempt
                # events the kiosk must receive before the next round
                for _ in range(20):
                    await asyncio.to_thread(server.create_order)
                await wait_until(lambda: session.store.seq == server.seq(), within=30, what="caught up")
                # a real restart comes after a stable connection, which resets the backoff
                await wait_until(session.backoff.is_stable, within=60, what="a stable connection")
                print(
                    f"  round {n + 1}: health {health[-1]:.2f} s, live {live[-1]:.2f} s, {attempts} attempt(s)"
                )
        finally:
            await session.stop()
            server.stop()
    print(
        f"reconnect after SIGKILL + {down_s:.0f} s down, default backoff (median of {rounds}): "
        f"server start -> health {statistics.median(health):.2f} s, "
        f"server start -> kiosk live and caught up {statistics.median(live):.2f} s "
        f"(min {min(live):.2f}, max {max(live):.2f}); "
        f"server healthy -> kiosk live {statistics.median([b - a for a, b in zip(health, live, strict=True)]):.2f} s"
    )


def memory(orders: int, seen: int) -> None:
    import gc

    import psutil

    process = psutil.Process()
    envelopes = [created(n) for n in range(1, orders + 1)]
    gc.collect()
    rss_before = process.memory_info().rss
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        seen_ids = SeenIds(Path(tmp) / "seen.jsonl", max_size=seen)
        started = time.perf_counter()
        for n in range(seen):
            seen_ids.add(f"{n:08x}-4b2a-4c1e-9d3f-{n:012x}")  # uuid-shaped ids, as the server's
        seen_s = time.perf_counter() - started
        seen_ids.close()
        seen_mb = tracemalloc.get_traced_memory()[0] / 2**20
        started = time.perf_counter()
        reloaded = SeenIds(Path(tmp) / "seen.jsonl", max_size=seen)
        load_s = time.perf_counter() - started
        assert len(reloaded) == seen
        del reloaded
        store = Store(seen=SeenIds(None, max_size=seen))
        started = time.perf_counter()
        for raw in envelopes:
            store.apply_envelope(raw)
        apply_s = time.perf_counter() - started
        total_mb = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        gc.collect()
        rss_mb = (process.memory_info().rss - rss_before) / 2**20
        size_mb = (Path(tmp) / "seen.jsonl").stat().st_size / 2**20
        assert len(store.orders) == orders
    print(
        f"memory: {seen} seen ids {seen_mb:.1f} MiB (file {size_mb:.1f} MiB, added in {seen_s:.2f} s, "
        f"loaded at start-up in {load_s:.2f} s); "
        f"+ store of {orders} orders -> {total_mb:.1f} MiB traced in total; RSS growth {rss_mb:.1f} MiB"
    )
    print(
        f"apply: {orders} order_created envelopes in {apply_s:.2f} s ({orders / apply_s:,.0f}/s, {apply_s / orders * 1e6:.0f} µs each)"
    )


def main() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    if "-v" in sys.argv:
        sys.argv.remove("-v")
        logging.getLogger("kiosk.net").setLevel(logging.INFO)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server stays down per round")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--seen", type=int, default=100_000)
    parser.add_argument("--skip-reconnect", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not args.skip_memory:
        memory(args.orders, args.seen)
    if not args.skip_reconnect:
        asyncio.run(reconnect_rounds(args.rounds, args.down))


if __name__ == "__main__":
    main()
