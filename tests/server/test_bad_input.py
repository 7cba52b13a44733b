"""Bad input, table-driven: the right status and error body, one log line, nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from kiosk.protocol.requests import MAX_BODY_BYTES
from tests.support.backend import table_rows
from tests.support.flows import advance, pay
from tests.support.server_process import ServerProcess, order_body


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"a": value}
    return value


DEEP = _deep(300)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # may use {pending}, {cancelled}, {paid_payment}, {refunded_payment}, {pending_qr}
    status: int
    code: str
    json: Any = None
    data: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    field: str | None = None
    says: str = ""  # a fragment the message must contain


def _item(**overrides: Any) -> dict[str, Any]:
    return {"name": "Soto Ayam", "qty": 1, "price": 20000, **overrides}


BIG = b'{"tenant_id": 1, "customer_name": "' + b"a" * (MAX_BODY_BYTES + 16) + b'", "items": []}'

CASES = [
    Case("malformed json", "POST", "/api/orders", 400, "malformed_json", data=b'{"tenant_id": 1,', says="not valid JSON"),
    Case("json array", "POST", "/api/orders", 400, "invalid_body", json=[1, 2], says="JSON object"),
    Case("empty body", "POST", "/api/orders", 400, "invalid_body", data=b"", says="empty"),
    Case("missing name", "POST", "/api/orders", 422, "missing_field", json={"tenant_id": 1, "items": [_item()]}, field="customer_name"),
    Case("tenant as text", "POST", "/api/orders", 422, "invalid_field", json=order_body(tenant_id="1"), field="tenant_id"),
    Case("tenant zero", "POST", "/api/orders", 422, "invalid_field", json=order_body(tenant_id=0), field="tenant_id"),
    Case("no items", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[]), field="items"),
    Case("negative qty", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[_item(qty=-1)]), field="items.0.qty"),
    Case("qty as text", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[_item(qty="2")]), field="items.0.qty"),
    Case("negative price", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[_item(price=-5)]), field="items.0.price"),
    Case("absurd price", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[_item(price=10**13)]), field="items.0.price"),
    Case("fractional price", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[_item(price=1.5)]), field="items.0.price"),
    Case("too many items", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[_item()] * 51), field="items"),
    Case("blank customer", "POST", "/api/orders", 422, "invalid_field", json=order_body(customer_name="   "), field="customer_name"),
    Case("unknown type", "POST", "/api/orders", 422, "invalid_field", json=order_body(type="drive_thru"), field="type", says="dine_in"),
    Case("unknown field", "POST", "/api/orders", 422, "unknown_field", json=order_body(discount=10), field="discount"),
    Case("body over 1 MiB", "POST", "/api/orders", 413, "body_too_large", data=BIG, says="1 MiB"),
    Case("status of unknown order", "PATCH", "/api/orders/999999/status", 404, "not_found", json={"status": "preparing"}),
    Case("unknown status", "PATCH", "/api/orders/{pending}/status", 422, "invalid_field", json={"status": "done"}, field="status", says="preparing"),
    Case("missing status", "PATCH", "/api/orders/{pending}/status", 422, "missing_field", json={}, field="status"),
    Case("skipping a step", "PATCH", "/api/orders/{pending}/status", 409, "invalid_transition", json={"status": "completed"}, says="may go to: cancelled, preparing"),
    Case("cancel by status", "PATCH", "/api/orders/{pending}/status", 409, "use_cancel", json={"status": "cancelled"}, says="DELETE"),
    Case("moving a cancelled order", "PATCH", "/api/orders/{cancelled}/status", 409, "invalid_transition", json={"status": "preparing"}, says="cannot change status"),
    Case("order id not a number", "PATCH", "/api/orders/abc/status", 404, "not_found", json={"status": "preparing"}),
    Case("cancel without reason", "DELETE", "/api/orders/{pending}", 422, "missing_field", json={}, field="reason"),
    Case("cancel unknown order", "DELETE", "/api/orders/999999", 404, "not_found", json={"reason": "x"}),
    Case("cancel twice", "DELETE", "/api/orders/{cancelled}", 409, "invalid_transition", json={"reason": "x"}),
    Case("pay unknown order", "POST", "/api/payments", 404, "not_found", json={"order_id": 999999, "amount_paid": 1, "payment_method": "cash", "counter_id": 1}),
    Case("pay too little", "POST", "/api/payments", 422, "insufficient_payment", json={"order_id": "{pending}", "amount_paid": 1000, "payment_method": "cash", "counter_id": 1}, field="amount_paid", says="less than the order total 55000"),
    Case("negative payment", "POST", "/api/payments", 422, "invalid_field", json={"order_id": "{pending}", "amount_paid": -1, "payment_method": "cash", "counter_id": 1}, field="amount_paid"),
    Case("unknown method", "POST", "/api/payments", 422, "invalid_field", json={"order_id": "{pending}", "amount_paid": 60000, "payment_method": "bitcoin", "counter_id": 1}, field="payment_method", says="qris"),
    Case("counter zero", "POST", "/api/payments", 422, "invalid_field", json={"order_id": "{pending}", "amount_paid": 60000, "payment_method": "cash", "counter_id": 0}, field="counter_id"),
    Case("pay twice", "POST", "/api/payments", 409, "already_paid", json={"order_id": "{paid_order}", "amount_paid": 60000, "payment_method": "cash", "counter_id": 1}, says="TRX-"),
    Case("refund unknown", "POST", "/api/payments/999999/refund", 404, "not_found", json={"reason": "x"}),
    Case("refund without reason", "POST", "/api/payments/{paid_payment}/refund", 422, "missing_field", json={}, field="reason"),
    Case("refund twice", "POST", "/api/payments/{refunded_payment}/refund", 409, "already_refunded", json={"reason": "x"}),
    Case("unknown qr", "POST", "/api/qr/scan", 404, "unknown_qr", json={"token": "q_nope"}, field="token"),
    Case("qr of a pending order", "POST", "/api/qr/scan", 409, "not_ready", json={"token": "{pending_qr}"}, says="needs the order to be ready"),
    Case("qr token as number", "POST", "/api/qr/scan", 422, "invalid_field", json={"token": 5}, field="token"),
    Case("notification negative user", "POST", "/api/notifications", 422, "invalid_field", json={"user_id": -1, "type": "x"}, field="user_id"),
    Case("notification without type", "POST", "/api/notifications", 422, "missing_field", json={"user_id": 1}, field="type"),
    Case("alert unknown severity", "POST", "/api/alerts", 422, "invalid_field", json={"severity": "panic", "message": "x"}, field="severity"),
    Case("alert empty message", "POST", "/api/alerts", 422, "invalid_field", json={"severity": "info", "message": ""}, field="message"),
    Case("alert message too long", "POST", "/api/alerts", 422, "invalid_field", json={"severity": "info", "message": "x" * 501}, field="message"),
    Case("catch-up without room", "GET", "/api/events?after=0", 422, "missing_field", field="room"),
    Case("catch-up unknown room", "GET", "/api/events?room=kitchen", 422, "invalid_room", field="room", says="display, board, kasir-N"),
    Case("catch-up negative after", "GET", "/api/events?room=display&after=-1", 422, "invalid_field", field="after"),
    Case("catch-up after not a number", "GET", "/api/events?room=display&after=x", 422, "invalid_field", field="after"),
    Case("orders bad tenant filter", "GET", "/api/orders?tenant_id=abc", 422, "invalid_field", field="tenant_id"),
    Case("orders page of none", "GET", "/api/orders?limit=0", 422, "invalid_field", field="limit"),
    Case("orders page too large", "GET", "/api/orders?limit=5001", 422, "invalid_field", field="limit", says="between 1 and 5000"),
    Case("orders page before not a number", "GET", "/api/orders?before=last", 422, "invalid_field", field="before"),
    Case("payments bad since", "GET", "/api/payments?since=yesterday", 422, "invalid_field", field="since"),
    Case("unknown endpoint", "GET", "/api/nope", 404, "not_found"),
    Case("wrong method", "PUT", "/api/orders", 405, "method_not_allowed", says="GET"),
    Case("name with a control character", "POST", "/api/orders", 422, "invalid_field", json=order_body(customer_name="Budi\x07"), field="customer_name", says="control characters (found U+0007)"),
    Case("name of zero-width spaces only", "POST", "/api/orders", 422, "invalid_field", json=order_body(customer_name="\u200b\u200b\u200d"), field="customer_name", says="must contain a visible character"),
    Case("item name with an escape sequence", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[{"name": "Sate\x1b[2J", "qty": 1, "price": 1000}]), field="items.0.name"),
    Case("cancel reason with a line break", "DELETE", "/api/orders/{pending}", 422, "invalid_field", json={"reason": "habis\nstok"}, field="reason"),
    Case("tenant no room can name", "POST", "/api/orders", 422, "invalid_field", json=order_body(tenant_id=1_000_000_000), field="tenant_id"),
    Case("order no payment could settle", "POST", "/api/orders", 422, "invalid_field", json=order_body(items=[{"name": "Catering", "qty": 999, "price": 2_000_000}]), says="more than a payment may be"),
    Case("order id past 64 bits", "PATCH", "/api/orders/99999999999999999999999/status", 404, "not_found", json={"status": "preparing"}),
    Case("order id past 64 bits, read", "GET", "/api/orders/99999999999999999999999", 404, "not_found"),
    Case("payment id past 64 bits", "POST", "/api/payments/18446744073709551616/refund", 404, "not_found", json={"reason": "x"}),
    Case("notification data 300 deep", "POST", "/api/notifications", 422, "invalid_field", json={"user_id": 1, "type": "x", "data": DEEP}, field="data", says="nested more than"),
    Case("idempotency key too long", "POST", "/api/orders", 422, "invalid_field", json=order_body(), headers={"Idempotency-Key": "k" * 201}, field="Idempotency-Key"),
]  # fmt: skip


@pytest.fixture(scope="module")
def ids(shared_server: ServerProcess) -> dict[str, Any]:
    """The entities the table refers to."""
    pending = shared_server.create_order(1)  # total 2 × 25000 + 5000 = 55000
    cancelled = shared_server.create_order(1)
    assert shared_server.request("DELETE", f"/api/orders/{cancelled['id']}", json={"reason": "habis"}).ok
    paid_order = advance(shared_server, shared_server.create_order(2), "preparing")
    paid = pay(shared_server, paid_order, counter_id=1)
    refunded = pay(shared_server, shared_server.create_order(2), counter_id=1)
    assert shared_server.request("POST", f"/api/payments/{refunded['id']}/refund", json={"reason": "x"}).ok
    return {
        "pending": pending["id"],
        "pending_qr": pending["qr_token"],
        "cancelled": cancelled["id"],
        "paid_order": paid_order["id"],
        "paid_payment": paid["id"],
        "refunded_payment": refunded["id"],
    }


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value and "}" in value else value
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def db_fingerprint(server: ServerProcess) -> dict[str, Any]:
    """Every table's rows, read straight from the database (a second reader is fine)."""
    return table_rows(server.db_path, server.database_url)


