"""Figures for a screen on the NotificationService backend (run by hand), beside Kiosk's own server.

    .venv/bin/python bench/interop.py [--orders 100] [--burst 50] [--restarts 3]

1. Order to whole card: POST an order, time until the screen's store holds it
   with its items.  On the NotificationService the event is partial, so that
   includes the fetch of GET /api/orders/:id; the yardstick, measured in the
   same run, is Kiosk's server, whose event carries the whole order.  p50/p99
   and the ratio.
2. A burst of --burst orders posted back to back: fetches per order event.
3. SIGKILL the backend, make an order the moment it is back, and time from the
   restart to the screen holding every active order of the backend, whole.

One screen, one backend, both on this machine's 2 cores: the figures show the
cost of the extra fetch against a loopback backend, not of a restaurant's LAN.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._stats import percentile  # noqa: E402
from kiosk.core.config import load_config  # noqa: E402
from kiosk.core.session import Session  # noqa: E402
from tests.core.helpers import wait_live, wait_until  # noqa: E402
from tests.interop.node_peer import NodePeer  # noqa: E402
from tests.support.server_process import ServerProcess  # noqa: E402

ITEMS = [{"name": "Nasi Goreng", "qty": 2, "price": 25000}, {"name": "Es Teh", "qty": 1, "price": 5000}]
PEER_ITEMS = [{"menu_item_name": i["name"], "quantity": i["qty"], "price": i["price"]} for i in ITEMS]


def whole(session: Session, key: Any) -> bool:
    order = session.store.orders.get(key)
    return order is not None and len(order.items) == len(ITEMS)


class WholeAt:
    """A store listener: when each order first held all its items (perf_counter), to the microsecond."""

    def __init__(self, session: Session) -> None:
        self.at: dict[Any, float] = {}
        self.first: dict[Any, float] = {}  # when the card first showed, whole or not
        session.store.subscribe(self)

    def on_changes(self, changes: Any) -> None:
        for change in changes:
            order = change.new
            if order is None or change.collection != "orders":
                continue
            self.first.setdefault(change.key, time.perf_counter())
            if len(order.items) == len(ITEMS):
                self.at.setdefault(change.key, time.perf_counter())

    def on_notice(self, notice: Any) -> None:
        pass


async def order_to_card(
    session: Session, post: Callable[[], Any], orders: int
) -> tuple[list[float], list[float]]:
    """Posted -> whole card, and partial card -> whole card, in ms."""
    whole_at = WholeAt(session)
    delays, completing = [], []
    for _ in range(orders):
        started = time.perf_counter()
        key = await asyncio.to_thread(post)
        await wait_until(lambda key=key: key in whole_at.at, within=10, what="the whole card")
        delays.append((whole_at.at[key] - started) * 1000)
        completing.append((whole_at.at[key] - whole_at.first[key]) * 1000)
    return delays, completing


def screen(url: str, token: str, tmp: Path, name: str) -> Session:
    config = load_config(
        path=tmp / "none.toml",
        env={},
        overrides={"server_url": url, "room": "display", "token": token, "backoff_initial_s": 0.2},
    )
    return Session(config, data_dir=tmp / name, join_timeout_s=0.5)


async def run(orders: int, burst: int, restarts: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        kiosk_server = ServerProcess(tmp / "kiosk.db", log_path=tmp / "server.log")
        kiosk_server.start()
        peer = NodePeer("notification_service", tmp)
        peer.start()
        native = screen(kiosk_server.url, kiosk_server.add_device("bench", ["display"]), tmp, "native")
        foreign = screen(peer.url, "unused", tmp, "foreign")
        await native.start()
        await foreign.start()
        try:
            await wait_live(native)
            await wait_live(foreign)

            def post_native() -> Any:
                return kiosk_server.create_order(items=ITEMS)["id"]

            def post_foreign() -> Any:
                body = {"tenant_id": 1, "customer_name": "Tamu", "items": PEER_ITEMS}
                return peer.call("POST", "/api/orders", body)["id"]

            kiosk_ms, _ = await order_to_card(native, post_native, orders)
            peer_ms, filling_ms = await order_to_card(foreign, post_foreign, orders)
            k50, k99, p50, p99 = (percentile(v, q) for v in (kiosk_ms, peer_ms) for q in (50, 99))
            print(f"order posted -> whole card, {orders} orders one at a time (ms):")
            print(f"  Kiosk's server (yardstick)  p50 {k50:6.1f}  p99 {k99:6.1f}")
            print(
                f"  NotificationService         p50 {p50:6.1f}  p99 {p99:6.1f}  ratio p50 {p50 / k50:.2f}, p99 {p99 / k99:.2f}"
            )

            f50, f99 = percentile(filling_ms, 50), percentile(filling_ms, 99)
            print(f"  NotificationService partial card -> whole (the fetch)  p50 {f50:6.1f}  p99 {f99:6.1f}")

            fetches = foreign.enricher.fetches
            keys = await asyncio.to_thread(lambda: [post_foreign() for _ in range(burst)])
            await wait_until(lambda: all(whole(foreign, key) for key in keys), within=30, what="the burst")
            print(
                f"burst of {burst} orders: {(foreign.enricher.fetches - fetches) / burst:.2f} fetches per order event"
            )

            levels = []
            for _ in range(restarts):
                await asyncio.to_thread(peer.kill)
                await wait_until(foreign.connector.offline.is_set, what="the loss")
                started = time.perf_counter()
                await asyncio.to_thread(peer.start)
                made = await asyncio.to_thread(post_foreign)
                active = {row["id"] for row in peer.call("GET", "/api/orders?status=pending,preparing,ready")}

                def level(made: Any = made, active: set[Any] = active) -> bool:
                    return whole(foreign, made) and active <= set(foreign.store.orders)

                await wait_until(level, within=30, what="level with the backend")
                levels.append(time.perf_counter() - started)
            print(
                f"backend SIGKILL + restart -> screen level with it ({restarts} rounds): "
                + ", ".join(f"{s:.2f} s" for s in levels)
            )
        finally:
            await native.stop()
            await foreign.stop()
            peer.kill()
            kiosk_server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--restarts", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.orders, args.burst, args.restarts))


if __name__ == "__main__":
    main()
