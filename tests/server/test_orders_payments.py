"""Orders, payments, QR pick-ups and idempotent retries through the real REST API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from tests.support.flows import advance, pay
from tests.support.server_process import ServerProcess, order_body


def test_order_numbers_totals_and_versions(shared_server: ServerProcess) -> None:
    first = shared_server.create_order(11)
    second = shared_server.create_order(11)
    other = shared_server.create_order(12)
    assert (first["order_number"], second["order_number"], other["order_number"]) == (
        "T11-001",
        "T11-002",
        "T12-001",
    )
    assert first["total_amount"] == 2 * 25000 + 5000 and first["items_count"] == 3
    assert first["status"] == "pending" and first["version"] == 1 and first["payment_status"] == "unpaid"
    assert first["qr_token"] != second["qr_token"]
    assert first["items"][0] == {
        "id": 1, "name": "Nasi Goreng Spesial", "qty": 2, "price": 25000, "notes": "pedas",
        "modifiers": ["telur ceplok"], "station": None, "category": None, "allergens": [], "status": "pending",
        "void_reason": None, "added_at": None, "started_at": None, "done_at": None,
    }  # fmt: skip
    assert [item["id"] for item in first["items"]] == [1, 2]
    assert first["priority"] == "normal" and first["fire_at"] is None
    moved = advance(shared_server, first, "completed")
    assert moved["status"] == "completed" and moved["version"] == 4
    assert shared_server.request("GET", f"/api/orders/{first['id']}").json() == moved


def test_order_lists_filter_and_carry_their_seq(shared_server: ServerProcess) -> None:
    active = shared_server.create_order(13)
    done = advance(shared_server, shared_server.create_order(13), "completed")
    cancelled = shared_server.create_order(13)
    shared_server.request("DELETE", f"/api/orders/{cancelled['id']}", json={"reason": "stok habis"})
    listing = shared_server.request("GET", "/api/orders?active&tenant_id=13").json()
    assert [order["id"] for order in listing["orders"]] == [active["id"]]
    assert listing["seq"] == shared_server.seq()
    assert shared_server.request("GET", "/api/orders?active=1&tenant_id=13").json() == listing
    assert len(shared_server.request("GET", "/api/orders?active=false&tenant_id=13").json()["orders"]) == 3
    everything = shared_server.request("GET", "/api/orders?tenant_id=13").json()["orders"]
    assert [order["id"] for order in everything] == [active["id"], done["id"], cancelled["id"]]
    assert everything[2]["cancel_reason"] == "stok habis" and everything[2]["status"] == "cancelled"


def test_payment_change_reference_and_refund(shared_server: ServerProcess) -> None:
    order = shared_server.create_order(14)
    payment = pay(shared_server, order, counter_id=2, amount_paid=100000, method="cash")
    assert payment["amount"] == 55000 and payment["change"] == 45000
    today = datetime.now(UTC)
    assert payment["reference"] == f"TRX-{today:%Y%m%d}-{payment['id']:06d}"
    assert (
        payment["order"]["payment_status"] == "paid" and payment["order"]["version"] == order["version"] + 1
    )
    assert (
        payment["tenant_id"] == 14
        and payment["counter_id"] == 2
        and payment["order_number"] == order["order_number"]
    )
    refund = shared_server.request(
        "POST", f"/api/payments/{payment['id']}/refund", json={"reason": "salah menu"}
    )
    assert refund.status_code == 200
    refunded = refund.json()
    assert (
        refunded["status"] == "refunded"
        and refunded["refund_reason"] == "salah menu"
        and refunded["refunded_at"]
    )
    assert refunded["order"]["payment_status"] == "refunded"
    shift = shared_server.request(
        "GET", f"/api/payments?counter_id=2&since={(today - timedelta(hours=1)):%Y-%m-%dT%H:%M:%SZ}"
    )
    assert refunded in shift.json()["payments"]
    assert (
        shared_server.request("GET", "/api/payments?counter_id=2&since=2999-01-01T00:00:00Z").json()[
            "payments"
        ]
        == []
    )


def test_qr_pickup_completes_a_ready_order(shared_server: ServerProcess) -> None:
    order = advance(shared_server, shared_server.create_order(15), "ready")
    scan = shared_server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]})
    assert scan.status_code == 200
    assert scan.json()["status"] == "completed" and scan.json()["picked_up_at"] == scan.json()["scanned_at"]
    again = shared_server.request("POST", "/api/qr/scan", json={"token": order["qr_token"]})
    assert again.status_code == 409 and "is completed" in again.json()["error"]["message"]
    recalled = shared_server.request("PATCH", f"/api/orders/{order['id']}/status", json={"status": "ready"})
    assert recalled.status_code == 200 and recalled.json()["picked_up_at"] is None


def test_idempotent_post_retried_three_times_creates_one_order(shared_server: ServerProcess) -> None:
    headers = {"Idempotency-Key": "retry-7f3a"}
    before = len(shared_server.request("GET", "/api/orders?tenant_id=16").json()["orders"])
    seq = shared_server.seq()
    answers = [
        shared_server.request("POST", "/api/orders", json=order_body(16), headers=headers) for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "Idempotent-Replayed" not in answers[0].headers
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert len(shared_server.request("GET", "/api/orders?tenant_id=16").json()["orders"]) == before + 1
    assert shared_server.seq() == seq + 1  # one event, not three


def test_concurrent_retries_with_one_key_still_create_one_order(shared_server: ServerProcess) -> None:
    headers = {"Idempotency-Key": "burst-91c2"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: shared_server.request("POST", "/api/orders", json=order_body(17), headers=headers),
                range(8),
            )
        )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert len(shared_server.request("GET", "/api/orders?tenant_id=17").json()["orders"]) == 1


def test_idempotency_keys_are_per_caller_and_per_path(shared_server: ServerProcess) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    token = shared_server.add_device("counter-18", ["kasir-18"])
    mine = shared_server.request("POST", "/api/orders", json=order_body(18), headers=headers)
    theirs = shared_server.request("POST", "/api/orders", json=order_body(18), headers=headers, token=token)
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]
    other_path = shared_server.request(
        "POST", "/api/alerts", json={"severity": "info", "message": "x"}, headers=headers
    )
    assert other_path.status_code == 422
    assert other_path.json()["error"]["code"] == "idempotency_key_reused"
    assert "POST /api/orders" in other_path.json()["error"]["message"]


def test_a_key_reused_for_a_different_body_is_refused_not_replayed(shared_server: ServerProcess) -> None:
    """Replaying the first answer would leave the second order silently uncreated."""
    headers = {"Idempotency-Key": "reused-4b1d"}
    first = shared_server.request("POST", "/api/orders", json=order_body(20), headers=headers)
    assert first.status_code == 201
    reordered = dict(reversed(list(order_body(20).items())))  # the same request, keys in another order
    again = shared_server.request("POST", "/api/orders", json=reordered, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = shared_server.request(
        "POST", "/api/orders", json={**order_body(20), "customer_name": "Someone else"}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "different body" in other.json()["error"]["message"]
    assert len(shared_server.request("GET", "/api/orders?tenant_id=20").json()["orders"]) == 1


def test_a_refused_request_is_not_remembered_under_its_key(shared_server: ServerProcess) -> None:
    order = shared_server.create_order(19)
    headers = {"Idempotency-Key": "pay-after-topup"}
    body = {"order_id": order["id"], "amount_paid": 1000, "payment_method": "cash", "counter_id": 1}
    assert shared_server.request("POST", "/api/payments", json=body, headers=headers).status_code == 422
    retried = shared_server.request(
        "POST", "/api/payments", json={**body, "amount_paid": 60000}, headers=headers
    )
    assert retried.status_code == 201 and retried.json()["change"] == 5000
