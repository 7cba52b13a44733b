"""The REST API under /api: thin handlers that validate, authorise and call the domain."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import orjson
from flask import Blueprint, Response, request

from kiosk.protocol import Order, Payment, ProtocolError, iso, parse_room, start_of_local_day
from kiosk.protocol import api as api_routes
from kiosk.protocol.board import board_view
from kiosk.protocol.requests import (
    AddItems,
    CancelOrder,
    ChangeItemStatus,
    ChangePriority,
    ChangeStatus,
    CloseStale,
    CreateAlert,
    CreateNotification,
    CreateOrder,
    CreatePayment,
    RefundPayment,
    ScanQr,
)
from server import (
    event_reads,
    messages,
    openapi,
    order_items,
    order_lists,
    order_rows,
    orders,
    payments,
    policy,
    prep_report,
    stale_orders,
)
from server.auth import Principal
from server.config import MAX_ORDERS_PAGE, ORDERS_PAGE, ServerConfig
from server.database import Connection
from server.db import get_meta
from server.errors import ApiError
from server.jsonio import json_response
from server.read_pool import in_snapshot
from server.state import server_state
from server.stats import stats_body
from server.web import body, forbid, hub, principal, query_int, transact

api = Blueprint("api", __name__, url_prefix=api_routes.API_PREFIX)
_NO = ("0", "false", "no")


T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Response])


def _route(route: api_routes.Route) -> Callable[[F], F]:
    """Register a handler on the rule and method declared in kiosk/protocol/api.py (never spelled here)."""
    return api.route(route.flask_rule, methods=[route.method])


def _config() -> ServerConfig:
    return server_state().config


def _limit_large_reads(who: Principal) -> None:
    """429 for a device asking for whole lists faster than a screen ever does (server/read_limiter.py).

    The admin token is the operator's own (reports, scripts paging through history): not limited.
    """
    if who.is_admin:
        return
    limiter = server_state().read_limiter
    wait = limiter.take(who.name)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "too_many_large_reads",
            f"this token asked for whole lists too often; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def _from_snapshot(read: Callable[[Connection], T]) -> T:
    """``read`` in one read transaction on a read connection of its own, without the hub's lock.

    Under gevent it runs on a native thread (``kiosk_run_blocking``, set by ``run``): SQLite works
    there without the GIL while the event loop goes on broadcasting.
    """
    run: Callable[[Callable[[], T]], T] = server_state().run_blocking or _here
    with hub().reads.connection() as conn:
        return run(lambda: in_snapshot(conn, read))


def _here(call: Callable[[], Any]) -> Any:
    return call()


@_route(api_routes.HEALTH)
def health() -> Response:
    return json_response({"status": "ok", "seq": hub().seq})


@_route(api_routes.OPENAPI)
def openapi_document() -> Response:
    """The API described (server/openapi.py): no token, it reveals no data."""
    return Response(openapi.document_json(), mimetype="application/json")


@_route(api_routes.STATS)
def stats() -> Response:
    policy.check_admin(principal(), "read server statistics")
    return json_response(stats_body())


@_route(api_routes.CREATE_ORDER)
def create_order() -> Response:
    who = principal()
    request_body = body(CreateOrder)
    policy.check_create_order(who, request_body.tenant_id)
    return transact(
        lambda tx: order_rows.dump(orders.create(tx, request_body)), api_routes.CREATE_ORDER.status
    )


@_route(api_routes.LIST_ORDERS)
def list_orders() -> Response:
    """Active orders whole (a screen's snapshot); history a page at a time, newest page first.

    A customer board's token gets the board's view of the open orders (kiosk/protocol/board.py).
    """
    who = principal()
    if policy.is_board_only(who):
        return _board_orders(who)
    scope = policy.order_scope(who)
    # ``?active``, ``?active=1`` and ``?active=true`` all mean active only; ``?active=0|false|no`` do not.
    active = request.args.get("active", "false" if "active" not in request.args else "").lower() not in _NO
    tenant_id = query_int("tenant_id", minimum=1)
    limit = query_int("limit", minimum=1)
    if limit is not None and limit > MAX_ORDERS_PAGE:
        raise ApiError(422, "invalid_field", f"limit must be between 1 and {MAX_ORDERS_PAGE}", "limit")
    if limit is None and not active:
        limit = ORDERS_PAGE
    before_id = query_int("before", minimum=1)
    _limit_large_reads(who)
    body = _from_snapshot(
        lambda conn: order_lists.find_page(
            conn, active=active, tenant_ids=scope, tenant_id=tenant_id, limit=limit, before_id=before_id
        ).to_json()
    )
    return Response(body, mimetype="application/json")


def _board_orders(who: Principal) -> Response:
    tenant_id = query_int("tenant_id", minimum=1)
    _limit_large_reads(who)

    def read(conn: Connection) -> bytes:
        seq = int(get_meta(conn, "seq") or 0)
        where, args = "status IN ('pending', 'preparing', 'ready')", []
        if tenant_id is not None:
            where, args = where + " AND tenant_id = ?", [tenant_id]
        ids = [row[0] for row in conn.execute(f"SELECT id FROM orders WHERE {where} ORDER BY id", args)]  # noqa: S608
        views = [board_view(order) for order in order_rows.load_many(conn, ids)]
        return orjson.dumps({"orders": views, "seq": seq, "more": False})

    return Response(_from_snapshot(read), mimetype="application/json")


@_route(api_routes.GET_ORDER)
def get_order(order_id: int) -> Response:
    who = principal()
    with hub().read() as conn:
        order, _ = order_rows.load(conn, order_id)
    policy.check_read_order(who, order)
    return json_response(order_rows.dump(order))


@_route(api_routes.ORDER_STATUS)
def change_status(order_id: int) -> Response:
    who = principal()
    request_body = body(ChangeStatus)

    def authorize(order: Order) -> None:
        policy.check_change_order(who, order)

    return transact(
        lambda tx: order_rows.dump(
            orders.change_status(tx, order_id, request_body.status, _config().recall_window_s, authorize)
        )
    )


@_route(api_routes.CANCEL_ORDER)
def cancel_order(order_id: int) -> Response:
    who = principal()
    request_body = body(CancelOrder)

    def authorize(order: Order) -> None:
        policy.check_change_order(who, order)

    return transact(lambda tx: order_rows.dump(orders.cancel(tx, order_id, request_body, authorize)))


@_route(api_routes.ITEM_STATUS)
def change_item_status(order_id: int, item_id: int) -> Response:
    """A cook starts, finishes, takes back or voids one line (server/order_items.py has the rules)."""
    who = principal()
    request_body = body(ChangeItemStatus)

    def authorize(order: Order) -> None:
        policy.check_change_order(who, order)

    return transact(
        lambda tx: order_rows.dump(
            order_items.change_item_status(tx, order_id, item_id, request_body, authorize)
        )
    )


@_route(api_routes.ORDER_PRIORITY)
def change_priority(order_id: int) -> Response:
    who = principal()
    request_body = body(ChangePriority)

    def authorize(order: Order) -> None:
        policy.check_change_order(who, order)

    return transact(
        lambda tx: order_rows.dump(order_items.change_priority(tx, order_id, request_body, authorize))
    )


@_route(api_routes.ADD_ITEMS)
def add_items(order_id: int) -> Response:
    who = principal()
    request_body = body(AddItems)

    def authorize(order: Order) -> None:
        policy.check_add_items(who, order)

    return transact(
        lambda tx: order_rows.dump(order_items.add_items(tx, order_id, request_body, authorize)),
        api_routes.ADD_ITEMS.status,
    )


@_route(api_routes.CLOSE_STALE)
def close_stale() -> Response:
    """The admin's end-of-day close: open orders older than asked (or the server's age) are cancelled."""
    policy.check_admin(principal(), "close stale orders")
    request_body = body(CloseStale)
    minutes = request_body.older_than_minutes
    older_than_s = _config().auto_close_after_s if minutes is None else minutes * 60
    if older_than_s is None:
        raise ApiError(
            422,
            "missing_field",
            "this server closes nothing by age (--auto-close-after 0): send older_than_minutes",
            "older_than_minutes",
        )
    closed = stale_orders.close_stale(hub(), older_than_s=older_than_s)
    return json_response({"closed": [order.order_number for order in closed], "count": len(closed)})


@_route(api_routes.PREP_TIMES)
def prep_times() -> Response:
    """Prep times of one local day; ``?format=csv`` for a spreadsheet.  A tenant sees its own only."""
    who = principal()
    day_text = request.args.get("date")
    try:
        day = date.fromisoformat(day_text) if day_text else start_of_local_day(_config().clock.now()).date()
        if not date.min < day < date.max:  # its bounds must exist: 9999-12-31 overflowed into a 500
            raise ValueError(day_text)
    except ValueError:
        raise ApiError(422, "invalid_field", "date must be a day such as 2026-12-03", "date") from None
    tenant_id = policy.report_scope(who, query_int("tenant_id", minimum=1))
    wanted = request.args.get("format", "json")
    if wanted not in ("json", "csv"):
        raise ApiError(422, "invalid_field", "format must be json or csv", "format")
    _limit_large_reads(who)
    report = _from_snapshot(lambda conn: prep_report.prep_times(conn, day, tenant_id))
    if wanted == "json":
        return json_response(report)
    suffix = "" if tenant_id is None else f"-tenant-{tenant_id}"
    return Response(
        prep_report.to_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="prep-times-{day.isoformat()}{suffix}.csv"'},
    )


@_route(api_routes.CREATE_PAYMENT)
def create_payment() -> Response:
    who = principal()
    request_body = body(CreatePayment)
    policy.check_take_payment(who, request_body.counter_id)
    return transact(
        lambda tx: payments.dump(payments.process(tx, request_body)), api_routes.CREATE_PAYMENT.status
    )


@_route(api_routes.LIST_PAYMENTS)
def list_payments() -> Response:
    who = principal()
    visible = policy.payment_scope(who)
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
    _limit_large_reads(who)

    def read(conn: Connection) -> bytes:
        seq = int(get_meta(conn, "seq") or 0)  # the same transaction as the payments: they agree
        found = payments.find(conn, counter_id=counter_id, since=since, visible=visible)
        return orjson.dumps({"payments": [payments.dump(payment) for payment in found], "seq": seq})

    return Response(_from_snapshot(read), mimetype="application/json")


@_route(api_routes.REFUND_PAYMENT)
def refund_payment(payment_id: int) -> Response:
    who = principal()
    request_body = body(RefundPayment)

    def authorize(payment: Payment) -> None:
        policy.check_refund(who, payment)

    return transact(lambda tx: payments.dump(payments.refund(tx, payment_id, request_body, authorize)))


@_route(api_routes.SCAN_QR)
def scan_qr() -> Response:
    who = principal()
    request_body = body(ScanQr)
    return transact(
        lambda tx: orders.scan_qr(tx, request_body.token, lambda order: policy.check_scan(who, order))
    )


@_route(api_routes.NOTIFY)
def notify() -> Response:
    policy.check_admin(principal(), "send notifications")
    request_body = body(CreateNotification)
    return transact(lambda tx: messages.notify(tx, request_body), api_routes.NOTIFY.status)


@_route(api_routes.ALERT)
def alert() -> Response:
    policy.check_admin(principal(), "send alerts")
    request_body = body(CreateAlert)
    return transact(lambda tx: messages.alert(tx, request_body), api_routes.ALERT.status)


@_route(api_routes.EVENTS)
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
    limit = _config().catch_up_page
    # Not a large read (every screen asks after each reconnect): no limit, but no hub lock either.
    body = _from_snapshot(lambda conn: event_reads.find_page(conn, str(room), after, limit).to_json())
    return Response(body, mimetype="application/json")
