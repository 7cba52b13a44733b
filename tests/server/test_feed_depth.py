"""The demo feed's kitchen depth against a real server, each kind accounted for by the feed's own summary.

One seeded run of 400 requests: lines with stations and allergens, rush and
scheduled orders, lines started and finished one by one, add-ons and voids.
Then everything the server holds (every page of GET /api/orders, the whole
display event log) is checked against the summary the feed printed.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.protocol.api import CANCEL_ORDER, CREATE_PAYMENT, EVENTS, LIST_ORDERS
from server.feed import MAX_OPEN, SUBCOUNTS, Feed
from server.feed_menu import MENU, VOID_REASONS
from tests.support.server_process import ServerProcess

COUNT = 400
DISHES = {dish.name: dish for dish in MENU}


def run_feed(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "demo-feed",
            "--url",
            server.url,
            "--token",
            server.admin_token,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def summary_counts(stdout: str) -> tuple[int, Counter[str]]:
    """``demo-feed: N requests in … s (…/s); kind: n, kind: n`` → (N, the counters)."""
    line = stdout.strip().splitlines()[-1]
    head, _, tail = line.partition("; ")
    counts: Counter[str] = Counter()
    for part in filter(None, tail.split(", ")):
        name, _, number = part.rpartition(": ")
        counts[name] = int(number)
    return int(head.split()[1]), counts


def all_orders(server: ServerProcess) -> list[dict[str, Any]]:
    """Every order, page after page (newest first)."""
    orders: list[dict[str, Any]] = []
    query = "?limit=50"
    while True:
        page = server.request("GET", LIST_ORDERS.path() + query).json()
        orders += page["orders"]
        if not page["more"]:
            return orders
        query = f"?limit=50&before={page['next_before']}"


def all_events(server: ServerProcess, after: int = 0) -> list[dict[str, Any]]:
    """The display room's event log after ``after``, page after page (oldest first)."""
    events: list[dict[str, Any]] = []
    while True:
        page = server.request("GET", f"{EVENTS.path()}?room=display&after={after}").json()
        assert not page["reset"]
        events += page["events"]
        if not page["more"]:
            return events
        after = events[-1]["seq"]


@dataclass(frozen=True)
class Fed:
    returncode: int
    stderr: str
    sent: int
    counts: Counter[str]
    orders: list[dict[str, Any]]
    events: list[dict[str, Any]]
    seq: int

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == kind]

    def lines(self) -> list[dict[str, Any]]:
        return [item for order in self.orders for item in order["items"]]


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fed]:
    folder: Path = tmp_path_factory.mktemp("feed-depth")
    server = ServerProcess(folder / "kiosk.db", log_path=folder / "server.log")
    server.start()
    try:
        args = ["--rate", "1000", "--count", str(COUNT), "--seed", "3", "--tenants", "3", "--counters", "2"]
        result = run_feed(server, *args)
        sent, counts = summary_counts(result.stdout)
        yield Fed(
            result.returncode,
            result.stderr,
            sent,
            counts,
            all_orders(server),
            all_events(server),
            server.seq(),
        )
    finally:
        server.stop()


def test_the_feed_exits_cleanly_and_every_request_is_one_event(fed: Fed) -> None:
    assert fed.returncode == 0, fed.stderr
    assert fed.sent == COUNT
    assert "refused" not in fed.counts and "add-ons refused" not in fed.counts, fed.counts
    requests_counted = sum(number for name, number in fed.counts.items() if name not in SUBCOUNTS)
    assert requests_counted == COUNT == fed.seq == len(fed.events)


def test_every_line_carries_its_station_and_the_dish_allergens(fed: Fed) -> None:
    lines = fed.lines()
    for line in lines:
        dish = DISHES[line["name"]]
        assert line["station"] == dish.station and tuple(line["allergens"]) == dish.allergens, line
    assert {line["station"] for line in lines} == {dish.station for dish in MENU}
    assert any("peanut" in line["allergens"] for line in lines)


def test_some_orders_are_rush_and_some_are_scheduled(fed: Fed) -> None:
    rush = [order for order in fed.orders if order["priority"] == "rush"]
    assert fed.counts["rush orders"] >= 1 and fed.counts["rush later"] >= 1
    assert len(rush) == fed.counts["rush orders"] + fed.counts["rush later"]
    marked = fed.events_of("order_priority_changed")
    assert len(marked) == fed.counts["rush later"]
    assert all(event["data"]["new_priority"] == "rush" for event in marked)

    scheduled = [order for order in fed.orders if order["fire_at"] is not None]
    assert len(scheduled) == fed.counts["scheduled orders"] >= 1
    for order in scheduled:
        ahead = datetime.fromisoformat(order["fire_at"]) - datetime.fromisoformat(order["created_at"])
        assert 9 * 60 < ahead.total_seconds() <= 40 * 60 + 1, order
        assert 5 <= order["prep_minutes"] <= 15