@pytest.fixture
def unchanged(shared_server: ServerProcess, ids: dict[str, Any]) -> Iterator[None]:
    before_db = db_fingerprint(shared_server)
    before_api = (
        shared_server.request("GET", "/api/orders").json(),
        shared_server.request("GET", "/api/payments").json(),
    )
    yield
    after_api = (
        shared_server.request("GET", "/api/orders").json(),
        shared_server.request("GET", "/api/payments").json(),
    )
    assert after_api == before_api
    assert db_fingerprint(shared_server) == before_db


def _log_lines(server: ServerProcess, needle: str) -> int:
    return sum(needle in line for line in server.log_path.read_text(errors="replace").splitlines())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input_is_refused_and_changes_nothing(
    case: Case, shared_server: ServerProcess, ids: dict[str, Any], unchanged: None
) -> None:
    path = case.path.format(**ids)
    marker = f"{case.method} {path.split('?')[0]} by admin refused {case.status}"
    logged_before = _log_lines(shared_server, marker)
    response = shared_server.request(
        case.method,
        path,
        json=_fill(case.json, ids),
        data=case.data,
        headers={"Content-Type": "application/json", **case.headers}
        if case.data is not None
        else case.headers,
    )
    assert response.status_code == case.status, response.text
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == case.code, error
    assert error["message"]
    assert case.says in error["message"]
    if case.field is not None:
        assert error.get("field") == case.field
    assert _log_lines(shared_server, marker) == logged_before + 1, "each refusal is logged exactly once"


