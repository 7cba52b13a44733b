"""Each event reaches exactly the rooms of the AUDIENCE table, once per socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kiosk.protocol import AUDIENCE, EVERYONE, Event, rooms_for
from tests.server.conftest import ClientFactory
from tests.support.flows import advance, pay
from tests.support.server_process import ServerProcess
from tests.support.socket_client import RecordingClient

ROOMS = ["display", "kasir-1", "kasir-2", "tenant-1", "tenant-2", "user-1", "user-2"]

Trigger = Callable[[ServerProcess], Callable[[], Any]]


def _status_changed(server: ServerProcess) -> Callable[[], Any]:
    order = server.create_order(1)
    return lambda: server.request("PATCH", f"/api/orders/{order['id']}/status", json={"status": "preparing"})


def _cancelled(server: ServerProcess) -> Callable[[], Any]:
    order = server.create_order(1)
    return lambda: server.request("DELETE", f"/api/orders/{order['id']}", json={"reason": "stok habis"})


def _paid(server: ServerProcess) -> Callable[[], Any]:
    order = server.create_order(1)
    return lambda: pay(server, order, counter_id=1)


def _refunded(server: ServerProcess) -> Callable[[], Any]:
    payment = pay(server, server.create_order(1), counter_id=1)
    return lambda: server.request(
        "POST", f"/api/payments/{payment['id']}/refund", json={"reason": "salah menu"}
    )


def _scanned(server: ServerProcess) -> Callable[[], Any]:
    order = advance(server, server.create_order(1), "ready")
    return lambda: server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]})


def _item_started(server: ServerProcess) -> Callable[[], Any]:
    order = server.create_order(1)
    item_id = order["items"][0]["id"]
    return lambda: server.request(
        "PATCH", f"/api/orders/{order['id']}/items/{item_id}/status", json={"status": "started"}
    )


def _rushed(server: ServerProcess) -> Callable[[], Any]:
    order = server.create_order(1)
    return lambda: server.request("PATCH", f"/api/orders/{order['id']}/priority", json={"priority": "rush"})


def _added(server: ServerProcess) -> Callable[[], Any]:
    order = server.create_order(1)
    line = {"name": "Es Teh Manis", "qty": 1, "price": 5000}
    return lambda: server.request("POST", f"/api/orders/{order['id']}/items", json={"items": [line]})


TRIGGERS: dict[Event, Trigger] = {
    Event.ORDER_CREATED: lambda server: lambda: server.create_order(1),
    Event.ORDER_STATUS_CHANGED: _status_changed,
    Event.ORDER_CANCELLED: _cancelled,
    Event.ORDER_ITEM_STATUS_CHANGED: _item_started,
    Event.ORDER_PRIORITY_CHANGED: _rushed,
    Event.ORDER_ITEMS_ADDED: _added,
    Event.PAYMENT_PROCESSED: _paid,
    Event.PAYMENT_REFUNDED: _refunded,
    Event.QR_SCANNED: _scanned,
    Event.NOTIFICATION: lambda server: (
        lambda: server.request(
            "POST",
            "/api/notifications",
            json={"user_id": 1, "type": "order_ready", "data": {"order": "T1-001"}},
        )
    ),
    Event.ALERT: lambda server: (
        lambda: server.request(
            "POST", "/api/alerts", json={"severity": "warning", "message": "printer dapur offline"}
        )
    ),
}


def test_every_event_of_the_contract_has_a_trigger_here() -> None:
    assert set(TRIGGERS) == set(AUDIENCE)


@pytest.fixture(scope="module")
def listeners(shared_server: ServerProcess) -> dict[str, RecordingClient]:
    """One admin socket per room (the admin may join any room): routing is by room alone."""
    made: dict[str, RecordingClient] = {}
    for room in ROOMS:
        client = RecordingClient(shared_server.url, shared_server.admin_token)
        client.connect()
        ack = client.join(room)
        assert ack["ok"] is True and ack["room"] == room, ack
        made[room] = client
    yield made
    for client in made.values():
        client.disconnect()


@pytest.mark.parametrize("event", list(AUDIENCE), ids=lambda event: event.value)
def test_event_reaches_exactly_its_rooms(
    event: Event, shared_server: ServerProcess, listeners: dict[str, RecordingClient]
) -> None:
    trigger = TRIGGERS[event](shared_server)
    before = shared_server.seq()
    response = trigger()
    if hasattr(response, "status_code"):
        assert response.status_code in (200, 201), response.text
    event_seq = before + 1
    assert shared_server.seq() == event_seq
    # A sentinel alert reaches every socket after the event (per-socket order is seq order),
    # so once it arrived, a socket that should have had the event has it.
    sentinel = shared_server.request("POST", "/api/alerts", json={"severity": "info", "message": "sentinel"})
    assert sentinel.status_code == 201
    expected = rooms_for(event, tenant_id=1, counter_id=1, user_id=1)
    for room, client in listeners.items():
        got = client.wait_seq(event_seq + 1)
        hits = [(name, env) for name, env in got if env["seq"] == event_seq]
        should = expected == [EVERYONE] or room in expected
        assert len(hits) == (1 if should else 0), f"{event} in {room}: {client.summary()}"
        if should:
            name, envelope = hits[0]
            assert name == event.value
            assert envelope["type"] == event.type


def test_a_socket_in_several_rooms_gets_each_event_once(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    client = clients(shared_server.url, shared_server.admin_token)
    for room in ("display", "tenant-3", "kasir-3"):
        assert client.join(room)["ok"]
    order = shared_server.create_order(3)
    pay(shared_server, order, counter_id=3)
    seq = shared_server.seq()
    got = client.wait_seq(seq)
    assert [name for name, _ in got] == [Event.ORDER_CREATED.value, Event.PAYMENT_PROCESSED.value]


def test_tenant_device_never_receives_another_tenants_events(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    tenant2 = clients(shared_server.url, shared_server.add_device("stall-2", ["tenant-2"]))
    assert tenant2.emit("join-tenant", 2)["ok"]
    order = advance(shared_server, shared_server.create_order(1), "ready")
    pay(shared_server, order, counter_id=1)
    shared_server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]})
    own = shared_server.create_order(2)
    got = tenant2.wait_seq(shared_server.seq())
    assert [env["data"]["tenant_id"] for _, env in got] == [2]
    assert got[0][1]["data"]["id"] == own["id"]
    # and the catch-up endpoint agrees: tenant-2's log holds only tenant 2's events
    log = shared_server.request("GET", "/api/events?room=tenant-2&after=0", token=tenant2.token).json()
    assert {env["data"]["tenant_id"] for env in log["events"] if "tenant_id" in env["data"]} == {2}


def test_event_data_is_the_full_entity_plus_what_changed(
    shared_server: ServerProcess, clients: ClientFactory
) -> None:
    client = clients(shared_server.url, shared_server.admin_token)
    assert client.emit("join-tenant", "4")["ok"]
    order = shared_server.create_order(4)
    advance(shared_server, order, "ready")
    payment = pay(shared_server, order, counter_id=2, amount_paid=100000)
    scan = shared_server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]})
    assert scan.status_code == 200, scan.text
    got = client.wait_seq(shared_server.seq())
    by_type = [env["type"] for _, env in got]
    assert by_type == [
        "order_created",
        "order_status_changed",
        "order_status_changed",
        "payment_processed",
        "qr_scanned",
    ]
    created, preparing, ready, paid, scanned = (env["data"] for _, env in got)
    assert created == order
    assert preparing["previous_status"] == "pending" and preparing["new_status"] == "preparing"
    assert ready["status"] == "ready" and ready["version"] == 3
    assert ready["items"] == order["items"] and ready["customer_name"] == order["customer_name"]
    assert paid == payment
    assert paid["order"]["payment_status"] == "paid" and paid["change"] == 100000 - order["total_amount"]
    final = shared_server.request("GET", f"/api/orders/{order['id']}").json()
    assert {
        k: v for k, v in scanned.items() if k not in ("scanned_at", "token", "previous_status", "new_status")
    } == final
    assert (scanned["previous_status"], scanned["new_status"]) == ("ready", "completed")
    assert final["status"] == "completed" and final["picked_up_at"] == scanned["scanned_at"]
    envelope = got[0][1]
    assert set(envelope) == {"event_id", "seq", "type", "timestamp", "data"}
    assert len(envelope["event_id"]) == 32 and envelope["timestamp"].endswith("Z")
