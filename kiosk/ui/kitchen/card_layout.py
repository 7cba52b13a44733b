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

import dataclasses
import enum
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF, QImage, QPainter, QTextLayout, QTextOption

from kiosk.core.config import CARD_DENSITIES

if TYPE_CHECKING:
    from kiosk.ui.kitchen.card_text import CardText

MARGIN = 5  # between the cell's edge and the card's rounded body
HEADER_H = 50
PAD = 12  # between the body's edge and the text
CHIP_W = 92
CHIP_GAP = 4
ITEM_INDENT = 16
NOTE_PX = 18  # readable from 2 m at 1080p
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

# Break lines between words, and inside a word only when it is wider than the
# column (a long name or a run of digits): never cut off, never "…".
WRAP = QTextOption(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
WRAP.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
CHIP_H = 20
_MEASURE_LIMIT = 20_000  # cached measurements before the cache starts over


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


class Role(enum.Enum):
    CUSTOMER = "customer"
    KIND = "kind"
    REASON = "reason"
    ITEM = "item"
    MODIFIER = "modifier"
    NOTE = "note"
    ALLERGY = "allergy"
    CONTINUED = "continued"


class CardFonts:
    """The card's fonts, and text measured exactly as paint() draws it, made once per delegate."""

    def __init__(self, base: QFont | None = None) -> None:
        base = QFont() if base is None else base
        self.number = _font(base, 30, bold=True)
        self.timer = _font(base, 22, bold=True)
        self.line = _font(base, 16)
        self.item = _font(base, 17, bold=True)
        self.small = _font(base, 14)
        self.note = _font(base, NOTE_PX)  # notes and modifiers: what a cook must read from 2 m
        self.allergy = _font(base, NOTE_PX, bold=True)
        self.chip = _font(base, 13, bold=True)
        self.struck_item = QFont(self.item)
        self.struck_item.setStrikeOut(True)
        self.by_role: dict[Role, QFont] = {
            Role.CUSTOMER: self.line,
            Role.KIND: self.small,
            Role.REASON: self.small,
            Role.ITEM: self.item,
            Role.MODIFIER: self.note,
            Role.NOTE: self.note,
            Role.ALLERGY: self.allergy,
            Role.CONTINUED: self.small,
        }
        self._line_h = {role: QFontMetrics(font).height() for role, font in self.by_role.items()}
        self._leading = {role: QFontMetricsF(font).leading() for role, font in self.by_role.items()}
        self._wrapped: dict[tuple[Role, int, str], Wrapped] = {}
        self._scratch = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)

    def text_bounds(self, role: Role, width: int, text: str) -> QRectF:
        """Where ``text`` lands when drawn in a ``width`` px column with WRAP (what paint() uses)."""
        painter = QPainter(self._scratch)
        try:
            painter.setFont(self.by_role[role])
            return painter.boundingRect(QRectF(0, 0, max(1, width), 1_000_000), text, WRAP)
        finally:
            painter.end()

    def wrap(self, role: Role, width: int, text: str) -> Wrapped:
        """``text`` broken into lines of ``width`` px as paint() breaks them (at spaces; inside a word only if it is too long).

        Cached by (role, width, text): dish names and common notes repeat across
        hundreds of orders, so relaying out 2000 cards measures few strings.
        """
        key = (role, width, text)
        found = self._wrapped.get(key)
        if found is None:
            if len(self._wrapped) >= _MEASURE_LIMIT:
                self._wrapped.clear()
            layout = QTextLayout(text, self.by_role[role])
            layout.setTextOption(WRAP)
            layout.beginLayout()
            starts: list[int] = []
            heights: list[float] = []
            while (line := layout.createLine()).isValid():
                line.setLineWidth(max(1, width))
                starts.append(line.textStart())
                heights.append(line.height())
            layout.endLayout()
            found = Wrapped(text, tuple(starts), tuple(heights), self._leading[role], self._line_h[role])
            self._wrapped[key] = found
        return found

    def measure(self, role: Role, width: int, text: str) -> int:
        """The height of ``text`` wrapped to ``width`` px."""
        return self.wrap(role, width, text).full


@dataclass(frozen=True)
class Wrapped:
    """A text and where its lines start, so a long note can continue in the next column."""

    text: str
    starts: tuple[int, ...]
    heights: tuple[float, ...]
    leading: float
    minimum: int  # one line of the font: an empty text still takes a line

    @functools.cached_property
    def full(self) -> int:
        """The height of all of it (asked many times per card while trying widths)."""
        return self.height()

    def height(self, first: int = 0, end: int | None = None) -> int:
        """Pixels taken by lines ``first`` to ``end`` (all by default), drawn on their own."""
        heights = self.heights[first:end]
        if not heights:
            return self.minimum
        return max(self.minimum, math.ceil(sum(heights) + self.leading * (len(heights) - 1)))

    def lines_within(self, room: int) -> int:
        """How many lines from the first fit in ``room`` pixels."""
        count = 0
        while count < len(self.heights) and self.height(0, count + 1) <= room:
            count += 1
        return count

    def split(self, count: int) -> tuple[Wrapped, Wrapped]:
        """The first ``count`` lines and the rest, each a text of its own (they wrap the same way again)."""
        cut = self.starts[count]
        head = Wrapped(self.text[:cut], self.starts[:count], self.heights[:count], self.leading, self.minimum)
        rest = tuple(start - cut for start in self.starts[count:])
        tail = Wrapped(self.text[cut:], rest, self.heights[count:], self.leading, self.minimum)
        return head, tail