def test_tokens_never_reach_the_log(shared_server: ServerProcess) -> None:
    token = shared_server.add_device("log-check", ["display"])
    shared_server.request("GET", "/api/stats", token=token)
    shared_server.request("GET", "/api/orders", token=token + "x")
    text = shared_server.log_path.read_text(errors="replace")
    assert token not in text and shared_server.admin_token not in text


def test_direction_overrides_are_dropped_and_notes_keep_their_line_breaks(
    shared_server: ServerProcess,
) -> None:
    """ "Budi\u202egnp.exe" would read backwards on every screen; a note may span lines."""
    body = order_body(
        customer_name="Budi\u202egnp.exe\u202c",
        items=[{"name": "Sate Ayam", "qty": 1, "price": 30000, "notes": "pedas\nkuah dipisah"}],
    )
    created = shared_server.request("POST", "/api/orders", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["customer_name"] == "Budignp.exe"
    assert created.json()["items"][0]["notes"] == "pedas\nkuah dipisah"


def test_a_chunked_body_over_the_cap_is_refused_not_truncated(shared_server: ServerProcess) -> None:
    """Without a Content-Length the cap must still hold: the first MiB alone parses as a valid alert."""
    alert = b'{"severity": "info", "message": "chunked"}'
    padding = b" " * (MAX_BODY_BYTES + 512 * 1024)

    def chunks() -> Iterator[bytes]:
        yield alert
        for start in range(0, len(padding), 64 * 1024):
            yield padding[start : start + 64 * 1024]

    seq = shared_server.seq()
    response = requests.post(
        f"{shared_server.url}/api/alerts",
        data=chunks(),
        headers={"Authorization": f"Bearer {shared_server.admin_token}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "body_too_large"
    assert shared_server.seq() == seq  # nothing was written
