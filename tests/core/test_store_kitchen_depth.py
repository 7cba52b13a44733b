"""Line status, add-ons and rush reach the store by version: out of order and twice change nothing."""

from __future__ import annotations

from typing import Any

from kiosk.core.clock import FakeClock
from kiosk.core.store import ChangeKind, Store
from kiosk.protocol import Event
from kiosk.protocol.status import ItemStatus, Priority
from tests.core.envelopes import envelope, order_data

LINES = [
    {"id": 1, "name": "Sate Ayam", "qty": 1, "price": 30000, "station": "grill", "allergens": ["peanut"]},
    {"id": 2, "name": "Es Teh", "qty": 1, "price": 5000, "station": "drinks"},
]


def _order(version: int, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return order_data(9, "preparing" if version > 1 else "pending", version, items=lines, **extra)


def _with(lines: list[dict[str, Any]], line_id: int, **changes: Any) -> list[dict[str, Any]]:
    return [{**line, **changes} if line["id"] == line_id else line for line in lines]


def test_line_bumps_apply_by_version_out_of_order_and_twice() -> None:
    store = Store(clock=FakeClock())
    started = _with(LINES, 1, status="started", started_at="2026-01-05T10:01:00.000Z")
    done = _with(started, 1, status="done", done_at="2026-01-05T10:05:00.000Z")
    created = envelope(Event.ORDER_CREATED, _order(1, LINES), seq=1)
    first = envelope(Event.ORDER_ITEM_STATUS_CHANGED, _order(2, started, item_id=1), seq=2)
    second = envelope(Event.ORDER_ITEM_STATUS_CHANGED, _order(3, done, item_id=1), seq=3)
    for event in (created, second, first, second, first):  # the later one first, then both again
        store.apply_envelope(event)
    held = store.orders[9]
    assert held.version == 3 and [line.status for line in held.items] == [ItemStatus.DONE, ItemStatus.PENDING]
    assert held.items[0].allergens == ("peanut",) and held.items[0].station == "grill"


def test_an_add_on_and_a_rush_arrive_whole_and_a_stale_copy_does_not_undo_them() -> None:
    store = Store(clock=FakeClock())
    changes: list[Any] = []

    class Listener:
        def on_changes(self, batch: Any) -> None:
            changes.extend(batch)

        def on_notice(self, notice: Any) -> None:
            pass

    store.subscribe(Listener())
    store.apply_envelope(envelope(Event.ORDER_CREATED, _order(1, LINES), seq=1))
    add_on = [
        *LINES,
        {"id": 3, "name": "Kerupuk", "qty": 1, "price": 2000, "added_at": "2026-01-05T10:03:00.000Z"},
    ]
    store.apply_envelope(envelope(Event.ORDER_ITEMS_ADDED, _order(2, add_on, added_item_ids=[3]), seq=2))
    store.apply_envelope(envelope(Event.ORDER_PRIORITY_CHANGED, _order(3, add_on, priority="rush"), seq=3))
    store.apply_envelope(envelope(Event.ORDER_ITEMS_ADDED, _order(2, add_on, added_item_ids=[3]), seq=2))
    stale = envelope(Event.ORDER_STATUS_CHANGED, _order(2, LINES), seq=4, event_id="other")
    store.apply_envelope(stale)  # an older copy under a new id: the version says no
    held = store.orders[9]
    assert held.priority is Priority.RUSH and [line.id for line in held.items] == [1, 2, 3]
    assert [line.is_add_on for line in held.items] == [False, False, True]
    assert [change.kind for change in changes] == [
        ChangeKind.INSERTED,
        ChangeKind.UPDATED,
        ChangeKind.UPDATED,
    ]
