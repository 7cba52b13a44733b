"""What a cook reads on a card: every line whole and inside the card, allergies marked, header text that contrasts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from kiosk.core.clock import FakeClock
from kiosk.core.config import DEFAULT_ALLERGY_KEYWORDS, Config, keyword_list
from kiosk.core.session import Session
from kiosk.protocol import Order
from kiosk.ui.i18n import install_translator
from kiosk.ui.kitchen.card_colours import (
    ALLERGY_BG,
    BODY,
    CANCELLED,
    FRESH,
    LATE,
    WARN,
    contrast,
    header_text_colour,
)
from kiosk.ui.kitchen.card_delegate import CardDelegate, Thresholds, card_text
from kiosk.ui.kitchen.card_layout import MARGIN, NOTE_PX, GridUnits, Line, Role
from kiosk.ui.models import OrderListModel
from tests.support.server_process import ServerProcess
from tests.ui.conftest import ARTIFACTS
from tests.ui.test_kitchen_screen import WAIT_MS, open_window

KEYWORDS = keyword_list(DEFAULT_ALLERGY_KEYWORDS)
LONG_NOTE = "tanpa bawang goreng, sambal dipisah, nasi setengah porsi, telur matang sekali, bungkus terpisah"


@pytest.mark.parametrize("background", [FRESH, WARN, LATE, CANCELLED])
def test_header_text_keeps_contrast_on_every_age_colour(qapp: object, background: QColor) -> None:
    assert contrast(background, header_text_colour(background)) >= 4.5  # WCAG AA for text


def test_white_on_the_yellow_header_was_unreadable(qapp: object) -> None:
    assert contrast(WARN, QColor("#f2f2f2")) < 2.0  # what the old card drew
    assert header_text_colour(WARN) != QColor("#f2f2f2")


@pytest.mark.parametrize(
    ("note", "allergy"),
    [("ALERGI kacang!", True), ("no shrimp please, allergic", True), ("pedas sekali", False), ("", False)],
)
def test_allergy_notes_are_recognised_by_the_configured_words(qapp: object, note: str, allergy: bool) -> None:
    order = Order(id=1, items=[{"name": "Gado-gado", "qty": 1, "notes": note}])
    (item,) = card_text(order, FakeClock().now(), KEYWORDS).items
    assert item.allergy is allergy
    assert item.notes.startswith("⚠") is allergy


def test_a_long_note_wraps_whole_instead_of_ending_in_an_ellipsis(qapp: object) -> None:
    delegate = CardDelegate(FakeClock(), Thresholds(300, 600), allergy_keywords=KEYWORDS)
    order = Order(id=1, items=[{"name": "Nasi Goreng", "qty": 1, "notes": LONG_NOTE}])
    (note,) = [line for line in delegate.layout_of(order).lines if line.role is Role.NOTE]
    assert note.text == f"“{LONG_NOTE}”"  # all of it, no "…"
    font = delegate.fonts.by_role[note.role]
    assert font.pixelSize() >= NOTE_PX and not font.italic()
    assert note.rect.height() >= 3 * (NOTE_PX - 2)  # it took several lines


def test_an_allergy_note_is_painted_on_its_amber_band(qapp: object) -> None:
    clock = FakeClock()
    order = Order(id=1, created_at=clock.now(), items=[{"name": "Sate", "qty": 2, "notes": "alergi kacang"}])
    model = OrderListModel()
    model.reset([order])
    delegate = CardDelegate(clock, Thresholds(300, 600), allergy_keywords=KEYWORDS)
    image = QImage(QSize(300, 250), QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 300, 250)
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0))
    painter.end()
    amber = sum(
        1 for x in range(0, 300, 3) for y in range(100, 250, 3) if QColor(image.pixel(x, y)) == ALLERGY_BG
    )
    assert amber > 100, "no amber band under the allergy note"


# -- a tall order on the real screen: every line shown, none cut off ------------------------------

DISH = "Nasi Goreng Kampung Spesial Komplit dengan Ayam Suwir"
MODIFIERS = ["extra pedas level 5", "sambal matah dipisah", "tanpa es batu, gelas besar"]
HIDDEN_WORDS = ("more", "lagi", "…")  # "+7 more…" / "+7 lagi…" was drawn where items were left out


def twelve_items() -> list[dict[str, object]]:
    return [
        {
            "name": f"{DISH} #{n}",
            "qty": 1 + n % 3,
            "price": 10_000 + 500 * n,
            "modifiers": MODIFIERS[: 1 + n % 3],
            "notes": "alergi kacang tanah, tolong dipisah" if n % 4 == 1 else f"{LONG_NOTE} ({n})",
        }
        for n in range(12)
    ]


def joined(lines: Sequence[Line]) -> list[str]:
    """The texts of a card's lines, with a note split over two columns put back together."""
    out: list[str] = []
    carry = ""
    for line in lines:
        carry += line.text
        if not line.continues:
            out.append(carry)
            carry = ""
    assert carry == "", "a split text that does not go on anywhere"
    return out


