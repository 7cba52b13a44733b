"""Changes to an open order's lines and priority: a cook's item bump, an add-on, a rush.

Each is one write with one full-snapshot order event (server/order_events.py).
Rules the screens rely on (docs/kitchen.md):

- A line's status moves pending → started → done and back (a bump bar is
  pressed twice by mistake); a void needs a reason and is final.
- The first line started (or done) moves a pending order to preparing; a line
  taken back from done on a ready order moves it back to preparing.  The
  server never moves an order to ready by itself: the expo (or the kitchen's
  bump) does, when it sees every line done.
- Add-ons go on an open, unpaid order (a paid one is rung up as a new order)
  and are marked with ``added_at``; a ready order goes back to preparing.
- Only open orders (pending, preparing, ready) change; the rest are refused
  with ``order_closed`` and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.protocol import ACTIVE_STATUSES, Event, Order, OrderItem, OrderStatus, PaymentStatus, iso
from kiosk.protocol.requests import MAX_ORDER_LINES, AddItems, ChangeItemStatus, ChangePriority, check_payable
from kiosk.protocol.status import ITEM_TRANSITIONS, ItemStatus
from server.errors import ApiError
from server.hub import Tx
from server.order_events import publish_order
from server.order_rows import insert_items, load
from server.orders import set_status

Authorize = Callable[[Order], None]


def change_item_status(
    tx: Tx, order_id: int, item_id: int, request: ChangeItemStatus, authorize: Authorize
) -> Order:
    order, _ = load(tx.conn, order_id)
    authorize(order)
    _check_open(order, "change its lines")
    item = _find_item(order, item_id)
    target = request.status
    if target not in ITEM_TRANSITIONS[item.status]:
        allowed = ", ".join(sorted(ITEM_TRANSITIONS[item.status])) or "nothing (a void is final)"
        raise ApiError(
            409,
            "invalid_transition",
            f"line {item_id} ({item.name}) of order {order.order_number} is {item.status}; "
            f"it may go to: {allowed}",
            "status",
        )
    moment = tx.clock.now()
    now = iso(moment)
    started_at = item.started_at and iso(item.started_at)
    done_at = None
    done_s = None
    if target is ItemStatus.STARTED:
        started_at = started_at or now
    elif target is ItemStatus.DONE:
        started_at, done_at = started_at or now, now
        done_s = (moment - (item.added_at or order.created_at or moment)).total_seconds()
    elif target is ItemStatus.PENDING:
        started_at = None
    tx.conn.execute(
        "UPDATE order_items SET status = ?, started_at = ?, done_at = ?, void_reason = ?, done_s = ? "
        "WHERE order_id = ? AND id = ?",
        (target.value, started_at, done_at, request.reason, done_s, order_id, item_id),
    )
    if target is ItemStatus.VOIDED and order.payment_status == PaymentStatus.UNPAID.value:
        _recount(tx, order_id)
    _follow_lines(tx, order, target, moment)
    extra = {"item_id": item_id, "previous_item_status": item.status.value, "new_item_status": target.value}
    return publish_order(tx, Event.ORDER_ITEM_STATUS_CHANGED, order, extra, order_id)


def add_items(tx: Tx, order_id: int, request: AddItems, authorize: Authorize) -> Order:
    order, _ = load(tx.conn, order_id)
    authorize(order)
    _check_open(order, "take add-ons")
    if order.payment_status != PaymentStatus.UNPAID.value:
        raise ApiError(
            409,
            "order_paid",
            f"order {order.order_number} is {order.payment_status}; ring the add-on up as a new order",
            "items",
        )
    if len(order.items) + len(request.items) > MAX_ORDER_LINES:
        raise ApiError(
            422,
            "invalid_field",
            f"order {order.order_number} has {len(order.items)} lines; at most {MAX_ORDER_LINES} in all",
            "items",
        )
    try:
        check_payable(order.total_amount + sum(item.qty * item.price for item in request.items))
    except ValueError as exc:
        raise ApiError(422, "invalid_field", str(exc), "items") from None
    moment = tx.clock.now()
    first_id = max((item.id for item in order.items), default=0) + 1
    first_position = tx.conn.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM order_items WHERE order_id = ?", (order_id,)
    ).fetchone()[0]
    added = insert_items(
        tx.conn,
        order_id,
        request.items,
        first_position=first_position,
        first_id=first_id,
        added_at=iso(moment),
    )
    _recount(tx, order_id)
    if order.status is OrderStatus.READY:
        set_status(tx, order_id, OrderStatus.PREPARING, moment)  # more to cook: back on the rail
    else:
        _touch(tx, order_id, moment)
    return publish_order(tx, Event.ORDER_ITEMS_ADDED, order, {"added_item_ids": added}, order_id)


def change_priority(tx: Tx, order_id: int, request: ChangePriority, authorize: Authorize) -> Order:
    """Mark or unmark rush; the same priority again changes nothing and sends no event."""
    order, _ = load(tx.conn, order_id)
    authorize(order)
    _check_open(order, "change its priority")
    if order.priority is request.priority:
        return order
    tx.conn.execute("UPDATE orders SET priority = ? WHERE id = ?", (request.priority.value, order_id))
    _touch(tx, order_id, tx.clock.now())
    extra = {"previous_priority": order.priority.value, "new_priority": request.priority.value}
    return publish_order(tx, Event.ORDER_PRIORITY_CHANGED, order, extra, order_id)


def _check_open(order: Order, action: str) -> None:
    if order.status not in ACTIVE_STATUSES:
        raise ApiError(
            409,
            "order_closed",
            f"order {order.order_number} is {order.status}; only an open order can {action}",
            "id",
        )


def _find_item(order: Order, item_id: int) -> OrderItem:
    for item in order.items:
        if item.id == item_id:
            return item
    known = ", ".join(str(item.id) for item in order.items)
    raise ApiError(
        404, "not_found", f"order {order.order_number} has no line {item_id} (lines: {known})", "item_id"
    )


def _follow_lines(tx: Tx, order: Order, target: ItemStatus, moment: datetime) -> None:
    """The order's status where its lines take it: started → preparing; a redo on a ready order → preparing."""
    starts = order.status is OrderStatus.PENDING and target in (ItemStatus.STARTED, ItemStatus.DONE)
    redone = order.status is OrderStatus.READY and target in (ItemStatus.PENDING, ItemStatus.STARTED)
    if starts or redone:
        set_status(tx, int(order.id), OrderStatus.PREPARING, moment)
    else:
        _touch(tx, int(order.id), moment)


def _touch(tx: Tx, order_id: int, moment: datetime) -> None:
    tx.conn.execute(
        "UPDATE orders SET version = version + 1, updated_at = ? WHERE id = ?", (iso(moment), order_id)
    )


def _recount(tx: Tx, order_id: int) -> None:
    """The order's total and count over its lines that are not voided."""
    tx.conn.execute(
        "UPDATE orders SET total_amount = (SELECT COALESCE(SUM(qty * price), 0) FROM order_items "
        "WHERE order_id = ? AND status != 'voided'), items_count = (SELECT COALESCE(SUM(qty), 0) "
        "FROM order_items WHERE order_id = ? AND status != 'voided') WHERE id = ?",
        (order_id, order_id, order_id),
    )
