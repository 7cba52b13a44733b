"""What a cook reads on a card: notes readable and whole, allergies marked, header text that contrasts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from kiosk.core.clock import FakeClock
from kiosk.core.config import DEFAULT_ALLERGY_KEYWORDS, keyword_list
from kiosk.protocol import Order
from kiosk.ui.kitchen.card_delegate import (
    ALLERGY_BG,
    CANCELLED,
    FRESH,
    LATE,
    NOTE_PX,
    WARN,
    CardDelegate,
    Thresholds,
    card_text,
    contrast,
    header_text_colour,
)
from kiosk.ui.models import OrderListModel

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
    (item,) = card_text(order, FakeClock().now(), KEYWORDS).items
    ((text, font, height, _),) = delegate.extra_lines(item, 280)
    assert text == f"“{LONG_NOTE}”"  # all of it, no "…"
    assert font.pixelSize() >= NOTE_PX and not font.italic()
    assert height >= 3 * (NOTE_PX - 2)  # it took several lines


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
