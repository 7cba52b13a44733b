"""``kiosk-server demo-feed``: realistic food-court traffic against a running server.

Orders of 1–6 dishes with notes, modifiers, stations and allergens at several
tenants; now and then a rush (at the till, or marked later) or a scheduled
order (``fire_at`` 10–40 minutes ahead).  Some stalls bump the whole ticket
(pending → preparing → ready); the others start and finish each line, and
bump the order to ready once every line that is not voided is done (the
server never does that by itself).  Add-ons on unpaid orders, an occasional
void, cancel and alert; paid at counters by cash, QRIS or card, handed over by
the kitchen or picked up by QR.  At most ``MAX_OPEN`` orders are open.
Bounded by ``--count`` or ``--duration`` (default 200 requests); the same
``--seed`` gives the same requests.  It is the demo's data and the benchmarks' load.
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
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from kiosk.protocol.api import (
    ADD_ITEMS,
    ALERT,
    CANCEL_ORDER,
    CREATE_ORDER,
    CREATE_PAYMENT,
    GET_ORDER,
    ITEM_STATUS,
    ORDER_PRIORITY,
    ORDER_STATUS,
    SCAN_QR,
    Route,
)
from kiosk.protocol.requests import MAX_ORDER_LINES
from server.feed_menu import (
    ALERTS,
    CANCEL_REASONS,
    DRINKS,
    MENU,
    METHODS,
    MODIFIERS,
    NAMES,
    NOTES,
    VOID_REASONS,
)

log = logging.getLogger("server.feed")

NEXT = {"pending": "preparing", "preparing": "ready"}
OPEN = frozenset({"pending", "preparing", "ready"})
# A busy food court, not an ever-growing one: past this many open orders the feed
# only moves orders along.  Unbounded, 30 % new orders against ~5 steps per order
# left 100 open after 3 minutes and 800 after 30, which no kitchen ever has.
MAX_OPEN = 24
MAX_HELD = 4  # scheduled orders waiting for their release at once; they count as open
RUSH_SHARE = 1 / 12  # of new orders
SCHEDULED_SHARE = 1 / 25  # of new orders
BY_LINE_SHARE = 0.6  # of orders, cooked line by line; the rest are bumped as a whole ticket
ADD_ON_REFUSALS = frozenset({"order_paid", "order_closed"})  # normal when a screen got there first
# Counters that count some of another kind's requests (new orders, add-ons, status changes), not requests.
SUBCOUNTS = frozenset({"rush orders", "scheduled orders", "add-on lines", "completed by kitchen"})


@dataclass
class Ticket:
    """An open order as the feed last saw it, and how its stall works it."""

    order: dict[str, Any]
    by_line: bool
    release_at: float = 0.0  # on the feed's clock: a scheduled order waits for fire_at - prep_minutes
    stale: bool = False  # a write on it was refused: read it back before touching it again


@dataclass
class Feed:
    url: str
    token: str
    rng: random.Random
    tenants: int
    counters: int
    interval: float = 0.0  # seconds per request; the feed's clock is requests × interval (the schedule)
    session: requests.Session = field(default_factory=requests.Session)
    open_orders: list[Ticket] = field(default_factory=list)
    done: Counter[str] = field(default_factory=Counter)
    steps: int = 0

    @property
    def clock(self) -> float:
        """Seconds into the run by the schedule, not the wall: the same seed holds orders alike."""
        return self.steps * self.interval

    def lines(self, count: int) -> list[dict[str, Any]]:
        items = []
        for dish in self.rng.sample(MENU, count):
            item: dict[str, Any] = {
                "name": dish.name,
                "qty": self.rng.choice([1, 1, 1, 2, 3]),
                "price": dish.price,
                "station": dish.station,
            }
            if dish.allergens:
                item["allergens"] = list(dish.allergens)
            note = self.rng.choice(NOTES)
            if note:
                item["notes"] = note
            if self.rng.random() < 0.3:
                item["modifiers"] = self.rng.sample(MODIFIERS, self.rng.randint(1, 2))
            items.append(item)
        return items

    def order_body(self) -> tuple[dict[str, Any], float]:
        """A new order and, for a scheduled one, when (on the feed's clock) the kitchen starts it."""
        body: dict[str, Any] = {"items": self.lines(self.rng.randint(1, 6))}
        body |= {
            "tenant_id": self.rng.randint(1, self.tenants),
            "customer_name": self.rng.choice(NAMES),
            "type": self.rng.choice(["dine_in", "dine_in", "takeaway"]),
            "table": f"{self.rng.choice('ABCD')}{self.rng.randint(1, 20)}",
        }
        if self.rng.random() < RUSH_SHARE:
            body["priority"] = "rush"
        release_at = 0.0
        if self.rng.random() < SCHEDULED_SHARE and self.held() < MAX_HELD:
            fire_in, prep = self.rng.randint(10, 40), self.rng.randint(5, 15)
            body["fire_at"] = (datetime.now(UTC) + timedelta(minutes=fire_in)).isoformat(timespec="seconds")
            body["prep_minutes"] = prep
            release_at = self.clock + (fire_in - prep) * 60.0
        return body, release_at

    def held(self) -> int:
        return sum(ticket.release_at > self.clock for ticket in self.open_orders)

    def call(
        self, route: Route, kind: str, body: dict[str, Any] | None = None, **ids: int
    ) -> dict[str, Any] | None:
        """One request, counted as ``kind``; the answer, or None when refused (counted as refused)."""
        path = route.path(**ids)
        headers = {"Authorization": f"Bearer {self.token}"}
        if route.method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex  # unique per run, even with --seed
        response = self.session.request(
            route.method, f"{self.url}{path}", json=body, headers=headers, timeout=10
        )
        if response.status_code >= 400:
            if kind == "add-ons" and _error_code(response) in ADD_ON_REFUSALS:
                self.done["add-ons refused"] += 1
                log.info("add-on to %s turned away: %s", path, response.text[:200])
            else:
                self.done["refused"] += 1
                log.warning(
                    "%s %s refused %d: %s", route.method, path, response.status_code, response.text[:200]
                )
            return None
        self.done[kind] += 1
        result: dict[str, Any] = response.json()
        return result

    def step(self) -> None:
        """One request: a new order when few are open (never more than MAX_OPEN), else work on one."""
        self.steps += 1
        roll = self.rng.random()
        if roll < 0.01:
            severity, message = self.rng.choice(ALERTS)
            self.call(ALERT, "POST alerts", {"severity": severity, "message": message})
            return
        # At most MAX_HELD are held, so fewer than 4 to work on means far fewer than MAX_OPEN open.
        movable = [ticket for ticket in self.open_orders if ticket.release_at <= self.clock]
        if len(movable) < 4 or (roll < 0.3 and len(self.open_orders) < MAX_OPEN):
            self._create()
            return
        rush = [ticket for ticket in movable if ticket.order["priority"] == "rush"]  # jumps the queue
        ticket = self.rng.choice(rush if rush and self.rng.random() < 0.5 else movable)
        if ticket.stale:
            self._read_back(ticket)
        else:
            self._work(ticket)

    def _create(self) -> None:
        body, release_at = self.order_body()
        by_line = self.rng.random() < BY_LINE_SHARE
        order = self.call(CREATE_ORDER, "POST orders", body)
        if order is None:
            return
        self.open_orders.append(Ticket(order, by_line, release_at))
        self.done["rush orders"] += order["priority"] == "rush"
        self.done["scheduled orders"] += order["fire_at"] is not None

    def _work(self, ticket: Ticket) -> None:
        """Something a stall, a counter or a customer does to one open order."""
        order, action = ticket.order, self.rng.random()
        order_id = order["id"]
        unpaid = order["payment_status"] == "unpaid"
        if action < 0.01:
            reason = self.rng.choice(CANCEL_REASONS)
            self._close(
                ticket, self.call(CANCEL_ORDER, "DELETE orders", {"reason": reason}, order_id=order_id)
            )
        elif action < 0.015 and order["priority"] == "normal":
            self._update(
                ticket, self.call(ORDER_PRIORITY, "rush later", {"priority": "rush"}, order_id=order_id)
            )
        elif action < 0.047 and unpaid and len(order["items"]) + 2 <= MAX_ORDER_LINES:
            lines = self.lines(self.rng.randint(1, 2))
            added = self.call(ADD_ITEMS, "add-ons", {"items": lines}, order_id=order_id)
            self.done["add-on lines"] += len(lines) if added is not None else 0
            self._update(ticket, added)
        elif action < 0.062 and (line := self._voidable(order)) is not None:
            body = {"status": "voided", "reason": self.rng.choice(VOID_REASONS)}
            self._update(
                ticket, self.call(ITEM_STATUS, "items voided", body, order_id=order_id, item_id=line["id"])
            )
        elif action < 0.3 and unpaid:
            paid = self.call(CREATE_PAYMENT, "POST payments", self._payment(order))
            if paid is not None:
                order["payment_status"] = "paid"
            else:
                ticket.stale = True
        elif order["status"] in NEXT:
            self._cook(ticket)
        elif self.rng.random() < 0.5:  # ready: picked up by QR, or handed over by the kitchen
            self._close(ticket, self.call(SCAN_QR, "POST qr", {"token": order["qr_token"]}))
        else:
            done = self.call(ORDER_STATUS, "PATCH orders", {"status": "completed"}, order_id=order_id)
            self.done["completed by kitchen"] += done is not None
            self._close(ticket, done)

    def _cook(self, ticket: Ticket) -> None:
        """A line started or finished (drinks are poured: straight to done), or the ticket bumped on."""
        order = ticket.order
        todo = [item for item in order["items"] if item["status"] in ("pending", "started")]
        if not ticket.by_line or not todo:  # bumped as a whole, or every line done: on to ready
            target = NEXT[order["status"]]
            self._update(
                ticket, self.call(ORDER_STATUS, "PATCH orders", {"status": target}, order_id=order["id"])
            )
            return
        line = self.rng.choice(todo)
        status = "done" if line["status"] == "started" or line["station"] == DRINKS else "started"
        answer = self.call(
            ITEM_STATUS, f"items {status}", {"status": status}, order_id=order["id"], item_id=line["id"]
        )
        self._update(ticket, answer)

    def _voidable(self, order: dict[str, Any]) -> dict[str, Any] | None:
        """A line not yet done, to take off the ticket; never the last one left (that is a cancel)."""
        live = [item for item in order["items"] if item["status"] != "voided"]
        waiting = [item for item in live if item["status"] != "done"]
        return self.rng.choice(waiting) if len(live) > 1 and waiting else None

    def _update(self, ticket: Ticket, answer: dict[str, Any] | None) -> None:
        if answer is None:
            ticket.stale = True
        else:
            ticket.order = answer

    def _close(self, ticket: Ticket, answer: dict[str, Any] | None) -> None:
        if answer is None:
            ticket.stale = True
        else:
            self.open_orders.remove(ticket)

    def _read_back(self, ticket: Ticket) -> None:
        """After a refusal (a screen moved the order first): the order as it is, or off the list if closed."""
        order = self.call(GET_ORDER, "read back", order_id=ticket.order["id"])
        if order is None or order["status"] not in OPEN:
            self.open_orders.remove(ticket)
        else:
            ticket.order, ticket.stale = order, False

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


def _error_code(response: requests.Response) -> str | None:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def feed_command(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.token:
        print("demo-feed needs the admin token: --token or KIOSK_ADMIN_TOKEN", file=sys.stderr)
        return 2
    if args.rate <= 0 or args.tenants < 1 or args.counters < 1:
        print("--rate, --tenants and --counters must be positive", file=sys.stderr)
        return 2
    count = args.count if args.count is not None else (None if args.duration is not None else 200)
    interval = 1.0 / args.rate
    rng = random.Random(args.seed)
    feed = Feed(args.url.rstrip("/"), args.token, rng, args.tenants, args.counters, interval=interval)
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