def test_a_note_taller_than_a_column_goes_on_in_the_next_column_not_down_the_page(qapp: object) -> None:
    """One very long note on a short screen: the card grows sideways, the note split between lines."""
    delegate = CardDelegate(FakeClock(), Thresholds(300, 600), allergy_keywords=KEYWORDS)
    delegate.set_units(GridUnits(width=350, height=458, columns=2, rows=1))
    note = (LONG_NOTE + ", ") * 6
    order = Order(id=1, items=[{"name": "Nasi Goreng", "qty": 1, "notes": note}])
    layout = delegate.layout_of(order)
    assert (layout.span, layout.tall) == (2, 1)
    pieces = [line for line in layout.lines if line.role is Role.NOTE]
    assert len(pieces) == 2 and pieces[0].continues and not pieces[1].continues
    assert pieces[0].rect.x() < 350 <= pieces[1].rect.x()  # the second part is in the second column
    assert joined(layout.lines).count(f"“{note}”") == 1
    assert [line.text for line in layout.lines if line.role is Role.CONTINUED] == ["cont."]


def ink(image: QImage, area: QRect) -> int:
    """Pixels in ``area`` that are neither the card body nor the allergy band: drawn text."""
    backgrounds = {BODY.rgb(), ALLERGY_BG.rgb()}
    return sum(
        1
        for x in range(area.left(), area.right() + 1, 2)
        for y in range(area.top(), area.bottom() + 1, 2)
        if image.pixel(x, y) | 0xFF000000 not in backgrounds
    )


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    install_translator(qapp, "en")


@pytest.mark.usefixtures("english_after")
@pytest.mark.parametrize(
    "case",
    [(language, size) for language in ("en", "id") for size in ((1024, 768), (1920, 1080))],
    ids=lambda case: f"{case[0]}-{case[1][0]}x{case[1][1]}",
)
def test_every_item_modifier_and_note_of_a_twelve_item_order_is_painted_inside_its_card(
    qtbot: QtBot,
    server: ServerProcess,
    live_session: Session,
    display_config: Config,
    case: tuple[str, tuple[int, int]],
) -> None:
    language, size = case
    created = server.create_order(customer_name=LONG_NOTE[:60], items=twelve_items(), table="B12")
    server.create_order(customer_name="Dewi")  # a neighbour the tall card must not cover
    window = open_window(qtbot, live_session, display_config)
    screen: Any = window.screen_widget
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT_MS)
    install_translator(QApplication.instance(), language)  # switched live: the cards are laid out anew
    window.resize(*size)
    order = screen.model.order_at(screen.model.row_of(created["id"]))
    expected = card_text(order, FakeClock().now(), KEYWORDS)

    def laid_out() -> bool:
        placed = screen.card_layout(created["id"])
        if placed is None or placed[0].size() != placed[1].size:
            return False
        kinds = [line.text for line in placed[1].lines if line.role is Role.KIND]
        return window.size() == QSize(*size) and kinds == [expected.kind]

    qtbot.waitUntil(laid_out, timeout=WAIT_MS)
    card, layout = screen.card_layout(created["id"])
    where = f"{language} at {size}: card {card.size()}, {layout.span} cells wide, {layout.tall} tall"
    assert layout.span > 1 or layout.tall > 1, where  # it grew rather than hide anything
    assert card.width() <= screen.grid.viewport().width(), where
    neighbour = screen.grid.visualRect(screen.model.index(1 - screen.model.row_of(created["id"])))
    assert not neighbour.intersects(card), where

    shown = joined(layout.lines)
    wanted = Counter(text for item in expected.items for text in (item.main, item.modifiers, item.notes))
    assert len(wanted) > 12 and not wanted - Counter(shown), f"{where}: missing {wanted - Counter(shown)}"
    assert expected.customer in shown and expected.kind in shown, where
    assert not [text for text in shown if any(word in text for word in HIDDEN_WORDS)], where
    continued = [line for line in layout.lines if line.role is Role.CONTINUED]
    assert len(continued) == max(0, max(line.rect.x() for line in layout.lines) // screen.grid.units.width), (
        where
    )

    body = QRect(QPoint(0, 0), layout.size).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    image = QImage(layout.size, QImage.Format.Format_RGB32)
    option = QStyleOptionViewItem()
    option.rect = QRect(QPoint(0, 0), layout.size)
    option.palette = screen.grid.palette()
    painter = QPainter(image)
    screen.delegate.paint(painter, option, screen.model.index(screen.model.row_of(created["id"])))
    painter.end()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(str(ARTIFACTS / f"kitchen-tall-card-{language}-{size[0]}x{size[1]}.png"))
    fonts = screen.delegate.fonts
    for line in layout.lines:
        assert body.contains(line.rect), f"{where}: {line.text[:40]!r} at {line.rect} is outside {body}"
        drawn = fonts.text_bounds(line.role, line.rect.width(), line.text)
        assert drawn.width() <= line.rect.width() and drawn.height() <= line.rect.height(), (where, line.text)
        assert ink(image, line.rect) > 10, f"{where}: nothing painted for {line.text[:40]!r}"
    assert any(line.role is Role.ALLERGY for line in layout.lines), where  # the amber band is kept
