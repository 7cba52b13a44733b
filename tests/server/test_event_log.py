"""The event log: gapless ordered seq, catch-up of exactly what was missed, retention."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kiosk.protocol.requests import CreateAlert
from server import db, messages
from server.clock import SystemClock
from server.hub import PRUNE_BATCH, PRUNE_MAX_ROWS, Hub
from tests.server.conftest import ClientFactory
from tests.support.flows import advance, pay
from tests.support.server_process import ServerProcess


def test_seq_is_gapless_and_ordered_under_concurrent_writers(
    server: ServerProcess, clients: ClientFactory
) -> None:
    display = clients(server.url, server.add_device("kitchen", ["display"]))
    assert display.emit("join-display")["ok"]

    def burst(tenant: int) -> None:
        for _ in range(10):
            order = server.create_order(tenant)
            advance(server, order, "preparing")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(burst, [1, 2, 3, 4]))
    assert server.seq() == 80
    got = display.wait_count(80)
    assert [env["seq"] for _, env in got] == list(range(1, 81))
    assert len({env["event_id"] for _, env in got}) == 80
    # The log replays the very same envelopes.
    log = server.request("GET", "/api/events?room=display&after=0").json()
    assert log == {"events": [env for _, env in got], "seq": 80, "reset": False, "more": False}


def test_catch_up_returns_exactly_what_a_disconnected_client_missed(
    server: ServerProcess, clients: ClientFactory
) -> None:
    token = server.add_device("stall-1", ["tenant-1"])
    steady = clients(server.url, token)  # never disconnects: the reference
    flaky = clients(server.url, token)
    for client in (steady, flaky):
        assert client.emit("join-tenant", 1)["ok"]
    first = server.create_order(1)
    server.create_order(2)
    last_seen = flaky.wait_count(1)[-1][1]["seq"]
    flaky.disconnect()

    advance(server, first, "ready")
    server.create_order(2)
    pay(server, first, counter_id=2)
    server.request("POST", "/api/alerts", json={"severity": "warning", "message": "listrik padam sebentar"})
    server.request("POST", "/api/notifications", json={"user_id": 3, "type": "x", "data": {}})
    server.create_order(1)

    missed = server.request("GET", f"/api/events?room=tenant-1&after={last_seen}", token=token).json()
    reference = [env for _, env in steady.wait_seq(server.seq())]
    expected = [env for env in reference if env["seq"] > last_seen]
    assert missed["events"] == expected
    assert [env["type"] for env in missed["events"]] == [
        "order_status_changed", "order_status_changed", "payment_processed", "alert", "order_created",
    ]  # fmt: skip
    assert missed["seq"] == server.seq() and missed["reset"] is False

    # Reconnect: the join ack's seq is where live events continue.
    again = clients(server.url, token)
    ack = again.emit("join-tenant", 1)
    assert ack["seq"] == server.seq()
    server.create_order(1)
    (_, live), *_ = again.wait_count(1)
    assert live["seq"] == ack["seq"] + 1


def test_catch_up_past_the_retention_says_reset(tmp_path: Path) -> None:
    process = ServerProcess(tmp_path / "k.db", extra_args=["--retention-events", "5"])
    process.start()
    try:
        for _ in range(20):
            process.create_order(1)
        stats = process.request("GET", "/api/stats").json()
        assert stats["seq"] == 20 and 0 < stats["pruned_through"] <= 15
        stale = process.request("GET", "/api/events?room=display&after=0").json()
        assert stale == {"events": [], "seq": 20, "reset": True, "more": False}
        recent = process.request("GET", "/api/events?room=display&after=17").json()
        assert [env["seq"] for env in recent["events"]] == [18, 19, 20] and recent["reset"] is False
        # The snapshot a client reloads after a reset carries the seq to catch up from.
        snapshot = process.request("GET", "/api/orders?active").json()
        assert len(snapshot["orders"]) == 20 and snapshot["seq"] == 20
    finally:
        process.stop()


def test_kill_and_restart_keeps_orders_payments_and_seq(tmp_path: Path, clients: ClientFactory) -> None:
    process = ServerProcess(tmp_path / "k.db")
    process.start()
    try:
        orders = [process.create_order(tenant) for tenant in (1, 1, 2)]
        advance(process, orders[0], "ready")
        payment = pay(process, orders[1], counter_id=1, amount_paid=200000)
        before_orders = process.request("GET", "/api/orders").json()
        before_payments = process.request("GET", "/api/payments").json()
        before_log = process.request("GET", "/api/events?room=display&after=0").json()
        assert before_orders["seq"] == 6

        process.kill()
        assert not process.running
        process.start()

        assert process.request("GET", "/api/orders").json() == before_orders
        assert process.request("GET", "/api/payments").json() == before_payments
        assert process.request("GET", "/api/events?room=display&after=0").json() == before_log
        display = clients(process.url, process.admin_token)
        assert display.emit("join-display")["seq"] == 6
        new = process.create_order(1)
        assert new["order_number"] == "T1-003"  # numbering continues too
        (_, envelope), *_ = display.wait_count(1)
        assert envelope["seq"] == 7
        again = process.request("POST", "/api/payments", json={**_pay_body(payment), "amount_paid": 999999})
        assert again.status_code == 409  # the payment survived: no second payment for that order
    finally:
        process.stop()


def _pay_body(payment: dict[str, object]) -> dict[str, object]:
    return {"order_id": payment["order_id"], "amount_paid": payment["amount_paid"], "payment_method": "cash",
            "counter_id": payment["counter_id"]}  # fmt: skip


def test_pruning_goes_in_small_batches_and_works_a_backlog_off_a_batch_at_a_time(tmp_path: Path) -> None:
    """A tenth of the retention at once made one write in 10 000 take ~70 ms (every other write waited)."""

    def alerts(hub: Hub, count: int) -> list[int]:
        pruned = []
        for n in range(count):
            with hub.write() as tx:
                messages.alert(tx, CreateAlert(severity="info", message=f"m{n}"))
            pruned.append(hub.pruned_through)
        return pruned

    path, kept = tmp_path / "k.db", 10_000
    hub = Hub(db.connect(path), SystemClock(), retention_events=kept)
    steps = alerts(hub, kept + 3 * PRUNE_BATCH)
    assert (
        steps[kept + PRUNE_BATCH - 1] == 0 and steps[kept + PRUNE_BATCH] == PRUNE_BATCH + 1
    )  # a batch past it
    assert max(b - a for a, b in itertools.pairwise(steps)) <= PRUNE_BATCH + 1
    hub.close()
    lowered = Hub(db.connect(path), SystemClock(), retention_events=10)  # a backlog of ~10 000
    backlog = alerts(lowered, 3)
    assert backlog[0] - steps[-1] == PRUNE_MAX_ROWS  # never the whole backlog in one write
    assert backlog[-1] == lowered.seq - 10 or backlog[-1] - backlog[-2] == PRUNE_MAX_ROWS
    with lowered.read() as conn:
        assert conn.execute("SELECT MIN(seq) FROM events").fetchone()[0] == backlog[-1] + 1
    lowered.close()
