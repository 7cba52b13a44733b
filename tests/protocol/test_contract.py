"""The contract: room parsing, routing table, status machine, body validation."""

from __future__ import annotations

import pytest

from kiosk.protocol import (
    EVENT_BY_TYPE,
    Event,
    JoinEvent,
    OrderStatus,
    ProtocolError,
    RoomKind,
    bump_target,
    can_transition,
    describe_allowed,
    parse_room,
    rooms_for,
)
from kiosk.protocol.requests import ChangeStatus, CreateOrder, CreatePayment, validate_body
from kiosk.protocol.rooms import room_from_join_argument


@pytest.mark.parametrize("name", ["display", "kasir-1", "tenant-12", "user-999999999"])
def test_valid_rooms_round_trip(name: str) -> None:
    assert str(parse_room(name)) == name


@pytest.mark.parametrize(
    "name", ["", "Display", "kasir", "kasir-0", "kasir-01", "tenant-x", "admin", "*", 5, None]
)
def test_invalid_rooms_are_refused_with_the_allowed_forms(name: object) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_room(name)
    assert caught.value.code == "invalid_room"
    assert "display, board, kasir-N" in caught.value.message


@pytest.mark.parametrize(
    ("kind", "argument", "room"),
    [
        (RoomKind.DISPLAY, None, "display"),
        (RoomKind.KASIR, 3, "kasir-3"),
        (RoomKind.TENANT, "7", "tenant-7"),
        (RoomKind.TENANT, {"tenant_id": 2}, "tenant-2"),
        (RoomKind.USER, {"id": 4}, "user-4"),
    ],
)
def test_legacy_join_arguments(kind: RoomKind, argument: object, room: str) -> None:
    assert room_from_join_argument(kind, argument) == room


@pytest.mark.parametrize("argument", [None, True, -1, "abc", {"x": 1}, [1]])
def test_legacy_join_refuses_missing_or_bad_ids(argument: object) -> None:
    with pytest.raises(ProtocolError):
        room_from_join_argument(RoomKind.TENANT, argument)


def test_join_events_name_their_room_kind() -> None:
    assert JoinEvent.JOIN_KASIR.room_kind is RoomKind.KASIR
    assert JoinEvent.JOIN.room_kind is None


def test_routing_follows_the_design_table() -> None:
    assert rooms_for(Event.ORDER_CREATED, tenant_id=1) == ["tenant-1", "display"]
    assert rooms_for(Event.PAYMENT_REFUNDED, tenant_id=2, counter_id=3) == ["tenant-2", "kasir-3", "display"]
    assert rooms_for(Event.NOTIFICATION, user_id=9) == ["user-9"]
    assert rooms_for(Event.ALERT) == ["*"]
    assert EVENT_BY_TYPE["order_status_changed"] is Event.ORDER_STATUS_CHANGED


def test_status_machine() -> None:
    assert bump_target(OrderStatus.PENDING) is OrderStatus.PREPARING
    assert bump_target(OrderStatus.COMPLETED) is None
    assert can_transition(OrderStatus.COMPLETED, OrderStatus.READY)
    assert not can_transition(OrderStatus.PENDING, OrderStatus.READY)
    assert not can_transition(OrderStatus.CANCELLED, OrderStatus.PENDING)
    assert "preparing" in describe_allowed(OrderStatus.PENDING)
    assert "cannot change" in describe_allowed(OrderStatus.CANCELLED)


def test_bodies_are_strict_about_types_and_name_the_field() -> None:
    with pytest.raises(ProtocolError) as caught:
        validate_body(
            CreateOrder,
            {"tenant_id": 1, "customer_name": "A", "items": [{"name": "x", "qty": "2", "price": 1}]},
        )
    assert caught.value.field == "items.0.qty"
    with pytest.raises(ProtocolError) as caught:
        validate_body(
            CreatePayment, {"order_id": 1, "amount_paid": -5, "payment_method": "cash", "counter_id": 1}
        )
    assert caught.value.field == "amount_paid"
    with pytest.raises(ProtocolError) as caught:
        validate_body(ChangeStatus, {"status": "eaten"})
    assert "pending" in caught.value.message
    with pytest.raises(ProtocolError) as caught:
        validate_body(ChangeStatus, ["ready"])
    assert caught.value.code == "invalid_body"
    assert validate_body(ChangeStatus, {"status": "ready"}).status is OrderStatus.READY
