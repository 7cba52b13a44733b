"""The REST API under /api: thin handlers that validate, authorise and call the domain."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, request

from kiosk.protocol import Order, Payment, ProtocolError, iso, parse_room
from kiosk.protocol.requests import (
    CancelOrder,
    ChangeStatus,
    CreateAlert,
    CreateNotification,
    CreateOrder,
    CreatePayment,
    RefundPayment,
    ScanQr,
)
from server import messages, orders, payments, policy
from server.config import MAX_ORDERS_PAGE, ORDERS_PAGE, ServerConfig
from server.errors import ApiError
from server.jsonio import json_response
from server.stats import stats_body
from server.web import body, forbid, hub, principal, query_int, transact

api = Blueprint("api", __name__, url_prefix="/api")
_NO = ("0", "false", "no")


def _config() -> ServerConfig:
    return current_app.extensions["kiosk_config"]  # type: ignore[no-any-return]


@api.get("/health")
def health() -> Response:
    return json_response({"status": "ok", "seq": hub().seq})


@api.get("/stats")
def stats() -> Response:
    policy.check_admin(principal(), "read server statistics")
    return json_response(stats_body())


@api.post("/orders")
def create_order() -> Response:
    who = principal()
    request_body = body(CreateOrder)
    policy.check_create_order(who, request_body.tenant_id)
    return transact(lambda tx: orders.dump(orders.create(tx, request_body)), 201)


@api.get("/orders")
def list_orders() -> Response:
    """Active orders whole (a screen's snapshot); history a page at a time, newest page first."""
    scope = policy.order_scope(principal())
    # ``?active``, ``?active=1`` and ``?active=true`` all mean active only; ``?active=0|false|no`` do not.
    active = request.args.get("active", "false" if "active" not in request.args else "").lower() not in _NO
    tenant_id = query_int("tenant_id", minimum=1)
    limit = query_int("limit", minimum=1)
    if limit is not None and limit > MAX_ORDERS_PAGE:
        raise ApiError(422, "invalid_field", f"limit must be between 1 and {MAX_ORDERS_PAGE}", "limit")
    if limit is None and not active:
        limit = ORDERS_PAGE
    before_id = query_int("before", minimum=1)
    with hub().read() as conn:
        found, more = orders.find(
            conn, active=active, tenant_ids=scope, tenant_id=tenant_id, limit=limit, before_id=before_id
        )
        seq = hub().seq
    page: dict[str, object] = {"orders": [orders.dump(order) for order in found], "seq": seq, "more": more}
    if more:
        page["next_before"] = found[0].id  # ask again with ?before= for the page before this one
    return json_response(page)


@api.get("/orders/<int:order_id>")
def get_order(order_id: int) -> Response:
    who = principal()
    with hub().read() as conn:
        order, _ = orders.load(conn, order_id)
    policy.check_read_order(who, order)
    return json_response(orders.dump(order))


@api.patch("/orders/<int:order_id>/status")
def change_status(order_id: int) -> Response:
    who = principal()
    request_body = body(ChangeStatus)

    def authorize(order: Order) -> None:
        policy.check_change_order(who, order)

    return transact(
        lambda tx: orders.dump(
            orders.change_status(tx, order_id, request_body.status, _config().recall_window_s, authorize)
        )
    )


@api.delete("/orders/<int:order_id>")
def cancel_order(order_id: int) -> Response:
    who = principal()
    request_body = body(CancelOrder)

    def authorize(order: Order) -> None:
        policy.check_change_order(who, order)

    return transact(lambda tx: orders.dump(orders.cancel(tx, order_id, request_body, authorize)))


@api.post("/payments")
def create_payment() -> Response:
    who = principal()
    request_body = body(CreatePayment)
    policy.check_take_payment(who, request_body.counter_id)
    return transact(lambda tx: payments.dump(payments.process(tx, request_body)), 201)


@api.get("/payments")
def list_payments() -> Response:
    visible = policy.payment_scope(principal())
    counter_id = query_int("counter_id", minimum=1)
    since_text = request.args.get("since")
    since = None
    if since_text:
        try:
            since = iso(datetime.fromisoformat(since_text))
        except ValueError:
            raise ApiError(
                422, "invalid_field", "since must be an ISO-8601 time, e.g. 2026-11-26T08:00:00Z", "since"
            ) from None
    with hub().read() as conn:
        found = payments.find(conn, counter_id=counter_id, since=since, visible=visible)
        seq = hub().seq
    return json_response({"payments": [payments.dump(payment) for payment in found], "seq": seq})


@api.post("/payments/<int:payment_id>/refund")
def refund_payment(payment_id: int) -> Response:
    who = principal()
    request_body = body(RefundPayment)

    def authorize(payment: Payment) -> None:
        policy.check_refund(who, payment)

    return transact(lambda tx: payments.dump(payments.refund(tx, payment_id, request_body, authorize)))


@api.post("/qr/scan")
def scan_qr() -> Response:
    who = principal()
    request_body = body(ScanQr)
    return transact(
        lambda tx: orders.scan_qr(tx, request_body.token, lambda order: policy.check_scan(who, order))
    )


@api.post("/notifications")
def notify() -> Response:
    policy.check_admin(principal(), "send notifications")
    request_body = body(CreateNotification)
    return transact(lambda tx: messages.notify(tx, request_body), 201)


@api.post("/alerts")
def alert() -> Response:
    policy.check_admin(principal(), "send alerts")
    request_body = body(CreateAlert)
    return transact(lambda tx: messages.alert(tx, request_body), 201)


@api.get("/events")
def catch_up() -> Response:
    """Events of ``room`` after ``after``; with ``more: true`` ask again from the last seq received."""
    who = principal()
    room_text = request.args.get("room")
    if room_text is None:
        raise ApiError(
            422, "missing_field", "room is required, e.g. /api/events?room=display&after=0", "room"
        )
    try:
        room = parse_room(room_text)
    except ProtocolError as exc:
        raise ApiError(422, exc.code, exc.message, "room") from None
    if not who.may_join(room):
        allowed = ", ".join(sorted(str(r) for r in who.rooms)) or "none"
        raise forbid(who, f"read the events of {room}", f"it may read the events of: {allowed}")
    after = query_int("after", minimum=0) or 0
    result = hub().catch_up(str(room), after, _config().catch_up_page)
    return json_response(
        {"events": result.events, "seq": result.seq, "reset": result.reset, "more": result.more}
    )
