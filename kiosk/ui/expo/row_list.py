"""One painted, scrolling list of expo rows: an order per row, its stations' progress under its number.

Why painted and not a QLabel per order (like the board's grid): a busy pass
has a few hundred open orders, and only the ten or so rows in view are drawn,
each with a handful of ``drawText`` calls, so an event repaints in well under
a frame whatever the count.  The list holds no order state of its own beyond
the rows it was given; the screen decides the selection and which rows are
armed for a deliberate bump, and the list only paints them and reports taps.
Every text is drawn with ``QPainter.drawText``: wire text is never markup here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from kiosk.core.formatting import format_elapsed
from kiosk.protocol.models import EntityId
from kiosk.ui.expo.progress import ExpoRow
from kiosk.ui.i18n import fill
from kiosk.ui.kitchen.card_colours import (
    ALLERGEN_BG,
    BODY,
    CURSOR,
    FRESH,
    MUTED,
    RUSH,
    TEXT,
    WARN,
    pill_text_colour,
)

BACKGROUND = QColor("#15171a")
COMPLETE_TEXT = QColor("#4ade80")  # a station that has finished its lines: the board's "ready" green
GAP = 6
PAD = 8
BAR = 6  # the rush bar down a row's left edge
SLACK = 3  # elidedText cuts a text measured to the pixel: room for its rounding


class Badge:
    NONE = ""
    DONE = "done"  # every line done: one touch bumps
    ARMED = "armed"  # not all done, touched once: a second touch within the window bumps anyway
    HAND_OUT = "hand_out"  # waiting for pick-up: one touch hands it out


@dataclass(frozen=True, slots=True)
class RowTexts:
    """Every string a row paints, before eliding (the tests and the state dump read these)."""

    rush: str
    number: str
    who: str
    timer: str
    stations: tuple[tuple[str, bool], ...]  # ("grill 2/3", complete)
    allergens: str
    badge: str
    badge_kind: str

    def all(self) -> list[str]:
        texts = [self.rush, self.number, self.who, self.timer, *(text for text, _ in self.stations)]
        return [text for text in (*texts, self.allergens, self.badge) if text]


class RowList(QAbstractScrollArea):
    """Rows top to bottom in the order given; ``tapped(key)`` when a row is touched or clicked."""

    tapped = Signal(object)  # EntityId

    def __init__(self, now: Callable[[], float], *, waiting: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now  # wall-clock POSIX seconds of the screen's injected clock
        self._waiting = waiting  # the pick-up area: timers from ready_at, "hand out" badges
        self._rows: list[ExpoRow] = []
        self._selected: EntityId | None = None
        self._armed: frozenset[EntityId] = frozenset()
        self.empty_text = ""
        self.paints = 0
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the screen has the keyboard (bump bar keys)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._fonts()

    # -- what the screen sets ----------------------------------------------------------------
    def set_rows(self, rows: Sequence[ExpoRow]) -> None:
        if list(rows) == self._rows:
            return
        self._rows = list(rows)
        self._update_scroll_range()
        self.viewport().update()

    def set_marks(self, selected: EntityId | None, armed: Collection[EntityId]) -> None:
        armed = frozenset(armed)
        if selected == self._selected and armed == self._armed:
            return
        self._selected = selected
        self._armed = armed
        self.viewport().update()

    def rows(self) -> list[ExpoRow]:
        return list(self._rows)

    def order_ids(self) -> list[EntityId]:
        return [row.key for row in self._rows]

    def ensure_visible(self, key: EntityId) -> None:
        index = next((i for i, row in enumerate(self._rows) if row.key == key), None)
        if index is None:
            return
        bar = self.verticalScrollBar()
        top, height = index * self.step, self.row_height
        if top < bar.value():
            bar.setValue(top)
        elif top + height > bar.value() + self.viewport().height():
            bar.setValue(top + height - self.viewport().height())

    # -- texts ---------------------------------------------------------------------------------
    def station_name(self, station: str | None) -> str:
        return station if station is not None else self.tr("other")

    def texts(self, row: ExpoRow) -> RowTexts:
        """What the row says now (the timer reads the injected clock)."""
        since = row.ready if self._waiting else row.created
        timer = format_elapsed(self._now() - since) if since is not None else ""
        who = " · ".join(
            part for part in (row.name, fill(self.tr("table %1"), row.table) if row.table else "") if part
        )
        stations = tuple(
            (f"{self.station_name(s.station)} {s.done}/{s.total}", s.complete) for s in row.stations
        )
        allergens = "⚠ " + ", ".join(row.allergens) if row.allergens else ""
        if self._waiting:
            badge, kind = self.tr("Hand out"), Badge.HAND_OUT
        elif row.key in self._armed:
            badge, kind = self.tr("Not all done — again to bump"), Badge.ARMED
        elif row.all_done:
            badge, kind = self.tr("All done — bump"), Badge.DONE
        else:
            badge, kind = "", Badge.NONE
        rush = self.tr("RUSH") if row.rush else ""
        return RowTexts(rush, row.number, who, timer, stations, allergens, badge, kind)

    def row_texts(self, key: EntityId) -> RowTexts | None:
        row = next((row for row in self._rows if row.key == key), None)
        return self.texts(row) if row is not None else None

    # -- geometry ----------------------------------------------------------------------------
    def _fonts(self) -> None:
        base = QFont(self.font())
        base_px = QFontMetrics(base).height()
        self._line_font = QFont(base)
        self._big = QFont(base)
        self._big.setBold(True)
        self._big.setPixelSize(max(12, round(base_px * 1.3)))
        self._bold = QFont(base)
        self._bold.setBold(True)
        self._big_h = QFontMetrics(self._big).height()
        self._line_h = QFontMetrics(self._line_font).height() + 4  # room for a pill around the text
        self.row_height = PAD + self._big_h + GAP + self._line_h + PAD
        self.step = self.row_height + GAP

    def row_rect(self, index: int) -> QRect:
        """A row's rectangle in the viewport at the current scroll position."""
        top = index * self.step - self.verticalScrollBar().value()
        return QRect(0, top, self.viewport().width(), self.row_height)

    def key_at(self, y: int) -> EntityId | None:
        offset = y + self.verticalScrollBar().value()
        index, within = divmod(offset, self.step)
        if within >= self.row_height or not 0 <= index < len(self._rows):
            return None
        if self.row_rect(index).bottom() >= self.viewport().height():
            return None  # under "N more": not shown, so not bumped by a touch
        return self._rows[index].key

    def _update_scroll_range(self) -> None:
        bar = self.verticalScrollBar()
        total = len(self._rows) * self.step - GAP
        bar.setRange(0, max(0, total - self.viewport().height()))
        bar.setPageStep(max(1, self.viewport().height()))
        bar.setSingleStep(self.step)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(400, 300)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(0, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_scroll_range()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fonts()
            self._update_scroll_range()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        key = self.key_at(round(event.position().y()))
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self.tapped.emit(key)
            event.accept()
            return
        super().mousePressEvent(event)

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        self.paints += 1
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), BACKGROUND)
        if not self._rows:
            painter.setPen(MUTED)
            painter.setFont(self._line_font)
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        first = max(0, self.verticalScrollBar().value() // self.step)
        clip = event.rect()
        bottom = self.viewport().height()
        for index in range(first, len(self._rows)):
            rect = self.row_rect(index)
            if rect.bottom() >= bottom:  # a row is shown whole or not at all; the rest is "N more"
                self._paint_more(painter, QRect(0, rect.top(), rect.width(), bottom - rect.top()), index)
                break
            if rect.intersects(clip):
                self._paint_row(painter, rect, self._rows[index])

    def more_below(self) -> int:
        """Rows below the last one shown whole (scroll, or the selection moving down, brings them)."""
        bottom = self.viewport().height()
        shown_to = (self.verticalScrollBar().value() + bottom + GAP) // self.step
        return max(0, len(self._rows) - shown_to)

    def _paint_more(self, painter: QPainter, rect: QRect, index: int) -> None:
        more = len(self._rows) - index
        if more <= 0 or rect.height() < QFontMetrics(self._line_font).height():
            return
        painter.setPen(MUTED)
        painter.setFont(self._line_font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("▼ %n more", "", more))

    def _paint_row(self, painter: QPainter, rect: QRect, row: ExpoRow) -> None:
        texts = self.texts(row)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BODY)
        painter.drawRoundedRect(rect, 6, 6)
        left, right = rect.left() + PAD + BAR, rect.right() - PAD
        line1 = QRect(left, rect.top() + PAD, right - left, self._big_h)
        line2 = QRect(left, line1.bottom() + 1 + GAP, right - left, self._line_h)
        # line 1: RUSH, the number, who; the timer on the right
        x = left
        if texts.rush:
            x = (
                self._pill(painter, QRect(x, line1.top(), 0, line1.height()), texts.rush, RUSH, self._bold)
                + GAP
            )
        timer_w = QFontMetrics(self._big).horizontalAdvance(texts.timer) + SLACK
        self._text(
            painter,
            QRect(right - timer_w, line1.top(), timer_w, line1.height()),
            texts.timer,
            self._big,
            TEXT,
        )
        limit = right - timer_w - 2 * GAP
        x = self._text(
            painter, QRect(x, line1.top(), max(0, limit - x), line1.height()), texts.number, self._big, TEXT
        )
        self._text(painter, QRect(x + 2 * GAP, line1.top(), max(0, limit - x - 2 * GAP), line1.height()),
                   texts.who, self._line_font, MUTED)  # fmt: skip
        # line 2: the badge on the right, the allergens (they can hurt someone: never cut for progress), stations
        end = right
        if texts.badge:
            fill = {Badge.DONE: FRESH, Badge.ARMED: WARN}.get(texts.badge_kind, QColor("#37474f"))
            width = min(self._pill_width(texts.badge, self._bold), end - left)
            end -= width
            self._pill(painter, QRect(end, line2.top(), 0, line2.height()), texts.badge, fill, self._bold,
                       max_width=width)  # fmt: skip
            end -= 2 * GAP
        x = left
        if texts.allergens:
            width = min(self._pill_width(texts.allergens, self._bold), max(0, end - x))
            x = self._pill(painter, QRect(x, line2.top(), 0, line2.height()), texts.allergens, ALLERGEN_BG,
                           self._bold, max_width=width) + 2 * GAP  # fmt: skip
        self._stations(painter, QRect(x, line2.top(), max(0, end - x), line2.height()), texts.stations)
        if row.key == self._selected:
            painter.setPen(QPen(CURSOR, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -2, -2), 6, 6)
        if row.rush:  # over the selection's border: a selected rush order still shows its bar
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(RUSH)
            painter.drawRoundedRect(QRect(rect.left(), rect.top(), BAR, rect.height()), 3, 3)

    def _stations(self, painter: QPainter, rect: QRect, stations: Sequence[tuple[str, bool]]) -> None:
        """ "grill 2/3 · drinks 1/1", a finished station in green; "…" where the row runs out."""
        metrics = QFontMetrics(self._bold)
        separator = " · "
        x, end = rect.left(), rect.right()
        for index, (text, complete) in enumerate(stations):
            piece = (separator if index else "") + text
            width = metrics.horizontalAdvance(piece)
            if x + width > end:
                self._text(painter, QRect(x, rect.top(), max(0, end - x), rect.height()), piece, self._bold,
                           COMPLETE_TEXT if complete else TEXT)  # fmt: skip
                return
            if index:
                x = self._text(
                    painter, QRect(x, rect.top(), width, rect.height()), separator, self._bold, MUTED
                )
            x = self._text(painter, QRect(x, rect.top(), end - x, rect.height()), text, self._bold,
                           COMPLETE_TEXT if complete else TEXT)  # fmt: skip

    @staticmethod
    def _text(painter: QPainter, rect: QRect, text: str, font: QFont, colour: QColor) -> int:
        """Left-aligned, vertically centred, elided to ``rect``; returns where the text ends."""
        if not text or rect.width() <= 0:
            return rect.left()
        metrics = QFontMetrics(font)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
        return rect.left() + metrics.horizontalAdvance(shown)

    @staticmethod
    def _pill_width(text: str, font: QFont) -> int:
        return QFontMetrics(font).horizontalAdvance(text) + 2 * PAD + SLACK

    def _pill(
        self, painter: QPainter, at: QRect, text: str, fill: QColor, font: QFont, *, max_width: int = 0
    ) -> int:
        """Text on a rounded pill starting at ``at.left()``; returns the pill's right edge."""
        width = self._pill_width(text, font)
        if max_width:
            width = min(width, max_width)
        pill = QRect(at.left(), at.top(), width, at.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(pill, 5, 5)
        inner = pill.adjusted(PAD, 0, -PAD, 0)
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, max(0, inner.width()))
        painter.setFont(font)
        painter.setPen(pill_text_colour(fill))
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, shown)
        return pill.right() + 1
