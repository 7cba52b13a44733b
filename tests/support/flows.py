"""Multi-step REST flows the tests repeat: move an order along, pay it."""

from __future__ import annotations

from typing import Any

from tests.support.server_process import ServerProcess

_PATH = {
    "preparing": ["preparing"],
    "ready": ["preparing", "ready"],
    "completed": ["preparing", "ready", "completed"],
}


def advance(server: ServerProcess, order: dict[str, Any], status: str) -> dict[str, Any]:
    """PATCH an order through the status machine up to ``status``; returns the order."""
    for step in _PATH[status]:
        response = server.request("PATCH", f"/api/orders/{order['id']}/status", json={"status": step})
        assert response.status_code == 200, response.text
        order = response.json()
    return order


def pay(
    server: ServerProcess, order: dict[str, Any], *, counter_id: int = 1, amount_paid: int | None = None,
    method: str = "cash",
) -> dict[str, Any]:  # fmt: skip
    response = server.request(
        "POST",
        "/api/payments",
        json={
            "order_id": order["id"],
            "amount_paid": order["total_amount"] if amount_paid is None else amount_paid,
            "payment_method": method,
            "counter_id": counter_id,
        },
    )
    assert response.status_code == 201, response.text
    payment: dict[str, Any] = response.json()
    return payment
