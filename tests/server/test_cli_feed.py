"""The console entry points: the demo feed against a real server, and the CLI's help."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from typing import Any

from server.feed import MAX_OPEN
from tests.server.test_feed_depth import all_events
from tests.support.server_process import ServerProcess


def test_demo_feed_posts_realistic_bounded_traffic(server: ServerProcess) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "demo-feed", "--url", server.url, "--token", server.admin_token,
         "--rate", "500", "--count", "150", "--seed", "7", "--tenants", "3", "--counters", "2"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("demo-feed: 150 requests") and "refused" not in summary, summary
    orders = server.request("GET", "/api/orders").json()["orders"]
    assert {order["tenant_id"] for order in orders} == {1, 2, 3}
    statuses = Counter(order["status"] for order in orders)
    assert statuses["completed"] and statuses["cancelled"] and statuses["preparing"] + statuses["ready"]
    assert any(order["picked_up_at"] for order in orders)
    rung_up = [sum(item["added_at"] is None for item in order["items"]) for order in orders]
    assert all(1 <= lines <= 6 for lines in rung_up)  # add-ons come on top
    assert any(item["notes"] for order in orders for item in order["items"])
    payments = server.request("GET", "/api/payments").json()["payments"]
    assert {payment["counter_id"] for payment in payments} == {1, 2}
    assert {payment["payment_method"] for payment in payments} >= {"cash", "qris"}
    assert all(payment["change"] >= 0 for payment in payments)
    # Every accepted write is one event in the log.
    assert server.seq() == 150


def test_demo_feed_keeps_the_open_orders_bounded(server: ServerProcess) -> None:
    """A long demo is a busy food court, not an ever-growing one (800 open orders after 30 minutes)."""
    result = subprocess.run(
        [sys.executable, "-m", "server", "demo-feed", "--url", server.url, "--token", server.admin_token,
         "--rate", "1000", "--count", "800", "--seed", "3"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    orders = server.request("GET", "/api/orders?limit=1000").json()["orders"]
    still_open = [order for order in orders if order["status"] in ("pending", "preparing", "ready")]
    assert len(orders) > 100  # it kept creating orders ...
    assert len(still_open) <= MAX_OPEN, len(still_open)  # ... and kept finishing them


def test_demo_feed_is_reproducible_with_a_seed(server: ServerProcess) -> None:
    """The same seed sends the same requests: the same orders, lines, bumps, add-ons, voids and payments.

    Compared through the event log (one event per accepted write), with what differs between two
    runs on one server taken out: ids and numbers (an order is named by its place in the run),
    QR tokens and times (a scheduled order's ``fire_at`` only as being there).
    """

    def run() -> list[tuple[Any, ...]]:
        after = server.seq()
        subprocess.run(
            [sys.executable, "-m", "server", "demo-feed", "--url", server.url, "--token", server.admin_token,
             "--rate", "500", "--count", "300", "--seed", "11"],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        events = all_events(server, after)
        assert len(events) == 300
        return [fingerprint(event, events) for event in events]

    first = run()
    kinds = {step[0] for step in first}
    assert kinds >= {"order_created", "order_item_status_changed", "order_items_added", "payment_processed"}
    assert run() == first


def fingerprint(event: dict[str, Any], run: list[dict[str, Any]]) -> tuple[Any, ...]:
    """What one event says the feed asked for, without what naturally differs from run to run."""
    data = event["data"]
    if event["type"] == "alert":
        return ("alert", data["severity"], data["message"])
    created = [e["data"]["id"] for e in run if e["type"] == "order_created"]
    order = data.get("order", data)  # a payment carries its order
    lines = tuple(
        (line["id"], line["name"], line["qty"], line["price"], line["notes"], tuple(line["modifiers"]),
         line["station"], tuple(line["allergens"]), line["status"], line["void_reason"], line["added_at"] is None)
        for line in order["items"]
    )  # fmt: skip
    facts = (
        created.index(order["id"]),
        order["tenant_id"],
        order["customer_name"],
        order["type"],
        order["table"],
    )
    state = (order["status"], order["payment_status"], order["priority"], order["total_amount"])
    scheduled = (order["fire_at"] is not None, order["prep_minutes"])
    paid = tuple(data.get(key) for key in ("amount_paid", "payment_method", "counter_id", "change"))
    return (event["type"], facts, state, scheduled, lines, paid, data.get("item_id"), data.get("reason"))


def test_demo_feed_without_a_token_explains_itself(server: ServerProcess) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "demo-feed", "--url", server.url, "--count", "1"],
        capture_output=True, text=True, timeout=60, check=False, env={"PATH": "/usr/bin"},
    )  # fmt: skip
    assert result.returncode == 2 and "KIOSK_ADMIN_TOKEN" in result.stderr


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    for command in ("run", "devices", "demo-feed"):
        assert command in result.stdout


def test_demo_feed_with_a_duration_stops_by_itself(server: ServerProcess) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "demo-feed", "--url", server.url, "--token", server.admin_token,
         "--rate", "20", "--duration", "1", "--seed", "3"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sent = int(result.stdout.strip().splitlines()[-1].split()[1])
    assert 1 <= sent <= 21 and server.seq() == sent


def test_run_logs_where_it_listens_and_what_it_serves(server: ServerProcess) -> None:
    server.add_device("kitchen", ["display"])
    server.stop()
    server.start()
    start_lines = [line for line in server.log_path.read_text().splitlines() if "listening on" in line]
    assert len(start_lines) == 2
    where = server.database_url or str(server.db_path)
    assert f"http://127.0.0.1:{server.port}" in start_lines[-1] and where in start_lines[-1]
    assert "async mode gevent" in start_lines[-1] and "1 device(s)" in start_lines[-1]
