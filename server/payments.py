"""Payments at the counters: change, one payment per order, refunds, each with its event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.protocol import Event, Order, Payment, PaymentStatus, iso, rooms_for
from kiosk.protocol.requests import CreatePayment, RefundPayment
from server import order_rows
from server.database import Connection, Row, in_list
from server.db import MAX_ROW_ID
from server.errors import ApiError
from server.hub import Tx

_COLUMNS = (
    "id, order_id, counter_id, amount, amount_paid, change, payment_method, reference, status, version, "
    "refund_reason, refunded_at, created_at"
)


def _to_model(row: Row, order: Order) -> Payment:
    return Payment(
        id=row["id"],
        order_id=row["order_id"],
        order_number=order.order_number,
        tenant_id=order.tenant_id,
        counter_id=row["counter_id"],
        amount=row["amount"],
        amount_paid=row["amount_paid"],
        change=row["change"],
        payment_method=row["payment_method"],
        reference=row["reference"],
        status=row["status"],
        version=row["version"],
        refund_reason=row["refund_reason"],
        refunded_at=row["refunded_at"],
        created_at=row["created_at"],
        order=order,
    )


def load(conn: Connection, payment_id: int) -> Payment:
    if not 0 < payment_id <= MAX_ROW_ID:  # a URL id past 64 bits: SQLite cannot even compare it
        raise ApiError(404, "not_found", f"no payment with id {payment_id}", "id")
    row = conn.execute(f"SELECT {_COLUMNS} FROM payments WHERE id = ?", (payment_id,)).fetchone()  # noqa: S608
    if row is None:
        raise ApiError(404, "not_found", f"no payment with id {payment_id}", "id")
    order, _ = order_rows.load(conn, row["order_id"])
    return _to_model(row, order)


def find(
    conn: Connection,
    *,
    counter_id: int | None,
    since: str | None,
    visible: tuple[frozenset[int], frozenset[int]] | None,
) -> list[Payment]:
    """Payments oldest first; ``visible`` = (counter ids, tenant ids) a device may see, None for all."""
    where: list[str] = []
    args: list[Any] = []
    if counter_id is not None:
        where.append("p.counter_id = ?")
        args.append(counter_id)
    if since is not None:
        where.append("p.created_at >= ?")
        args.append(since)
    if visible is not None:
        counters, tenants = visible
        counter_marks, counter_ids = in_list(sorted(counters))
        tenant_marks, tenant_ids = in_list(sorted(tenants))
        where.append(f"(p.counter_id IN {counter_marks} OR o.tenant_id IN {tenant_marks})")
        args.extend(counter_ids)
        args.extend(tenant_ids)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    columns = ", ".join(f"p.{name.strip()}" for name in _COLUMNS.split(","))
    rows = conn.execute(
        f"SELECT {columns} FROM payments p JOIN orders o ON o.id = p.order_id{clause} ORDER BY p.id",  # noqa: S608
        args,
    ).fetchall()
    return [_to_model(row, order_rows.load(conn, row["order_id"])[0]) for row in rows]


def dump(payment: Payment) -> dict[str, Any]:
    return payment.model_dump(mode="json")


def process(tx: Tx, request: CreatePayment) -> Payment:
    order, _ = order_rows.load(tx.conn, request.order_id)
    existing = tx.conn.execute("SELECT reference FROM payments WHERE order_id = ?", (order.id,)).fetchone()
    if existing is not None:
        raise ApiError(
            409, "already_paid", f"order {order.order_number} is already paid ({existing[0]})", "order_id"
        )
    if order.status.value == "cancelled":
        raise ApiError(
            409, "order_cancelled", f"order {order.order_number} is cancelled; it cannot be paid", "order_id"
        )
    if request.amount_paid < order.total_amount:
        raise ApiError(
            422,
            "insufficient_payment",
            f"amount_paid {request.amount_paid} is less than the order total {order.total_amount}",
            "amount_paid",
        )
    now = tx.clock.now()
    cursor = tx.conn.execute(
        "INSERT INTO payments (order_id, counter_id, amount, amount_paid, change, payment_method, reference, "
        "status, version, created_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, 1, ?) RETURNING id",
        (
            order.id,
            request.counter_id,
            order.total_amount,
            request.amount_paid,
            request.amount_paid - order.total_amount,
            request.payment_method.value,
            PaymentStatus.PAID.value,
            iso(now),
        ),
    )
    payment_id = int(cursor.fetchone()[0])
    reference = f"TRX-{now:%Y%m%d}-{payment_id:06d}"
    tx.conn.execute("UPDATE payments SET reference = ? WHERE id = ?", (reference, payment_id))
    # The order snapshot changed (payment_status), so its version moves too.
    tx.conn.execute(
        "UPDATE orders SET payment_status = ?, version = version + 1, updated_at = ? WHERE id = ?",
        (PaymentStatus.PAID.value, iso(now), order.id),
    )
    payment = load(tx.conn, payment_id)
    tx.publish(Event.PAYMENT_PROCESSED, _rooms(Event.PAYMENT_PROCESSED, payment), dump(payment))
    return payment


def refund(tx: Tx, payment_id: int, request: RefundPayment, authorize: Callable[[Payment], None]) -> Payment:
    payment = load(tx.conn, payment_id)
    authorize(payment)
    if payment.status == PaymentStatus.REFUNDED.value:
        raise ApiError(
            409,
            "already_refunded",
            f"payment {payment.reference} was already refunded at {payment.refunded_at}",
        )
    now = iso(tx.clock.now())
    tx.conn.execute(
        "UPDATE payments SET status = ?, refund_reason = ?, refunded_at = ?, version = version + 1 WHERE id = ?",
        (PaymentStatus.REFUNDED.value, request.reason, now, payment_id),
    )
    tx.conn.execute(
        "UPDATE orders SET payment_status = ?, version = version + 1, updated_at = ? WHERE id = ?",
        (PaymentStatus.REFUNDED.value, now, payment.order_id),
    )
    after = load(tx.conn, payment_id)
    tx.publish(Event.PAYMENT_REFUNDED, _rooms(Event.PAYMENT_REFUNDED, after), dump(after))
    return after


def _rooms(event: Event, payment: Payment) -> list[str]:
    return rooms_for(event, tenant_id=payment.tenant_id, counter_id=payment.counter_id)
