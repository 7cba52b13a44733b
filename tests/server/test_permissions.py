"""What each device may do over REST, derived from its rooms (table-driven)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.support.flows import advance, pay
from tests.support.server_process import ServerProcess, order_body

DEVICES = {
    "display": ["display"],
    "kasir-1": ["kasir-1", "display"],
    "kasir-2only": ["kasir-2"],
    "tenant-1": ["tenant-1"],
    "tenant-2": ["tenant-2"],
    "user-1": ["user-1"],
}


@pytest.fixture(scope="module")
def tokens(shared_server: ServerProcess) -> dict[str, str]:
    return {name: shared_server.add_device(f"perm-{name}", rooms) for name, rooms in DEVICES.items()}


Action = Callable[[ServerProcess, str], requests.Response]


def _create_t1(server: ServerProcess, token: str) -> requests.Response:
    return server.request("POST", "/api/orders", json=order_body(1), token=token)


def _bump_t1(server: ServerProcess, token: str) -> requests.Response:
    order = server.create_order(1)
    return server.request(
        "PATCH", f"/api/orders/{order['id']}/status", json={"status": "preparing"}, token=token
    )


def _cancel_t1(server: ServerProcess, token: str) -> requests.Response:
    order = server.create_order(1)
    return server.request("DELETE", f"/api/orders/{order['id']}", json={"reason": "x"}, token=token)


def _pay_counter_1(server: ServerProcess, token: str) -> requests.Response:
    order = server.create_order(1)
    body = {"order_id": order["id"], "amount_paid": 55000, "payment_method": "qris", "counter_id": 1}
    return server.request("POST", "/api/payments", json=body, token=token)


def _refund_counter_1(server: ServerProcess, token: str) -> requests.Response:
    payment = pay(server, server.create_order(1), counter_id=1)
    return server.request("POST", f"/api/payments/{payment['id']}/refund", json={"reason": "x"}, token=token)


def _scan_t1(server: ServerProcess, token: str) -> requests.Response:
    order = advance(server, server.create_order(1), "ready")
    return server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]}, token=token)


def _alert(server: ServerProcess, token: str) -> requests.Response:
    return server.request("POST", "/api/alerts", json={"severity": "info", "message": "x"}, token=token)


def _list_orders(server: ServerProcess, token: str) -> requests.Response:
    return server.request("GET", "/api/orders", token=token)


ACTIONS: dict[str, Action] = {
    "create order tenant 1": _create_t1,
    "bump tenant 1 order": _bump_t1,
    "cancel tenant 1 order": _cancel_t1,
    "pay at counter 1": _pay_counter_1,
    "refund at counter 1": _refund_counter_1,
    "scan tenant 1 pick-up": _scan_t1,
    "send alert": _alert,
    "list orders": _list_orders,
}

# action → devices allowed (everyone else gets 403)
ALLOWED: dict[str, set[str]] = {
    "create order tenant 1": {"kasir-1", "kasir-2only", "tenant-1"},
    "bump tenant 1 order": {"display", "kasir-1", "tenant-1"},  # kasir-1 also holds display
    "cancel tenant 1 order": {"display", "kasir-1", "tenant-1"},
    "pay at counter 1": {"kasir-1"},
    "refund at counter 1": {"kasir-1"},
    "scan tenant 1 pick-up": {"display", "kasir-1", "tenant-1"},
    "send alert": set(),
    "list orders": {"display", "kasir-1", "kasir-2only", "tenant-1", "tenant-2"},
}


# action → devices that may not even see the entity: 404, as a GET answers, never a 403 naming it
HIDDEN: dict[str, dict[str, str]] = {
    "bump tenant 1 order": {"tenant-2": "not_found"},
    "cancel tenant 1 order": {"tenant-2": "not_found"},
    "refund at counter 1": {"tenant-2": "not_found", "kasir-2only": "not_found"},
    "scan tenant 1 pick-up": {"tenant-2": "unknown_qr"},
}


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_device_permissions(
    action: str, device: str, shared_server: ServerProcess, tokens: dict[str, str]
) -> None:
    response = ACTIONS[action](shared_server, tokens[device])
    if device in ALLOWED[action]:
        assert response.status_code in (200, 201), response.text
    elif device in HIDDEN.get(action, {}):
        assert response.status_code == 404, response.text
        error = response.json()["error"]
        assert error["code"] == HIDDEN[action][device]
        assert "tenant 1" not in error["message"] and "T1-" not in error["message"]
    else:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert f"perm-{device}" in error["message"] and "may not" in error["message"]


def test_tenant_lists_only_its_own_orders_and_payments(
    shared_server: ServerProcess, tokens: dict[str, str]
) -> None:
    pay(shared_server, shared_server.create_order(2), counter_id=1)
    pay(shared_server, shared_server.create_order(1), counter_id=1)
    orders: list[dict[str, Any]] = shared_server.request(
        "GET", "/api/orders", token=tokens["tenant-2"]
    ).json()["orders"]
    assert orders and {order["tenant_id"] for order in orders} == {2}
    payments = shared_server.request("GET", "/api/payments", token=tokens["tenant-2"]).json()["payments"]
    assert payments and {payment["tenant_id"] for payment in payments} == {2}
    counter2 = shared_server.request("GET", "/api/payments", token=tokens["kasir-2only"]).json()["payments"]
    assert counter2 == []  # no payment was taken at counter 2
    t1_order = shared_server.create_order(1)
    hidden = shared_server.request("GET", f"/api/orders/{t1_order['id']}", token=tokens["tenant-2"])
    assert hidden.status_code == 404
