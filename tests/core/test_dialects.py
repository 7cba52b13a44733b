"""Backend dialects: the seed backends' own events and rows, turned into Kiosk's and applied by a real store.

The payloads below are the NotificationService's examples as its write-up
gives them (seeds/003, section 3), and the admin room's flat ``orderCreated``
(seeds/004).  Each used to be refused: ``order_id`` is not ``id``, an alert
has no ``data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.dialects import DialectError, bundled_names, detected_dialect, load_dialect
from kiosk.core.store import Store
from kiosk.core.versions import completed_from
from kiosk.protocol import Order, OrderStatus

SEED_ORDER_CREATED = {
    "type": "order_created",
    "timestamp": "2025-02-03T10:00:00Z",
    "data": {
        "order_id": 1,
        "order_number": "T1-001",
        "customer_name": "John Doe",
        "total_amount": 50000,
        "items_count": 3,
        "status": "pending",
    },
}
SEED_STATUS_CHANGED = {
    "type": "order_status_changed",
    "timestamp": "2025-02-03T10:05:00Z",
    "data": {
        "order_id": 1,
        "order_number": "T1-001",
        "previous_status": "pending",
        "new_status": "preparing",
        "transition": "pending → preparing",
        "customer_name": "John Doe",
    },
}
SEED_CANCELLED = {
    "type": "order_cancelled",
    "timestamp": "2025-02-03T10:10:00Z",
    "data": {
        "order_id": 1,
        "order_number": "T1-001",
        "reason": "Out of stock",
        "customer_name": "John Doe",
        "refund_amount": 50000,
    },
}
SEED_PAYMENT = {
    "type": "payment_processed",
    "timestamp": "2025-02-03T10:15:00Z",
    "data": {
        "payment_id": 1,
        "order_id": 1,
        "order_number": "T1-001",
        "amount_paid": 50000,
        "payment_method": "cash",
        "transaction_reference": "PAY-1706966400000-ABC123",
        "status": "success",
        "change": 0,
        "customer_name": "John Doe",
    },
}
SEED_REFUND = {
    "type": "payment_refunded",
    "timestamp": "2025-02-03T10:20:00Z",
    "data": {
        "refund_id": 2,
        "order_id": 1,
        "order_number": "T1-001",
        "refund_amount": 50000,
        "transaction_reference": "REFUND-PAY-1706966700000-DEF456",
        "original_payment_id": 1,
        "reason": "Customer requested",
        "customer_name": "John Doe",
    },
}
SEED_QR = {
    "type": "qr_scanned",
    "timestamp": "2025-02-03T10:25:00Z",
    "data": {
        "qr_id": 1,
        "order_id": 1,
        "order_number": "T1-001",
        "token": "abc123def456",
        "status": "scanned",
        "scanned_count": 1,
        "customer_name": "John Doe",
    },
}
SEED_NOTIFICATION = {
    "type": "order_ready",
    "timestamp": "2025-02-03T10:30:00Z",
    "data": {"order_id": 1, "order_number": "T1-001"},
}
SEED_ALERT = {
    "type": "system_alert",
    "severity": "error",
    "message": "System maintenance in 5 minutes",
    "timestamp": "2025-02-03T10:35:00Z",
}
KNEX_ROW = {
    "id": 1,
    "order_number": "T1-001",
    "tenant_id": 1,
    "customer_name": "John Doe",
    "total_amount": 50000,
    "order_status": "pending",
    "created_at": "2025-02-03T10:00:00Z",
    "updated_at": "2025-02-03T10:00:00Z",
    "items": [
        {"id": 7, "menu_item_name": "Nasi Goreng", "quantity": 2, "price": 20000, "notes": "tanpa kacang"},
        {"id": 8, "menu_item_name": "Es Teh", "quantity": 2, "price": 5000, "notes": None},
    ],
}


@pytest.fixture
def dialect() -> Any:
    return load_dialect("notification-service")


def apply(store: Store, dialect: Any, wire_name: str, payload: dict[str, Any]) -> bool:
    return store.apply_envelope(dialect.translate_event(wire_name, payload), advance_seq=False)


def held_row(dialect: Any) -> Order:
    return Order.model_validate(dialect.translate_order_row(KNEX_ROW))


def test_the_seed_order_created_makes_an_order_with_its_name_and_number(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    assert apply(store, dialect, "order:created", SEED_ORDER_CREATED)
    order = store.orders[1]
    assert (order.order_number, order.customer_name, order.total_amount) == ("T1-001", "John Doe", 50000)
    assert order.items_count == 3 and order.items == ()  # the items come from GET /api/orders/:id
    assert order.status is OrderStatus.PENDING


def test_a_knex_row_reads_as_a_whole_order(dialect: Any) -> None:
    order = held_row(dialect)
    assert order.status is OrderStatus.PENDING
    assert [(item.name, item.qty, item.price, item.notes) for item in order.items] == [
        ("Nasi Goreng", 2, 20000, "tanpa kacang"),
        ("Es Teh", 2, 5000, ""),  # a NULL column reads as not given
    ]


def test_a_status_change_moves_the_card_and_keeps_its_items(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    store.load_snapshot([held_row(dialect)])
    assert apply(store, dialect, "order:status_changed", SEED_STATUS_CHANGED)
    order = store.orders[1]
    assert order.status is OrderStatus.PREPARING
    assert [item.name for item in order.items] == ["Nasi Goreng", "Es Teh"]
    assert order.tenant_id == 1  # not in the event: kept from the row


def test_a_cancel_says_why(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    store.load_snapshot([held_row(dialect)])
    assert apply(store, dialect, "order:cancelled", SEED_CANCELLED)
    order = store.orders[1]
    assert order.status is OrderStatus.CANCELLED
    assert order.cancel_reason == "Out of stock"
    assert len(order.items) == 2


def test_a_payment_and_its_refund_are_one_payment_with_its_change(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    assert apply(store, dialect, "payment:processed", SEED_PAYMENT)
    payment = store.payments[1]
    assert (payment.amount, payment.amount_paid, payment.change) == (50000, 50000, 0)
    assert (payment.payment_method, payment.reference, payment.status) == (
        "cash",
        "PAY-1706966400000-ABC123",
        "paid",
    )
    assert apply(store, dialect, "payment:refunded", SEED_REFUND)
    refunded = store.payments[1]
    assert list(store.payments) == [1]  # the refund row's own id (2) is not a second payment
    assert (refunded.status, refunded.refund_reason, refunded.amount) == (
        "refunded",
        "Customer requested",
        50000,
    )
    assert refunded.reference == "PAY-1706966400000-ABC123"  # the refund's reference does not replace it


def test_change_is_what_was_paid_over_the_amount(dialect: Any) -> None:
    envelope = dialect.translate_event(
        "payment:processed",
        {**SEED_PAYMENT, "data": {**SEED_PAYMENT["data"], "amount_paid": 60000, "change": 10000}},
    )
    assert envelope["data"]["amount"] == 50000


def test_a_qr_scan_does_not_take_the_qr_status_for_the_order_status(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    store.load_snapshot([held_row(dialect)])
    apply(store, dialect, "qr:scanned", SEED_QR)
    assert store.orders[1].status is OrderStatus.PENDING
    assert len(store.orders[1].items) == 2


def test_a_top_level_alert_and_a_user_notification_are_kept(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    assert apply(store, dialect, "alert", SEED_ALERT)
    assert apply(store, dialect, "notification", SEED_NOTIFICATION)
    (alert,) = store.alerts
    assert (alert.severity, alert.message) == ("error", "System maintenance in 5 minutes")
    (note,) = store.notifications
    assert (note.type, note.data) == ("order_ready", {"order_id": 1, "order_number": "T1-001"})


def test_the_same_event_twice_is_applied_once_and_a_later_one_is_not_a_duplicate(dialect: Any) -> None:
    store = Store(clock=FakeClock())
    assert apply(store, dialect, "alert", SEED_ALERT)
    assert not apply(store, dialect, "alert", SEED_ALERT)
    assert apply(store, dialect, "alert", {**SEED_ALERT, "timestamp": "2025-02-03T10:36:00Z"})


def test_the_admin_rooms_flat_order_created(dialect: Any) -> None:
    admin = load_dialect("admin-room")
    store = Store(clock=FakeClock())
    flat = {
        "order_id": 9,
        "order_number": "A-009",
        "customer_name": "Sari",
        "total": 30000,
        "items": [{"name": "Soto Ayam", "qty": 1, "price": 30000}],
        "created_at": "2025-02-03T11:00:00Z",
        "status": "pending",
    }
    assert store.apply_envelope(admin.translate_event("orderCreated", flat), advance_seq=False)
    order = store.orders[9]
    assert (order.customer_name, order.total_amount, order.items[0].name) == ("Sari", 30000, "Soto Ayam")


@pytest.mark.parametrize(
    ("wire_name", "payload", "reason"),
    [
        ("order:created", ["not", "an", "object"], "must be a JSON object"),
        ("order:created", {"type": "order_created"}, "without a data object"),
        ("order:teleported", SEED_ORDER_CREATED, "is not an event of the notification-service dialect"),
    ],
)
def test_what_cannot_be_translated_says_why(
    dialect: Any, wire_name: str, payload: object, reason: str
) -> None:
    with pytest.raises(Exception, match=reason):
        dialect.translate_event(wire_name, payload)


def test_a_whole_entity_from_kiosks_server_is_taken_as_is() -> None:
    whole = Order.model_validate(Order(id=1, customer_name="A").model_dump(mode="json"))
    held = Order(id=1, customer_name="B", table="T9")
    assert completed_from(held, whole) is whole


def test_the_shipped_dialects_load_and_one_is_detected() -> None:
    assert {"notification-service", "admin-room"} <= set(bundled_names())
    for name in bundled_names():
        assert load_dialect(name).name == name
    assert detected_dialect().name == "notification-service"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            'name = "x"\ntitle = "x"\n[join]\nstyle = "room-events"\n[events."order:created"]\nfeilds = {}\n',
            "feilds",
        ),
        ('name = "x"\ntitle = "x"\n[join]\nstyle = "shout"\n', "join.style"),
        ('name = "x"\ntitle = "x"\n[join]\nstyle = "ack"\n[events.newOrder]\nentity = "data"\n', "newOrder"),
        ("name = [", "Invalid value"),
    ],
)
def test_a_restaurants_own_dialect_file_with_a_mistake_says_where(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(text)
    with pytest.raises(DialectError, match=reason):
        load_dialect(str(path))


def test_an_unknown_dialect_lists_the_known_ones() -> None:
    with pytest.raises(DialectError, match="known: native, admin-room, notification-service"):
        load_dialect("pos-9000")
