"""What each line of a card is (heading, item, its notes, allergens, void) and how one is painted.

Apart from card_layout.py (which places these blocks in columns) and
card_delegate.py (which paints the card around them) because the kitchen's
lines grew a state each - started, done, voided, another station's, an
add-on - and both of those modules were at their size limit.  The painting
of one line lives next to the blocks it comes from, so a new kind of line is
one change in one file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from kiosk.ui.kitchen.card_colours import (
    ADD_ON_BG,
    ALLERGEN_BG,
    ALLERGY_BG,
    DARK_TEXT,
    DONE_TEXT,
    FOREIGN_TEXT,
    MUTED,
    RUSH,
    STARTED_BG,
    STARTED_MARK,
    TEXT,
    VOID_TEXT,
    pill_text_colour,
)
from kiosk.ui.kitchen.card_fonts import CHIP_H, WRAP, CardFonts, Role, Wrapped

if TYPE_CHECKING:
    from kiosk.ui.kitchen.card_text import CardText, ItemLines

ITEM_INDENT = 16
PILL_PAD = 8  # each side of a chip's text

STARTED = "started"
DONE = "done"
VOIDED = "voided"


@dataclass(frozen=True, eq=False)
class Line:
    """One piece of text on a card and the rectangle it is drawn in (card coordinates)."""

    role: Role
    text: str
    rect: QRect
    continues: bool = False  # the text goes on at the top of the next column (a note split in two)
    item_id: int | None = None  # the order line it belongs to (a tap on it bumps that line)
    state: str = ""  # that line's ItemStatus value: how it is painted
    foreign: bool = False  # another station's line, shown grey


@dataclass(frozen=True)
class Block:
    """One text of a card before it is placed: its role, wrapped text and the line it belongs to."""

    role: Role
    wrapped: Wrapped
    indent: int
    gap: int = 0  # space kept under the block
    continues: bool = False
    item_id: int | None = None
    state: str = ""
    foreign: bool = False

    @property
    def text(self) -> str:
        return self.wrapped.text

    @property
    def height(self) -> int:
        return self.wrapped.full

    def split(self, count: int) -> tuple[Block, Block]:
        head, tail = self.wrapped.split(count)
        first = dataclasses.replace(self, wrapped=head, gap=0, continues=True)
        return first, dataclasses.replace(self, wrapped=tail, continues=False)


def card_groups(text: CardText, fonts: CardFonts, width: int, chip_room: int) -> list[list[Block]]:
    """The card's blocks, grouped: the heading lines, then one group per item (kept together if it fits).

    The order type shares its line with the status chip (``chip_room`` px);
    the customer's name gets the whole width under it, so a long name wraps
    at its spaces.  A rush order's "RUSH" chip heads the card.
    """
    head: list[Block] = []
    if text.rush:
        head.append(Block(Role.RUSH, _chip_text(fonts, Role.RUSH, width, text.rush), 0, gap=4))
    kind = fonts.wrap(Role.KIND, width - chip_room, text.kind)
    head.append(Block(Role.KIND, dataclasses.replace(kind, minimum=max(CHIP_H, kind.minimum)), 0, gap=2))
    for role, value, gap in ((Role.CUSTOMER, text.customer, 6), (Role.REASON, text.reason, 4)):
        if value:
            head.append(Block(role, fonts.wrap(role, width, value), 0, gap=gap))
    return [head, *(_item_group(item, fonts, width) for item in text.items)]


def _item_group(item: ItemLines, fonts: CardFonts, width: int) -> list[Block]:
    def block(role: Role, value: str, indent: int, gap: int = 0, pad: int = 0) -> Block:
        wrapped = fonts.wrap(role, width - indent - pad, value)
        return Block(role, wrapped, indent, gap, item_id=item.item_id, state=item.state, foreign=item.foreign)

    group: list[Block] = []
    if item.tag:
        tag = _chip_text(fonts, Role.TAG, width, item.tag)
        group.append(Block(Role.TAG, tag, 0, 2, item_id=item.item_id, state=item.state, foreign=item.foreign))
    group.append(block(Role.ITEM, item.main, 0))
    if item.modifiers:
        group.append(block(Role.MODIFIER, item.modifiers, ITEM_INDENT))
    if item.notes:
        group.append(block(Role.ALLERGY if item.allergy else Role.NOTE, item.notes, ITEM_INDENT))
    if item.allergens:
        # drawn inside a pill: PILL_PAD on its left (the indent) and on its right (the wrap width)
        group.append(block(Role.ALLERGEN, item.allergens, ITEM_INDENT + PILL_PAD, pad=PILL_PAD))
    if item.void:
        group.append(block(Role.VOID, item.void, ITEM_INDENT))
    return group


def _chip_text(fonts: CardFonts, role: Role, width: int, value: str) -> Wrapped:
    wrapped = fonts.wrap(role, width - 2 * PILL_PAD, value)
    return dataclasses.replace(wrapped, minimum=max(CHIP_H, wrapped.minimum))


def paint_line(painter: QPainter, fonts: CardFonts, line: Line, *, struck: bool) -> None:
    """One line as its role and its order line's state say: a chip, a pill, struck, dimmed or plain.

    ``struck`` is the whole card's (a cancelled order).  A done line is struck
    and dimmed, a voided one struck with its reason under it, a started one
    on a tinted band with a mark, another station's grey: a cook reads the
    state of every line from across the kitchen without reading a word.
    """
    role, area, state = line.role, line.rect, line.state
    if role in (Role.RUSH, Role.TAG):
        colour = RUSH if role is Role.RUSH else ADD_ON_BG
        _pill(painter, fonts, line, colour)
        return
    if role is Role.ALLERGEN:
        _pill(painter, fonts, line, ALLERGEN_BG, left_pad=PILL_PAD)
        return
    if role is Role.ITEM and state == STARTED and not line.foreign:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(STARTED_BG)
        painter.drawRoundedRect(area.adjusted(-6, -1, 2, 1), 4, 4)
        painter.setBrush(STARTED_MARK)
        painter.drawRect(QRect(area.left() - 6, area.top() - 1, 3, area.height() + 2))
    if role is Role.ALLERGY and not line.foreign:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ALLERGY_BG)
        painter.drawRoundedRect(area.adjusted(-4, 0, 0, 0), 4, 4)
    line_struck = struck or state in (DONE, VOIDED)
    painter.setPen(QPen(_text_colour(line, struck=struck)))
    font = fonts.by_role[role]
    if line_struck and role is Role.ITEM:
        font = fonts.struck_item
    elif line_struck and role in (Role.MODIFIER, Role.NOTE):
        font = fonts.struck_note
    painter.setFont(font)
    painter.drawText(QRectF(area), line.text, WRAP)


def _text_colour(line: Line, *, struck: bool) -> QColor:
    role, state = line.role, line.state
    if line.foreign:
        return FOREIGN_TEXT
    if role is Role.VOID:
        return VOID_TEXT
    if role is Role.ALLERGY:
        return DARK_TEXT if state not in (DONE, VOIDED) else DONE_TEXT
    if state in (DONE, VOIDED):
        return DONE_TEXT
    if role in (Role.KIND, Role.REASON, Role.CONTINUED) or struck:
        return MUTED
    return TEXT


def _pill(painter: QPainter, fonts: CardFonts, line: Line, colour: QColor, *, left_pad: int = 0) -> None:
    """A rounded chip as wide as its text (or the column, when the text wraps), in a bold face."""
    font = fonts.by_role[line.role]
    area = line.rect.adjusted(-left_pad, 0, 0, 0)
    advance = QFontMetrics(font).horizontalAdvance(line.text) + 2 * PILL_PAD
    one_line = advance <= area.width()
    if one_line:
        area.setWidth(advance)
    fill = FOREIGN_TEXT if line.foreign else colour
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(area, 5, 5)
    painter.setPen(pill_text_colour(fill))
    painter.setFont(font)
    text_area = area.adjusted(PILL_PAD, 0, -PILL_PAD, 0)
    if one_line:  # centred in the chip's height
        painter.drawText(text_area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line.text)
    else:
        painter.drawText(QRectF(text_area), line.text, WRAP)