def _font(base: QFont, pixels: int, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


@dataclass(frozen=True, eq=False)
class Line:
    """One piece of text on a card and the rectangle it is drawn in (card coordinates)."""

    role: Role
    text: str
    rect: QRect
    continues: bool = False  # the text goes on at the top of the next column (a note split in two)


@dataclass(frozen=True, eq=False)
class CardLayout:
    """Every line of a card placed, the card's size in pixels and in grid cells."""

    size: QSize
    span: int  # grid columns the card covers
    tall: int  # grid rows the card covers
    lines: tuple[Line, ...]
    chip: QRect
    dividers: tuple[int, ...]  # x of the rule between two text columns


@dataclass(frozen=True)
class _Block:
    role: Role
    wrapped: Wrapped
    indent: int
    gap: int = 0  # space kept under the block
    continues: bool = False

    @property
    def text(self) -> str:
        return self.wrapped.text

    @property
    def height(self) -> int:
        return self.wrapped.full

    def split(self, count: int) -> tuple[_Block, _Block]:
        head, tail = self.wrapped.split(count)
        return _Block(self.role, head, self.indent, 0, continues=True), _Block(
            self.role, tail, self.indent, self.gap
        )


def continued_label() -> str:
    return QCoreApplication.translate("KitchenCard", "cont.")


def column_width(units: GridUnits) -> int:
    """The text width of one column: a cell less the card's margin and padding on both sides."""
    return max(1, units.width - 2 * (MARGIN + PAD))


def layout_card(text: CardText, fonts: CardFonts, units: GridUnits) -> CardLayout:
    """Place every line of a card: one cell if it fits, else more columns, else taller (then as few columns as fit)."""
    width = column_width(units)
    groups = _groups(text, fonts, width)
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


def _groups(text: CardText, fonts: CardFonts, width: int) -> list[list[_Block]]:
    """The card's blocks, grouped: the heading lines, then one group per item (kept together if it fits).

    The order type shares its line with the status chip; the customer's name
    gets the whole width under it, so a long name wraps at its spaces.
    """
    kind = fonts.wrap(Role.KIND, width - CHIP_W - CHIP_GAP, text.kind)
    head = [_Block(Role.KIND, dataclasses.replace(kind, minimum=max(CHIP_H, kind.minimum)), 0, gap=2)]
    for role, value, gap in ((Role.CUSTOMER, text.customer, 6), (Role.REASON, text.reason, 4)):
        if value:
            head.append(_Block(role, fonts.wrap(role, width, value), 0, gap=gap))
    groups = [head]
    for item in text.items:
        group = [_block(fonts, Role.ITEM, item.main, 0, width)]
        if item.modifiers:
            group.append(_block(fonts, Role.MODIFIER, item.modifiers, ITEM_INDENT, width))
        if item.notes:
            role = Role.ALLERGY if item.allergy else Role.NOTE
            group.append(_block(fonts, role, item.notes, ITEM_INDENT, width))
        groups.append(group)
    return groups


def _block(fonts: CardFonts, role: Role, value: str, indent: int, width: int) -> _Block:
    return _Block(role, fonts.wrap(role, width - indent, value), indent)


def _flow(
    groups: Iterable[list[_Block]], capacity: int, columns: int, cont_h: int
) -> list[tuple[_Block, int, int]] | None:
    """(block, column, y) for every block, or None when they do not fit in ``columns`` columns.

    An item moves whole to the next column when it would be split but fits in
    one; so does a single line (a name, a note) that fits in one.  A note taller
    than a column is split between its lines and goes on in the next column.
    Every column after the first starts under its "cont." mark.
    """
    placed: list[tuple[_Block, int, int]] = []
    column, y, top = 0, 0, 0
    fresh = capacity - cont_h  # the room of a column after the first
    for group in groups:
        total = sum(block.height + block.gap for block in group)
        if y > top and y + total > capacity and total <= fresh:
            column, y, top = column + 1, cont_h, cont_h
        for whole in group:
            block: _Block | None = whole
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
    placed: list[tuple[_Block, int, int]], units: GridUnits, *, span: int, tall: int, mark: Line
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
        lines.append(Line(block.role, block.text, rect, continues=block.continues))
    dividers = tuple(column * units.width for column in range(1, span))
    return CardLayout(
        QSize(span * units.width, tall * units.height), span, tall, tuple(lines), chip, dividers
    )
