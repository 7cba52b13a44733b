"""One painted widget per column: the order numbers as coloured tiles, and "+N more" when they overflow.

Why painted and not a QLabel per number: a busy food court has a few hundred
open orders, and 300 labels re-laid out on every event cost more than a
frame.  This widget places only the tiles that fit (``fit.py`` picks their
size), keeps their rectangles and elided names, and paints them with a few
QPainter calls each; a change repaints the widget once, a flashing highlight
only its own tiles, and each tile's face is a cached pixmap (tile_paint.py).
Painted text is always plain text: wire text can never become markup here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.protocol.models import EntityId
from kiosk.ui.board.fit import Fit, best_fit, font_ratios, min_digit_for, name_font
from kiosk.ui.board.palette import (
    BACKGROUND,
    HIGHLIGHT,
    HIGHLIGHT_ALT,
    MORE_FILL,
    MORE_TEXT,
    tenant_fill,
    text_on,
)
from kiosk.ui.board.tile_paint import Face, TilePainter

# The widest number the layout makes room for; a longer one (a foreign backend's) is elided, so one
# odd number never shrinks every other number on the board.
WIDEST_NUMBER = "T88-8888"
TYPICAL_NUMBER = "T8-888"


@dataclass(frozen=True, slots=True)
class Tile:
    """What the board shows of an order: its number, a first name and the stall (for the colour)."""

    key: EntityId
    number: str
    name: str
    tenant_id: int | None


@dataclass(frozen=True, slots=True)
class _Placed:
    rect: QRect
    tile: Tile
    face: Face  # the texts elided to the tile, the stall's colours


class NumberGrid(QWidget):
    """Tiles left to right, top to bottom, in the order given (the screen puts the newest first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        # any size the layout gives: the grid shrinks its tiles rather than growing the window
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._tiles: list[Tile] = []
        self._placed: list[_Placed] = []
        self._more_rect: QRect | None = None
        self._more = 0
        self._fit: Fit | None = None
        self._highlighted: frozenset[EntityId] = frozenset()
        self._flash_on = True
        self._painter = TilePainter()
        self.paints = 0

    # -- what the screen sets -----------------------------------------------------------
    def set_tiles(self, tiles: Sequence[Tile]) -> bool:
        """Show these tiles (newest first); False, and no repaint, when nothing changed."""
        if list(tiles) == self._tiles:
            return False
        self._tiles = list(tiles)
        self._relayout()
        self.update()
        return True

    def set_highlights(self, keys: Collection[EntityId], flash_on: bool) -> None:
        """Tiles with a bright, flashing border; only the tiles whose look changed are repainted."""
        keys = frozenset(keys)
        if keys == self._highlighted and flash_on == self._flash_on:
            return
        touched = keys | self._highlighted if flash_on != self._flash_on else keys ^ self._highlighted
        self._highlighted = keys
        self._flash_on = flash_on
        for placed in self._placed:
            if placed.tile.key in touched:
                self.update(placed.rect)

    # -- what tests, the state dump and the bench read ------------------------------------
    def tiles(self) -> list[Tile]:
        return list(self._tiles)

    def visible_tiles(self) -> list[Tile]:
        """The tiles that are painted (the newest that fit)."""
        return [placed.tile for placed in self._placed]

    def painted_texts(self) -> list[str]:
        """Every string the grid paints, as painted (numbers and names elided to their tile, "+N more")."""
        texts = [text for placed in self._placed for text in (placed.face.number, placed.face.name) if text]
        return [*texts, self.more_text()] if self._more else texts

    def more_count(self) -> int:
        return self._more

    def more_text(self) -> str:
        return self.tr("+%n more", "", self._more) if self._more else ""

    def current_fit(self) -> Fit | None:
        return self._fit

    def tile_rect(self, key: EntityId) -> QRect | None:
        return next((placed.rect for placed in self._placed if placed.tile.key == key), None)

    def highlighted(self) -> frozenset[EntityId]:
        return self._highlighted

    def tile_faces_rendered(self) -> int:
        """Tile faces drawn so far (each new number once per size; every other frame copies them)."""
        return self._painter.rendered

    # -- layout ----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(320, 240)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(0, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._relayout()

    def refresh_layout(self) -> None:
        """Lay out again (the window's height, which sets the size floor, or the font changed)."""
        self._relayout()
        self.update()

    def _relayout(self) -> None:
        width, height = self.width(), self.height()
        family = self.font().family()
        ratios = font_ratios(family, self._widest())
        fit = best_fit(ratios, len(self._tiles), width, height, min_digit_for(self.window().height()))
        self._fit = fit
        capacity = fit.capacity
        shown = self._tiles if len(self._tiles) <= capacity else self._tiles[: max(0, capacity - 1)]
        self._more = len(self._tiles) - len(shown)
        number_metrics, name_metrics = self._painter.set_fit(self.font(), fit)
        inner = fit.tile_w - 2 * max(2, fit.gap // 2)
        elide = Qt.TextElideMode.ElideRight
        self._placed = []
        for index, tile in enumerate(shown):
            fill = tenant_fill(tile.tenant_id)
            face = Face(
                number_metrics.elidedText(tile.number, elide, inner),
                name_metrics.elidedText(tile.name, elide, inner),
                fill.rgba(),
                text_on(fill).rgba(),
            )
            self._placed.append(_Placed(self._slot(fit, index), tile, face))
        self._more_rect = self._slot(fit, len(shown)) if self._more else None

    def _widest(self) -> str:
        """The widest number to make room for: the longest shown, within WIDEST_NUMBER's length."""
        longest = max((len(tile.number) for tile in self._tiles), default=0)
        if longest <= len(TYPICAL_NUMBER):
            return TYPICAL_NUMBER
        return WIDEST_NUMBER[: min(longest, len(WIDEST_NUMBER))]

    @staticmethod
    def _slot(fit: Fit, index: int) -> QRect:
        """From the top left, under the column's left-aligned heading."""
        row, column = divmod(index, max(1, fit.columns))
        return QRect(column * (fit.tile_w + fit.gap), row * (fit.tile_h + fit.gap), fit.tile_w, fit.tile_h)

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        self.paints += 1
        fit = self._fit
        painter = QPainter(self)
        painter.fillRect(event.rect(), BACKGROUND)
        if fit is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = TilePainter.radius(fit)
        border = max(4, round(fit.gap * 0.7))
        clip = event.rect()
        ratio = self.devicePixelRatioF()
        for placed in self._placed:
            rect = placed.rect
            if not rect.intersects(clip):
                continue
            painter.drawPixmap(rect.topLeft(), self._painter.face(placed.face, ratio))
            if placed.tile.key in self._highlighted:
                painter.setPen(QPen(HIGHLIGHT if self._flash_on else HIGHLIGHT_ALT, border))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                half = border // 2
                painter.drawRoundedRect(rect.adjusted(half, half, -half, -half), radius, radius)
        if self._more_rect is not None and self._more_rect.intersects(clip):
            self._paint_more(painter, fit, radius)

    def _paint_more(self, painter: QPainter, fit: Fit, radius: float) -> None:
        """The "+N more" tile: its count changes with every order, so it is drawn, not cached."""
        rect = self._more_rect
        assert rect is not None
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MORE_FILL)
        painter.drawRoundedRect(rect, radius, radius)
        painter.setPen(MORE_TEXT)
        font = name_font(self.font(), min(round(fit.number_px * 0.6), 60))  # ≤ 64 px: glyphs stay cached
        font.setBold(True)
        painter.setFont(font)
        text = QFontMetrics(font).elidedText(self.more_text(), Qt.TextElideMode.ElideRight, rect.width() - 8)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
