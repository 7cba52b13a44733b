"""A tile's face (fill, number, first name) rendered once into a pixmap, then only copied.

Why a cache: Qt's raster engine caches glyphs only up to 64 px; the board's
numbers are larger, so each is drawn as a path, which is slow (a median 5.5 ms
from event to frame at 1080p before this cache, 1.6 ms with it: bench/board_render.py).  A number's tile looks the
same for as long as it is on the board, so its face is rendered once per size
and the frames after that copy pixmaps.  The highlight border is not part of
the face: it flashes, and a stroke is cheap.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap

from kiosk.ui.board.fit import Fit, name_font, number_font

CACHE_LIMIT = 200  # faces: both columns' tiles in view several times over


@dataclass(frozen=True, slots=True)
class Face:
    """What a tile shows, as painted (texts already elided to the tile)."""

    number: str
    name: str
    fill: int  # QColor.rgba()
    text: int


class TilePainter:
    """Renders and keeps tile faces for one grid; ``set_fit`` when the tiles change size."""

    def __init__(self) -> None:
        self._faces: OrderedDict[tuple[Face, int, int, float, str], QPixmap] = OrderedDict()
        self._fit: Fit | None = None
        self._number = QFont()
        self._name = QFont()
        self._number_line = 0
        self._name_line = 0
        self.rendered = 0  # faces drawn (not copied): for tests and the bench

    @property
    def number_line(self) -> int:
        return self._number_line

    @property
    def name_line(self) -> int:
        return self._name_line

    def set_fit(self, base: QFont, fit: Fit) -> tuple[QFontMetrics, QFontMetrics]:
        """Take the fonts of a layout; returns their metrics (to elide the texts to the tile)."""
        self._fit = fit
        self._number = number_font(base, fit.number_px)
        self._name = name_font(base, fit.name_px)
        number_metrics, name_metrics = QFontMetrics(self._number), QFontMetrics(self._name)
        self._number_line = number_metrics.height()
        self._name_line = name_metrics.height()
        return number_metrics, name_metrics

    @staticmethod
    def radius(fit: Fit) -> float:
        return max(4.0, fit.gap * 0.8)

    def face(self, face: Face, ratio: float) -> QPixmap:
        """The tile's face at the current fit and device pixel ratio, rendered at first use."""
        fit = self._fit
        assert fit is not None, "set_fit before painting"
        key = (face, fit.tile_w, fit.tile_h, ratio, self._number.key())
        pixmap = self._faces.get(key)
        if pixmap is not None:
            self._faces.move_to_end(key)
            return pixmap
        pixmap = self._render(face, fit, ratio)
        self._faces[key] = pixmap
        while len(self._faces) > CACHE_LIMIT:
            self._faces.popitem(last=False)
        return pixmap

    def _render(self, face: Face, fit: Fit, ratio: float) -> QPixmap:
        self.rendered += 1
        pixmap = QPixmap(round(fit.tile_w * ratio), round(fit.tile_h * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor.fromRgba(face.fill))
        radius = self.radius(fit)
        painter.drawRoundedRect(QRect(0, 0, fit.tile_w, fit.tile_h), radius, radius)
        # the number's line, then the name's, overlapping by the number's descent (digits have none)
        number_step = round(self._number_line * 0.92)
        name_line = self._name_line if face.name else 0
        top = max(0, (fit.tile_h - number_step - name_line) // 2)
        centred = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        painter.setPen(QColor.fromRgba(face.text))
        painter.setFont(self._number)
        painter.drawText(QRect(0, top, fit.tile_w, self._number_line), centred, face.number)
        if face.name:
            painter.setFont(self._name)
            painter.drawText(QRect(0, top + number_step, fit.tile_w, self._name_line), centred, face.name)
        painter.end()
        return pixmap
