"""What each token may do, derived from the rooms it may join.

The rules (docs/server.md has the table): the admin may do everything;
``display`` sees and moves every order (the kitchen bumps anything) and sees
payments; ``kasir-N`` creates orders, sees orders, takes payments and refunds
at counter N; ``tenant-N`` sees and moves only tenant N's orders and payments;
``user-N`` only receives its notifications.
"""

from __future__ import annotations

from kiosk.protocol import Order, Payment, RoomKind
from server.auth import Principal
from server.errors import ApiError, unknown_qr
from server.web import forbid


def order_scope(who: Principal) -> frozenset[int] | None:
    """Tenants whose orders the caller may read: None for all; 403 for none."""
    if who.is_admin or who.has_display() or who.ids(RoomKind.KASIR):
        return None
    tenants = who.ids(RoomKind.TENANT)
    if not tenants:
        raise forbid(who, "read orders", "orders are readable with a display, kasir-N or tenant-N room")
    return tenants


def payment_scope(who: Principal) -> tuple[frozenset[int], frozenset[int]] | None:
    """(counters, tenants) whose payments the caller may read: None for all; 403 for none."""
    if who.is_admin or who.has_display():
        return None
    counters, tenants = who.ids(RoomKind.KASIR), who.ids(RoomKind.TENANT)
    if not counters and not tenants:
        raise forbid(who, "read payments", "payments are readable with a display, kasir-N or tenant-N room")
    return counters, tenants


def check_read_order(who: Principal, order: Order) -> None:
    scope = order_scope(who)
    if scope is not None and order.tenant_id not in scope:
        # 404 rather than 403: a tenant does not learn that another tenant's order exists.
        raise order_not_found(order)


def order_not_found(order: Order) -> ApiError:
    return ApiError(404, "not_found", f"no order with id {order.id}", "id")


def _sees_order(who: Principal, order: Order) -> bool:
    """Whether the caller may read this order; True when it may read no order at all (its 403
    names a kind of action, never this order)."""
    if who.is_admin or who.has_display() or who.ids(RoomKind.KASIR):
        return True
    tenants = who.ids(RoomKind.TENANT)
    return not tenants or order.tenant_id in tenants


def _sees_payment(who: Principal, payment: Payment) -> bool:
    if who.is_admin or who.has_display():
        return True
    counters, tenants = who.ids(RoomKind.KASIR), who.ids(RoomKind.TENANT)
    if not counters and not tenants:
        return True
    return payment.counter_id in counters or payment.tenant_id in tenants


def check_create_order(who: Principal, tenant_id: int) -> None:
    if who.is_admin or who.ids(RoomKind.KASIR) or tenant_id in who.ids(RoomKind.TENANT):
        return
    tenants = sorted(who.ids(RoomKind.TENANT))
    allowed = (
        f"it may create orders for tenant {', '.join(map(str, tenants))}"
        if tenants
        else "orders are created with a kasir-N room, a tenant-N room (its own tenant) or the admin token"
    )
    raise forbid(who, f"create orders for tenant {tenant_id}", allowed)


def check_change_order(who: Principal, order: Order) -> None:
    """Status changes and cancels: the admin, the kitchen display, or the order's own tenant."""
    if who.is_admin or who.has_display() or order.tenant_id in who.ids(RoomKind.TENANT):
        return
    if not _sees_order(who, order):
        raise order_not_found(order)  # as GET answers: another tenant's order does not exist for it
    tenants = sorted(who.ids(RoomKind.TENANT))
    allowed = (
        f"it may change orders of tenant {', '.join(map(str, tenants))}"
        if tenants
        else "orders are changed with a display room, the order's tenant-N room or the admin token"
    )
    raise forbid(who, f"change order {order.order_number} of tenant {order.tenant_id}", allowed)


def check_add_items(who: Principal, order: Order) -> None:
    """Add-ons: whoever may ring the order up (a counter, its own tenant, the admin); not the kitchen."""
    if who.is_admin or who.ids(RoomKind.KASIR) or order.tenant_id in who.ids(RoomKind.TENANT):
        return
    if not _sees_order(who, order):
        raise order_not_found(order)
    raise forbid(
        who,
        f"add to order {order.order_number} of tenant {order.tenant_id}",
        "add-ons are rung up with a kasir-N room, the order's tenant-N room or the admin token",
    )


def is_board_only(who: Principal) -> bool:
    """A customer-facing board: it reads the board's view of open orders and nothing else."""
    return not who.is_admin and bool(who.rooms) and all(room.kind is RoomKind.BOARD for room in who.rooms)


def report_scope(who: Principal, tenant_id: int | None) -> int | None:
    """The tenant a prep-time report may cover: any for the admin and the kitchen, its own for a tenant."""
    if who.is_admin or who.has_display():
        return tenant_id
    tenants = who.ids(RoomKind.TENANT)
    if not tenants:
        raise forbid(who, "read prep-time reports", "reports are read with a display or tenant-N room")
    if tenant_id is None and len(tenants) == 1:
        return next(iter(tenants))
    if tenant_id not in tenants:
        shown = ", ".join(map(str, sorted(tenants)))
        raise forbid(
            who, f"read the prep times of tenant {tenant_id}", f"it may read those of tenant {shown}"
        )
    return tenant_id


def check_take_payment(who: Principal, counter_id: int) -> None:
    if who.is_admin or counter_id in who.ids(RoomKind.KASIR):
        return
    raise forbid(who, f"take payments at counter {counter_id}", _counters_text(who))


def check_refund(who: Principal, payment: Payment) -> None:
    if who.is_admin or payment.counter_id in who.ids(RoomKind.KASIR):
        return
    if not _sees_payment(who, payment):
        raise ApiError(404, "not_found", f"no payment with id {payment.id}", "id")
    raise forbid(
        who, f"refund payment {payment.reference} of counter {payment.counter_id}", _counters_text(who)
    )


def check_scan(who: Principal, order: Order) -> None:
    if who.is_admin or who.has_display() or order.tenant_id in who.ids(RoomKind.TENANT):
        return
    if not _sees_order(who, order):
        raise unknown_qr()  # the same answer as for a token no order has
    raise forbid(
        who,
        f"record the pick-up of order {order.order_number} of tenant {order.tenant_id}",
        "pick-ups are scanned with a display room, the order's tenant-N room or the admin token",
    )


def check_admin(who: Principal, action: str) -> None:
    if not who.is_admin:
        raise forbid(who, action, "only the admin token may")


def _counters_text(who: Principal) -> str:
    counters = sorted(who.ids(RoomKind.KASIR))
    if counters:
        return f"it may handle payments at counter {', '.join(map(str, counters))}"
    return "payments are handled with the kasir-N room of their counter or the admin token"
