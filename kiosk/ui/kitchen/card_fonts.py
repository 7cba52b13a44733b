"""The card's fonts, and text measured exactly as paint() draws it: the base of card_layout.py.

Its own module so card_layout.py (where each line goes) and card_lines.py
(what each line of an item is, and how it is painted) share one measure
without importing each other.
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF, QImage, QPainter, QTextLayout, QTextOption

NOTE_PX = 18  # readable from 2 m at 1080p
CHIP_H = 20
_MEASURE_LIMIT = 20_000  # cached measurements before the cache starts over

# Break lines between words, and inside a word only when it is wider than the
# column (a long name or a run of digits): never cut off, never "…".
WRAP = QTextOption(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
WRAP.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)


class Role(enum.Enum):
    CUSTOMER = "customer"
    KIND = "kind"
    REASON = "reason"
    ITEM = "item"
    MODIFIER = "modifier"
    NOTE = "note"
    ALLERGY = "allergy"
    CONTINUED = "continued"
    RUSH = "rush"  # the "RUSH" chip heading a rush order
    TAG = "tag"  # "ADD-ON" over a line added to an open order
    ALLERGEN = "allergen"  # the line's allergens, on a pill nobody misses
    VOID = "void"  # "VOID: <reason>" under a voided line


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
        self.struck_note = QFont(self.note)
        self.struck_note.setStrikeOut(True)
        self.by_role: dict[Role, QFont] = {
            Role.CUSTOMER: self.line,
            Role.KIND: self.small,
            Role.REASON: self.small,
            Role.ITEM: self.item,
            Role.MODIFIER: self.note,
            Role.NOTE: self.note,
            Role.ALLERGY: self.allergy,
            Role.CONTINUED: self.small,
            Role.RUSH: self.chip,
            Role.TAG: self.chip,
            Role.ALLERGEN: self.allergy,
            Role.VOID: self.small,
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
