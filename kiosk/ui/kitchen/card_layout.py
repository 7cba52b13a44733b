"""Where every line of an order card goes, and how big the card must be to show all of it.

Why a layout step apart from painting: the grid must know each card's size
before anything is painted (the flow layout places cards by their sizes), and
a test must be able to check that every item, modifier and note lands inside
its card.  So one function places every line of a card as a rectangle, and
paint() only draws those rectangles.

Why cards grow sideways: the field found "+7 more…" on tall orders that
nothing opened.  A card now never hides a line: when its items do not fit in
one grid cell they continue in a second text column (marked "cont.") and the
card spans two cells, then three, up to the whole row; only when the whole row
is not enough does the card grow taller, by whole cells, so rows of cards stay
aligned to the grid and PgDn still moves by whole rows.  Every text column is
exactly one cell wide, so a line is measured once per card whatever its span.

Sizes come from the view, not a constant: ``grid_units`` divides the grid's
viewport into whole cells near the density's target size, so the cards fill
the width without a ragged gap and whole rows fill the height.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSize

from kiosk.core.config import CARD_DENSITIES
from kiosk.ui.kitchen.card_fonts import CHIP_H, NOTE_PX, WRAP, CardFonts, Role, Wrapped
from kiosk.ui.kitchen.card_lines import Block, Line, card_groups

if TYPE_CHECKING:
    from kiosk.ui.kitchen.card_text import CardText

# Re-exported: callers (and tests) found the fonts, roles and lines here before card_fonts.py
# and card_lines.py.
__all__ = ["CHIP_H", "NOTE_PX", "WRAP", "CardFonts", "Line", "Role", "Wrapped"]

MARGIN = 5  # between the cell's edge and the card's rounded body
HEADER_H = 50
PAD = 12  # between the body's edge and the text
CHIP_W = 92
CHIP_GAP = 4
TIMER_W = 120  # "1:02:33" in the timer font, with room to spare
BODY_TOP = MARGIN + HEADER_H + 8  # where the first line of a text column starts
BODY_BOTTOM = MARGIN + 8  # room kept under the last line
MAX_TALL = 64  # cells; a card taller than 64 screens is a broken order, not a menu

# Target cell size per density (config ``card_density``).  These are also the
# minimums: a cell is only ever wider or taller than its target, except when the
# whole view is smaller.  At 1024x768 the grid is ~710x620: compact gives 3x3
# cards, normal 2x2, large 1x1 (large is meant for big screens read from afar).
CARD_TARGETS: dict[str, QSize] = {
    "compact": QSize(230, 200),
    "normal": QSize(300, 250),
    "large": QSize(380, 320),
}
if tuple(CARD_TARGETS) != CARD_DENSITIES:  # pragma: no cover - a programming error caught at import
    raise RuntimeError(
        f"card sizes {tuple(CARD_TARGETS)} do not match the card_density choices {CARD_DENSITIES}"
    )


@dataclass(frozen=True)
class GridUnits:
    """One grid cell (the size of a one-cell card) and how many cells fill the view."""

    width: int
    height: int
    columns: int
    rows: int

    @property
    def page_height(self) -> int:
        return self.rows * self.height


def grid_units(viewport: QSize, density: str) -> GridUnits:
    """Whole cells near the density's target size that fill ``viewport``.

    The grid keeps the viewport's last pixel column spare (QListView, which it
    replaced, wrapped a card that reached it), so the cells share ``width - 1`` pixels.
    """
    target = CARD_TARGETS[density]
    columns = max(1, viewport.width() // target.width())
    rows = max(1, viewport.height() // target.height())
    width = max(1, (viewport.width() - 1) // columns)
    height = max(1, viewport.height() // rows)
    return GridUnits(width, height, columns, rows)


def default_units(density: str = "normal") -> GridUnits:
    """A single target-sized cell, for a delegate that paints outside a grid (tests, previews)."""
    target = CARD_TARGETS[density]
    return GridUnits(target.width(), target.height(), 1, 1)


@dataclass(frozen=True, eq=False)
class CardLayout:
    """Every line of a card placed, the card's size in pixels and in grid cells."""

    size: QSize
    span: int  # grid columns the card covers
    tall: int  # grid rows the card covers
    lines: tuple[Line, ...]
    chip: QRect
    dividers: tuple[int, ...]  # x of the rule between two text columns

    def item_rect(self, item_id: int) -> QRect:
        """Where an order line is on the card (its name, modifiers, notes...): what a tap on it hits."""
        area = QRect()
        for line in self.lines:
            if line.item_id == item_id:
                area = area.united(line.rect.adjusted(-4, -2, 4, 2))
        return area

    def item_at(self, point: QPoint) -> int | None:
        """The order line under ``point`` (card coordinates), None off every line."""
        for line in self.lines:
            if line.item_id is not None and line.rect.adjusted(-4, -2, 4, 2).contains(point):
                return line.item_id
        return None


