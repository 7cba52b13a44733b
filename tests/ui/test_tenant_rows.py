"""A stall's order rows show every item with its modifiers and note, and grow to fit them."""

from __future__ import annotations

from PySide6.QtWidgets import QListView, QStyleOptionViewItem

from kiosk.core.clock import FakeClock
from kiosk.core.config import DEFAULT_ALLERGY_KEYWORDS, keyword_list
from kiosk.protocol import Order
from kiosk.ui.models import OrderListModel
from kiosk.ui.tenant.order_delegate import ROW_HEIGHT, WHO_LINE, WHO_TOP, TenantOrderDelegate, item_lines

KEYWORDS = keyword_list(DEFAULT_ALLERGY_KEYWORDS)


def test_each_item_line_carries_its_modifiers_and_note(qapp: object) -> None:
    order = Order(
        id=1,
        items=[
            {"name": "Sate Ayam", "qty": 2, "modifiers": ["pedas", "extra bumbu"], "notes": "alergi kacang"},
            {"name": "Es Teh", "qty": 1},
        ],
    )
    assert item_lines(order, KEYWORDS) == [
        ("2× Sate Ayam (+ pedas, extra bumbu) — ⚠ “alergi kacang”", True),
        ("1× Es Teh", False),
    ]


def test_a_twelve_item_order_with_long_notes_gets_a_row_tall_enough(qapp: object) -> None:
    note = "tanpa bawang, sambal dipisah, nasi setengah, telur matang sekali, bungkus masing-masing"
    big = Order(id=1, items=[{"name": f"Menu {n}", "qty": 1, "notes": note} for n in range(12)])
    small = Order(id=2, items=[{"name": "Es Teh", "qty": 1}])
    view = QListView()
    view.resize(700, 600)
    model = OrderListModel(include=lambda _: True)
    model.reset([big, small])
    view.setModel(model)
    delegate = TenantOrderDelegate(FakeClock(), view, allergy_keywords=KEYWORDS)
    option = QStyleOptionViewItem()
    option.font = view.font()
    rows = {model.order_at(r).id: delegate.sizeHint(option, model.index(r)).height() for r in range(2)}
    assert rows[2] == ROW_HEIGHT
    line_height = view.fontMetrics().height()
    assert rows[1] >= WHO_TOP + WHO_LINE + 12 * 2 * line_height, (
        rows
    )  # twelve items, each note wrapped to 2+ lines


def test_a_long_customer_name_wraps_and_the_row_grows_for_it(qapp: object) -> None:
    """Seen at 1024 px: an 80-character name was cut at the row's edge, with no "…" and no tooltip."""
    long_name = "Raden Ayu Siti Nurhaliza Kusumawardhani Prameswari binti Haji Abdurrahman W."
    items = [{"name": f"Es Teh {n}", "qty": 1} for n in range(6)]  # both rows above the minimum
    named = Order(id=1, customer_name=long_name, table="A7", items=items)
    short = Order(id=2, customer_name="Siti", table="A7", items=items)
    view = QListView()
    view.resize(420, 600)
    view.show()  # the delegate wraps at the viewport's real width
    model = OrderListModel(include=lambda _: True)
    model.reset([named, short])
    view.setModel(model)
    delegate = TenantOrderDelegate(FakeClock(), view, allergy_keywords=KEYWORDS)
    option = QStyleOptionViewItem()
    option.font = view.font()
    rows = {model.order_at(r).id: delegate.sizeHint(option, model.index(r)).height() for r in range(2)}
    assert rows[2] > ROW_HEIGHT
    assert rows[1] > rows[2], rows  # the name takes a second line