def test_lines_are_bumped_one_by_one_and_the_feed_bumps_the_order_to_ready(fed: Fed) -> None:
    bumps = Counter(event["data"]["new_item_status"] for event in fed.events_of("order_item_status_changed"))
    assert bumps == {
        status: fed.counts[f"items {status}"]
        for status in ("started", "done", "voided")
        if fed.counts[f"items {status}"]
    }
    assert bumps["started"] and bumps["done"]
    lines = fed.lines()
    assert sum(line["status"] == "done" for line in lines) == fed.counts["items done"]  # never taken back
    voided = [line for line in lines if line["status"] == "voided"]
    assert len(voided) == fed.counts["items voided"] >= 1
    assert all(line["void_reason"] in VOID_REASONS for line in voided)
    # Bumped to ready by the ticket (no line touched) or once every line left is done, never half way.
    readied = [
        event["data"]
        for event in fed.events_of("order_status_changed")
        if event["data"]["new_status"] == "ready"
    ]
    assert readied
    by_line = 0
    for order in readied:
        live = [line["status"] for line in order["items"] if line["status"] != "voided"]
        assert live and (set(live) == {"done"} or set(live) == {"pending"}), order
        by_line += set(live) == {"done"}
    assert 0 < by_line < len(readied)


def test_add_ons_go_on_unpaid_open_orders(fed: Fed) -> None:
    added = fed.events_of("order_items_added")
    assert len(added) == fed.counts["add-ons"] >= 1
    for event in added:
        assert event["data"]["payment_status"] == "unpaid" and 1 <= len(event["data"]["added_item_ids"]) <= 2
    assert sum(line["added_at"] is not None for line in fed.lines()) == fed.counts["add-on lines"]


def test_every_order_is_where_the_feed_says_it_took_it(fed: Fed) -> None:
    statuses = Counter(order["status"] for order in fed.orders)
    assert len(fed.orders) == fed.counts["POST orders"] > 40
    assert statuses["cancelled"] == fed.counts["DELETE orders"]
    assert statuses["completed"] == fed.counts["POST qr"] + fed.counts["completed by kitchen"]
    assert sum(order["picked_up_at"] is not None for order in fed.orders) == fed.counts["POST qr"]
    assert sum(order["payment_status"] == "paid" for order in fed.orders) == fed.counts["POST payments"]
    assert len(fed.events_of("order_status_changed")) == fed.counts["PATCH orders"]
    assert set(statuses) <= {"pending", "preparing", "ready", "completed", "cancelled"}
    assert statuses["pending"] + statuses["preparing"] + statuses["ready"] <= MAX_OPEN


def test_the_feed_recovers_when_a_screen_moves_its_orders_first(server: ServerProcess) -> None:
    """In ``kiosk demo`` people bump and pay orders too: the feed's refusals are counted, never fatal."""
    feed = Feed(server.url, server.admin_token, random.Random(4), tenants=2, counters=1)
    for _ in range(60):
        feed.step()
    taken = [ticket.order for ticket in feed.open_orders if ticket.release_at <= feed.clock]  # not held ones
    for number, order in enumerate(taken):
        if number % 2:  # the cashier takes payment, or the kitchen screen cancels it, before the feed does
            pay = {"order_id": order["id"], "amount_paid": order["total_amount"], "payment_method": "qris"}
            assert server.request(
                "POST", CREATE_PAYMENT.path(), json={**pay, "counter_id": 1}
            ).status_code in (201, 409)
        else:
            cancelled = server.request(
                "DELETE", CANCEL_ORDER.path(order_id=order["id"]), json={"reason": "salah input"}
            )
            assert cancelled.status_code == 200, cancelled.text
    for _ in range(300):
        feed.step()
    assert feed.done["refused"] + feed.done["add-ons refused"] >= 1 and feed.done["read back"] >= 1, feed.done
    held = {order["id"]: order for order in all_orders(server)}
    worked = [ticket for ticket in feed.open_orders if ticket.release_at <= feed.clock]
    assert all(held[ticket.order["id"]]["status"] in ("pending", "preparing", "ready") for ticket in worked)
    assert len(feed.open_orders) <= MAX_OPEN
    assert sum(order["status"] in ("pending", "preparing", "ready") for order in held.values()) <= MAX_OPEN
