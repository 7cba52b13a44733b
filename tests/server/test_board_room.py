"""The customer board's room carries number, status, tenant and a first name, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kiosk.protocol.board import BOARD_FIELDS
from tests.server.conftest import ClientFactory
from tests.support.flows import advance
from tests.support.server_process import ServerProcess

# What the order of order_body() holds that a customer must never see on the board.
SECRETS = ("Nasi Goreng", "Es Teh", "pedas", "telur ceplok", "25000", "55000", "Santoso", "A7", "q_")


@pytest.fixture(scope="module")
def board_token(shared_server: ServerProcess) -> str:
    return shared_server.add_device("board-1", ["board"])


def _assert_safe(envelope: dict[str, Any]) -> None:
    data = envelope["data"]
    assert set(data) <= BOARD_FIELDS, sorted(set(data) - BOARD_FIELDS)
    text = json.dumps(envelope)
    for secret in SECRETS:
        assert secret not in text, (secret, text)


def test_the_board_gets_each_status_move_and_never_lines_amounts_or_notes(
    shared_server: ServerProcess, clients: ClientFactory, board_token: str
) -> None:
    board = clients(shared_server.url, board_token)
    assert board.join("board")["ok"]
    kitchen = clients(shared_server.url, shared_server.admin_token)
    assert kitchen.join("display")["ok"]
    order = shared_server.create_order(31)
    started = shared_server.request(
        "PATCH", f"/api/orders/{order['id']}/items/1/status", json={"status": "started"}
    ).json()  # pending → preparing: the board hears it
    shared_server.request("PATCH", f"/api/orders/{order['id']}/items/1/status", json={"status": "done"})
    shared_server.request("PATCH", f"/api/orders/{order['id']}/priority", json={"priority": "rush"})
    ready = shared_server.request(
        "PATCH", f"/api/orders/{order['id']}/status", json={"status": "ready"}
    ).json()
    scan = shared_server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]})
    assert scan.status_code == 200 and started["status"] == "preparing" and ready["status"] == "ready"
    last = shared_server.seq()
    seen_by_kitchen = kitchen.wait_seq(last)
    assert len(seen_by_kitchen) == 6
    got = board.wait_seq(last)
    assert [(name, envelope["data"]["status"]) for name, envelope in got] == [
        ("order:created", "pending"),
        ("order:item_status_changed", "preparing"),
        ("order:status_changed", "ready"),
        ("qr:scanned", "completed"),
    ]
    for _, envelope in got:
        _assert_safe(envelope)
        assert (
            envelope["data"]["customer_name"] == "Budi"
            and envelope["data"]["order_number"] == order["order_number"]
        )
    # The same events, same seq and id as the kitchen's: one change, one seq, whoever hears it.
    kitchen_ids = {envelope["seq"]: envelope["event_id"] for _, envelope in seen_by_kitchen}
    assert all(kitchen_ids[envelope["seq"]] == envelope["event_id"] for _, envelope in got)


def test_the_board_catch_up_and_snapshot_are_the_safe_views_too(
    shared_server: ServerProcess, board_token: str
) -> None:
    before = shared_server.seq()
    open_order = shared_server.create_order(32)
    cancelled = shared_server.create_order(32)
    shared_server.request("DELETE", f"/api/orders/{cancelled['id']}", json={"reason": "pelanggan pergi"})
    advance(shared_server, open_order, "preparing")
    page = shared_server.request("GET", f"/api/events?room=board&after={before}", token=board_token).json()
    assert [envelope["type"] for envelope in page["events"]] == [
        "order_created", "order_created", "order_cancelled", "order_status_changed",
    ]  # fmt: skip
    for envelope in page["events"]:
        _assert_safe(envelope)
        assert "pelanggan" not in json.dumps(envelope)  # a cancel's reason is a note too
    snapshot = shared_server.request("GET", "/api/orders?active&tenant_id=32", token=board_token).json()
    assert [(order["id"], order["status"]) for order in snapshot["orders"]] == [
        (open_order["id"], "preparing")
    ]
    for order in snapshot["orders"]:
        _assert_safe({"data": order})
    assert snapshot["seq"] == shared_server.seq()


def test_a_board_token_reads_nothing_else_and_changes_nothing(
    shared_server: ServerProcess, clients: ClientFactory, board_token: str
) -> None:
    order = shared_server.create_order(33)
    before = shared_server.seq()
    for method, path, body in (
        ("GET", f"/api/orders/{order['id']}", None),
        ("GET", "/api/payments", None),
        ("GET", "/api/reports/prep-times", None),
        ("GET", "/api/events?room=display&after=0", None),
        ("PATCH", f"/api/orders/{order['id']}/status", {"status": "preparing"}),
        ("PATCH", f"/api/orders/{order['id']}/items/1/status", {"status": "started"}),
        ("PATCH", f"/api/orders/{order['id']}/priority", {"priority": "rush"}),
    ):
        refused = shared_server.request(method, path, json=body, token=board_token)
        assert refused.status_code in (403, 404), (path, refused.status_code, refused.text)
        assert "Nasi" not in refused.text
    assert shared_server.seq() == before
    socket = clients(shared_server.url, board_token)
    assert socket.join("display")["ok"] is False and socket.join("tenant-33")["ok"] is False


def test_alerts_reach_the_board_as_they_reach_everyone(
    shared_server: ServerProcess, clients: ClientFactory, board_token: str
) -> None:
    board = clients(shared_server.url, board_token)
    assert board.join("board")["ok"]
    sent = shared_server.request("POST", "/api/alerts", json={"severity": "info", "message": "Antrian ramai"})
    assert sent.status_code == 201
    got = board.wait_seq(shared_server.seq())
    assert got[-1][0] == "alert" and got[-1][1]["data"]["message"] == "Antrian ramai"
