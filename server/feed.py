"""``kiosk-server demo-feed``: realistic food-court traffic against a running server.

Orders of 1–6 dishes with notes and modifiers at several tenants, moved
through pending → preparing → ready → completed (some picked up by QR scan),
paid at counters by cash, QRIS or card, an occasional cancel and alert.
Bounded by ``--count`` or ``--duration`` (default 200 requests); the same
``--seed`` gives the same traffic.  It is the demo's data and the benchmarks' load.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from kiosk.protocol.api import ALERT, CANCEL_ORDER, CREATE_ORDER, CREATE_PAYMENT, ORDER_STATUS, SCAN_QR

log = logging.getLogger("server.feed")

MENU: list[tuple[str, int]] = [
    ("Nasi Goreng Spesial", 28000),
    ("Mie Ayam Bakso", 22000),
    ("Soto Ayam", 20000),
    ("Sate Ayam (10 tusuk)", 30000),
    ("Nasi Uduk", 18000),
    ("Gado-Gado", 19000),
    ("Bakso Urat", 23000),
    ("Ayam Geprek", 21000),
    ("Rendang Sapi", 35000),
    ("Pempek Kapal Selam", 24000),
    ("Es Teh Manis", 5000),
    ("Es Jeruk", 8000),
    ("Kopi Susu Gula Aren", 18000),
    ("Jus Alpukat", 15000),
    ("Es Campur", 14000),
]
NOTES = ["", "", "", "pedas", "tidak pedas", "tanpa bawang", "kuah dipisah", "es sedikit", "bungkus"]
MODIFIERS = ["telur ceplok", "extra sambal", "ekstra keju", "kerupuk", "nasi setengah", "less sugar"]
NAMES = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Joko", "Wulan", "Fajar", "Ayu", "Hendra"]
METHODS = ["cash", "cash", "qris", "qris", "card"]
CANCEL_REASONS = ["stok habis", "pelanggan membatalkan", "salah input"]
ALERTS = [
    ("warning", "Printer dapur kertas hampir habis"),
    ("info", "Jam sibuk: siapkan lebih banyak es batu"),
]
NEXT = {"pending": "preparing", "preparing": "ready"}
# A busy food court, not an ever-growing one: past this many open orders the feed
# only moves orders along.  Unbounded, 30 % new orders against ~5 steps per order
# left 100 open after 3 minutes and 800 after 30, which no kitchen ever has.
MAX_OPEN = 24


@dataclass
class Feed:
    url: str
    token: str
    rng: random.Random
    tenants: int
    counters: int
    session: requests.Session = field(default_factory=requests.Session)
    open_orders: list[dict[str, Any]] = field(default_factory=list)
    done: Counter[str] = field(default_factory=Counter)

    def order_body(self) -> dict[str, Any]:
        items = []
        for dish, price in self.rng.sample(MENU, self.rng.randint(1, 6)):
            item: dict[str, Any] = {"name": dish, "qty": self.rng.choice([1, 1, 1, 2, 3]), "price": price}
            note = self.rng.choice(NOTES)
            if note:
                item["notes"] = note
            if self.rng.random() < 0.3:
                item["modifiers"] = self.rng.sample(MODIFIERS, self.rng.randint(1, 2))
            items.append(item)
        return {
            "tenant_id": self.rng.randint(1, self.tenants),
            "customer_name": self.rng.choice(NAMES),
            "items": items,
            "type": self.rng.choice(["dine_in", "dine_in", "takeaway"]),
            "table": f"{self.rng.choice('ABCD')}{self.rng.randint(1, 20)}",
        }

    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {self.token}"}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex  # unique per run, even with --seed
        response = self.session.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=10)
        if response.status_code >= 400:
            self.done["refused"] += 1
            log.warning("%s %s refused %d: %s", method, path, response.status_code, response.text[:200])
            return None
        self.done[f"{method} {path.split('/')[2]}"] += 1
        result: dict[str, Any] = response.json()
        return result

    def step(self) -> None:
        """One request: a new order when few are open (never more than MAX_OPEN), else move one along."""
        roll = self.rng.random()
        if roll < 0.01:
            severity, message = self.rng.choice(ALERTS)
            self.call(ALERT.method, ALERT.path(), {"severity": severity, "message": message})
            return
        if len(self.open_orders) < 4 or (roll < 0.3 and len(self.open_orders) < MAX_OPEN):
            order = self.call(CREATE_ORDER.method, CREATE_ORDER.path(), self.order_body())
            if order is not None:
                self.open_orders.append(order)
            return
        order = self.rng.choice(self.open_orders)
        if roll < 0.33:
            self.open_orders.remove(order)
            self.call(
                CANCEL_ORDER.method,
                CANCEL_ORDER.path(order_id=order["id"]),
                {"reason": self.rng.choice(CANCEL_REASONS)},
            )
        elif order["payment_status"] == "unpaid" and roll < 0.5:
            paid = self.call(CREATE_PAYMENT.method, CREATE_PAYMENT.path(), self._payment(order))
            if paid is not None:
                order["payment_status"] = "paid"
        elif order["status"] in NEXT:
            changed = self.call(
                ORDER_STATUS.method,
                ORDER_STATUS.path(order_id=order["id"]),
                {"status": NEXT[order["status"]]},
            )
            if changed is not None:
                order["status"] = changed["status"]
        else:  # ready: picked up by QR, or bumped to completed by the kitchen
            self.open_orders.remove(order)
            if self.rng.random() < 0.5:
                self.call(SCAN_QR.method, SCAN_QR.path(), {"token": order["qr_token"]})
            else:
                self.call(
                    ORDER_STATUS.method, ORDER_STATUS.path(order_id=order["id"]), {"status": "completed"}
                )

    def _payment(self, order: dict[str, Any]) -> dict[str, Any]:
        method = self.rng.choice(METHODS)
        total = int(order["total_amount"])
        paid = total
        if method == "cash":  # customers round up to the next Rp 10.000 / 50.000 / 100.000
            step = self.rng.choice([10000, 50000, 100000])
            paid = -(-total // step) * step
        return {
            "order_id": order["id"],
            "amount_paid": paid,
            "payment_method": method,
            "counter_id": self.rng.randint(1, self.counters),
        }


def feed_command(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.token:
        print("demo-feed needs the admin token: --token or KIOSK_ADMIN_TOKEN", file=sys.stderr)
        return 2
    if args.rate <= 0 or args.tenants < 1 or args.counters < 1:
        print("--rate, --tenants and --counters must be positive", file=sys.stderr)
        return 2
    count = args.count if args.count is not None else (None if args.duration is not None else 200)
    feed = Feed(args.url.rstrip("/"), args.token, random.Random(args.seed), args.tenants, args.counters)
    interval = 1.0 / args.rate
    start = time.monotonic()
    sent = 0
    try:
        while (count is None or sent < count) and (
            args.duration is None or time.monotonic() - start < args.duration
        ):
            # Pace against the schedule, not the previous request, so the rate holds under latency.
            delay = start + sent * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            feed.step()
            sent += 1
    except requests.ConnectionError as exc:
        print(f"demo-feed: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    elapsed = time.monotonic() - start
    summary = ", ".join(f"{name}: {number}" for name, number in sorted(feed.done.items()))
    print(f"demo-feed: {sent} requests in {elapsed:.1f} s ({sent / max(elapsed, 1e-9):.1f}/s); {summary}")
    return 0