def continued_label() -> str:
    return QCoreApplication.translate("KitchenCard", "cont.")


def column_width(units: GridUnits) -> int:
    """The text width of one column: a cell less the card's margin and padding on both sides."""
    return max(1, units.width - 2 * (MARGIN + PAD))


def layout_card(text: CardText, fonts: CardFonts, units: GridUnits) -> CardLayout:
    """Place every line of a card: one cell if it fits, else more columns, else taller (then as few columns as fit)."""
    width = column_width(units)
    groups = card_groups(text, fonts, width, CHIP_W + CHIP_GAP)
    cont = continued_label()
    cont_h = fonts.measure(Role.CONTINUED, width, cont)
    mark = Line(Role.CONTINUED, cont, QRect(0, BODY_TOP, width, cont_h))
    cont_h += 2
    for tall in range(1, MAX_TALL + 1):  # as short as possible, then as narrow as possible
        for span in range(1, units.columns + 1):
            placed = _flow(groups, _capacity(units, tall), span, cont_h)
            if placed is not None:
                return _build(placed, units, span=span, tall=tall, mark=mark)
    placed = _flow(groups, 1 << 30, units.columns, cont_h)  # pragma: no cover - beyond MAX_TALL cells
    assert placed is not None
    return _build(placed, units, span=units.columns, tall=MAX_TALL, mark=mark)


def _capacity(units: GridUnits, tall: int) -> int:
    return tall * units.height - BODY_TOP - BODY_BOTTOM


def _flow(
    groups: Iterable[list[Block]], capacity: int, columns: int, cont_h: int
) -> list[tuple[Block, int, int]] | None:
    """(block, column, y) for every block, or None when they do not fit in ``columns`` columns.

    An item moves whole to the next column when it would be split but fits in
    one; so does a single line (a name, a note) that fits in one.  A note taller
    than a column is split between its lines and goes on in the next column.
    Every column after the first starts under its "cont." mark.
    """
    placed: list[tuple[Block, int, int]] = []
    column, y, top = 0, 0, 0
    fresh = capacity - cont_h  # the room of a column after the first
    for group in groups:
        total = sum(block.height + block.gap for block in group)
        if y > top and y + total > capacity and total <= fresh:
            column, y, top = column + 1, cont_h, cont_h
        for whole in group:
            block: Block | None = whole
            while block is not None:
                if column >= columns:
                    return None
                if y + block.height <= capacity:
                    placed.append((block, column, y))
                    y += block.height + block.gap
                    block = None
                    continue
                count = block.wrapped.lines_within(capacity - y)
                whole_fits = count >= len(block.wrapped.heights)  # only its minimum height is too tall
                if count == 0 or whole_fits or (y > top and block.height <= fresh):
                    if y == top:
                        return None  # not one line fits in an empty column: the card must be taller
                    column, y, top = column + 1, cont_h, cont_h
                    continue
                head, block = block.split(count)
                placed.append((head, column, y))
                column, y, top = column + 1, cont_h, cont_h
    return placed


def _build(
    placed: list[tuple[Block, int, int]], units: GridUnits, *, span: int, tall: int, mark: Line
) -> CardLayout:
    """Turn (block, column, y) into rectangles on the card; a "cont." mark tops each column after the first."""
    width = column_width(units)
    lines: list[Line] = []
    for column in range(1, 1 + max((column for _, column, _ in placed), default=0)):
        lines.append(
            Line(Role.CONTINUED, mark.text, mark.rect.translated(column * units.width + MARGIN + PAD, 0))
        )
    chip = QRect()
    for block, column, y in placed:
        left = column * units.width + MARGIN + PAD + block.indent
        text_width = width - block.indent
        if block.role is Role.KIND:
            text_width -= CHIP_W + CHIP_GAP
            chip = QRect(left + width - CHIP_W, BODY_TOP + y, CHIP_W, CHIP_H)
        rect = QRect(left, BODY_TOP + y, text_width, block.height)
        lines.append(
            Line(
                block.role,
                block.text,
                rect,
                continues=block.continues,
                item_id=block.item_id,
                state=block.state,
                foreign=block.foreign,
            )
        )
    dividers = tuple(column * units.width for column in range(1, span))
    return CardLayout(
        QSize(span * units.width, tall * units.height), span, tall, tuple(lines), chip, dividers
    )
