"""A one-line label that never makes its window grow: long text ends in "…", the whole text is its tooltip.

A plain QLabel asks its layout for the width of its whole text; a connection
detail or a customer name from the wire can then widen a fullscreen window past
the screen.  ``ElidedLabel`` asks for that width but accepts any (down to
``min_chars`` average characters), paints the text elided to the width it got,
and keeps the full text in ``text()`` and in the tooltip.  Text is always
plain: what comes from the wire is never read as markup, in the label or in its
tooltip.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

KEEP_WHOLE_CHARS = (
    20  # a one-part text this short ("12 pesanan terbuka") is never cut when a separator is set
)


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally (Qt would read "<b>…" as rich text)."""
    if QtGui.Qt.mightBeRichText(text):
        return QtGui.Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
    return text


class ElidedLabel(QLabel):
    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        min_chars: int = 4,
        max_chars: int = 0,
        separator: str = "",
    ) -> None:
        """``separator``: the text is parts ("Net Rp 1.250.000 · 6 payments"); it gives way a whole
        part at a time, and the first part (the figure people read) is never cut, nor is a short
        text of one part (up to ``KEEP_WHOLE_CHARS``)."""
        super().__init__(parent)
        self._min_chars = min_chars
        self._separator = separator
        self._max_chars = max_chars  # 0: ask for the whole text
        self._auto_tooltip = True
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        if self._auto_tooltip:
            super().setToolTip(plain_tooltip(text) if self.is_elided() else "")

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt API
        """An explicit tooltip (shown as plain text) replaces the automatic one; "" restores it."""
        self._auto_tooltip = not text
        super().setToolTip(plain_tooltip(text) if text else "")
        if self._auto_tooltip:
            self.setText(self.text())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().sizeHint()
        if not self._max_chars:
            return hint
        margins = self.contentsMargins()
        cap = self.fontMetrics().averageCharWidth() * self._max_chars + margins.left() + margins.right()
        return QSize(min(hint.width(), cap), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        margins = self.contentsMargins()
        metrics = self.fontMetrics()
        chars = metrics.averageCharWidth() * self._min_chars
        if self._separator:
            first, found, _rest = self.text().partition(self._separator)
            if found:
                chars = max(chars, metrics.horizontalAdvance(first + " …"))
            elif len(first) <= KEEP_WHOLE_CHARS:  # "9 open order(s)": short, and what people read
                chars = max(chars, metrics.horizontalAdvance(first))
        width = min(hint.width(), chars + margins.left() + margins.right())
        return QSize(width, hint.height())

    def shown_text(self) -> str:
        """What is painted at the current width."""
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        text = self.text()
        if metrics.horizontalAdvance(text) <= width:
            return text  # elidedText may cut a text that fits exactly (fractional advances)
        if self._separator:
            parts = text.split(self._separator)
            while len(parts) > 1:
                parts.pop()
                candidate = self._separator.join(parts) + " …"
                if metrics.horizontalAdvance(candidate) <= width:
                    return candidate
            text = parts[0]
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._auto_tooltip:
            super().setToolTip(plain_tooltip(self.text()) if self.is_elided() else "")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        self.drawFrame(painter)
        rect = self.contentsRect()
        shown = self.shown_text()
        flags = int(self.alignment().value) | int(Qt.TextFlag.TextSingleLine.value)
        self.style().drawItemText(
            painter, rect, flags, self.palette(), self.isEnabled(), shown, self.foregroundRole()
        )
